/**
 * The store seam ({@code ChatStore}, its numbered contract) and the records it reads and writes, among them the log
 * entries ({@code LogEntry}: one record per event kind behind a shared {@code EventHeader}) and what a commit hands
 * on ({@code Committed}: an entry and its recipients).
 * <p>
 * Rung 2: may import config, time, metrics and the protocol module; never its own adapter store.jdbc.
 */
package io.parley.server.store;
