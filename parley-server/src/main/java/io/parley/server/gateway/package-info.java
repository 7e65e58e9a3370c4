/**
 * The WebSocket face: the upgrade, the Netty transport ({@code WsConnection}), sessions and their event streams,
 * the registry that fans events out to the sessions of this node.
 * <p>
 * Rung 5, beside api, redis and store.jdbc, which it never imports. May import chat, presence, bus, auth, wire,
 * store, config, time, metrics and the protocol module.
 */
package io.parley.server.gateway;
