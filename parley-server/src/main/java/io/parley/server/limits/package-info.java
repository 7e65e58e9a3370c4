/**
 * Rate limits: the {@link io.parley.server.limits.RateLimiter} seam (token buckets by name and key) with its
 * in-process implementation, the node's policy of which request takes from which bucket ({@link
 * io.parley.server.limits.RateLimits}), and the admission of new WebSocket connections ({@link
 * io.parley.server.limits.Admission}). The Redis implementation, shared by every node, is {@code
 * redis.RedisRateLimiter}.
 * <p>
 * Rung 3, beside presence, bus, auth and wire, which it never imports. May import config, time, metrics and the
 * protocol module.
 */
package io.parley.server.limits;
