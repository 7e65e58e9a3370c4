/**
 * The store seam ({@code ChatStore}, its numbered contract) and the records it reads and writes.
 * <p>
 * Rung 2: may import config, time, metrics and the protocol module; never its own adapter store.jdbc.
 */
package io.parley.server.store;
