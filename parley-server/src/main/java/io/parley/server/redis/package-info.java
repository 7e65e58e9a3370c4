/**
 * The Redis adapters of the bus, presence and matcher seams, for a cluster of nodes.
 * <p>
 * Rung 5, beside api, gateway and store.jdbc, which it never imports. May import chat, presence, bus, match, auth, wire,
 * store, config, time, metrics and the protocol module; only the composition root imports it.
 */
package io.parley.server.redis;
