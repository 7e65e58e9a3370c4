package io.parley.server.store;

/**
 * A user. {@code username} is null for users provisioned from external tokens; {@code displayName} is null until the
 * user sets one.
 */
public record User(String id, String username, long createdAt, String displayName) {}
