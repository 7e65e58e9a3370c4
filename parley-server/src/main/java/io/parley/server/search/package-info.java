/**
 * Message search: the one tokenizer both stores index with ({@link io.parley.server.search.Tokenizer}), the query
 * language ({@link io.parley.server.search.SearchQuery}), snippets, the {@link io.parley.server.search.SearchIndex}
 * seam the JDBC store implements, and the {@link io.parley.server.search.Indexer} that keeps the index up to date
 * after commit, off the send path.
 * <p>
 * Rung 3, beside presence, bus, auth and wire, which it never imports. May import store, config, time, metrics, log
 * and the protocol module.
 */
package io.parley.server.search;
