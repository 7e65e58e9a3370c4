/**
 * The SQL adapter of the store seam: SQLite and PostgreSQL, group commit, readers, migrations.
 * <p>
 * Rung 5, beside api, gateway and redis. May import store, config, time, metrics and the protocol module; only the
 * composition root imports it.
 */
package io.parley.server.store.jdbc;
