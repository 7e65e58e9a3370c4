package io.parley.server.store;

/** A member of a conversation with their receipt cursors (each only moves forward; deliveredSeq >= readSeq). */
public record Member(String userId, String username, Role role, long joinedAt, long readSeq, long deliveredSeq) {}
