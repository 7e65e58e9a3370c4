/**
 * Talk to a stranger: the {@link io.parley.server.match.Matcher} seam (the waiting queue, atomic pairing, the one
 * matching session per user, skip cooldowns, blocks, online and waiting counts) and its in-process implementation,
 * {@link io.parley.server.match.LocalMatcher}. The Redis one is {@code redis.RedisMatcher}.
 * <p>
 * Rung 3, beside presence, bus, auth and wire, which it never imports. May import config, time, metrics and log.
 */
package io.parley.server.match;
