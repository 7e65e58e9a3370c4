package io.parley.server.store;

/** A user. {@code username} is null for users provisioned from external tokens. */
public record User(String id, String username, long createdAt) {}
