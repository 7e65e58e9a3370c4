/**
 * The Prometheus registry and the server's counters, gauges and timers.
 * <p>
 * Ground floor (rung 1): imports nothing of the server, only the JDK, Micrometer and the protocol module.
 */
package io.parley.server.metrics;
