package io.parley.server.store;

/**
 * Result of an edit, delete or reaction: the appended event, or null when the request changed nothing (the message
 * already had that body, was already deleted, the reaction was already there or already gone).
 */
public record Changed(String messageId, LogEntry event) {
    public boolean changed() {
        return event != null;
    }
}
