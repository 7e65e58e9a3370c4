/**
 * Time and the threads that wait: the scheduler threads the server's parts own.
 * <p>
 * Ground floor (rung 1): imports nothing of the server, only the JDK and the protocol module.
 */
package io.parley.server.time;
