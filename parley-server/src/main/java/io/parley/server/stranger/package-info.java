/**
 * Talk to a stranger: {@link io.parley.server.stranger.StrangerService} runs the matching frames of a node's
 * sessions on the {@code match.Matcher} seam (one matching session per user, the relax timer, the reconnect grace,
 * the lock renewal), creates the pair's conversation in the store and tells the partner through the bus.
 * <p>
 * Rung 4, beside chat, which it never imports. May import match, presence, bus, auth, wire, store, config, time,
 * metrics, log and the protocol module.
 */
package io.parley.server.stranger;
