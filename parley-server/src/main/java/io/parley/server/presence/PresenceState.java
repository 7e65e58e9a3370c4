package io.parley.server.presence;

/** A user's presence. {@code lastSeen} (epoch ms) is when they were last online; null while online or never seen. */
public record PresenceState(String userId, boolean online, Long lastSeen) {}
