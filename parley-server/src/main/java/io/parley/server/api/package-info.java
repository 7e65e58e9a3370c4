/**
 * The REST face under /api/v1 (docs/api.md): routes, request input, and failures mapped to the one error body with
 * the status of their {@link io.parley.protocol.ErrorCode}.
 * <p>
 * Rung 5, a face beside gateway, redis and store.jdbc, which it never imports. May import chat, presence, bus,
 * auth, wire, store, config, time, metrics and the protocol module.
 */
package io.parley.server.api;
