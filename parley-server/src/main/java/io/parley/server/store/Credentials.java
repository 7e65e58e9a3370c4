package io.parley.server.store;

/** What login needs of a built-in account; a {@code banned} account may not log in. */
public record Credentials(String userId, String username, String passwordHash, boolean banned) {}
