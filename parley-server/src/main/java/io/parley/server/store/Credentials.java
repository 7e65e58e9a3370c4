package io.parley.server.store;

public record Credentials(String userId, String username, String passwordHash) {}
