package io.parley.server.store;

public record Member(String userId, String username, Role role, long joinedAt, long readSeq) {}
