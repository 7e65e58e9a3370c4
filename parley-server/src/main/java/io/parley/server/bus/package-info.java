/**
 * The bus seam that carries committed events and signals to the nodes whose sessions want them, and its in-process
 * implementation.
 * <p>
 * Rung 3, beside presence, auth and wire, which it never imports. May import store, config, time, metrics and the
 * protocol module.
 */
package io.parley.server.bus;
