package io.parley.server.chat;

/**
 * Who is muted where, as this node knows it (the moderation service keeps it: docs/api.md, "Mute a member"). Asked
 * on every send, edit and reaction, so an answer costs a map lookup and never a store read.
 */
@FunctionalInterface
public interface Mutes {
    /** Nobody is muted (tests and tools that run no moderation). */
    Mutes NONE = (conversationId, userId) -> false;

    /** Whether {@code userId} is muted in {@code conversationId} now. */
    boolean muted(String conversationId, String userId);
}
