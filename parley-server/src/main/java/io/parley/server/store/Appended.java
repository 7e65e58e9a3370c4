package io.parley.server.store;

/** Result of {@link ChatStore#appendMessage}: the stored event, and whether it was stored by an earlier call. */
public record Appended(LogEntry.MessagePosted event, boolean duplicate) {}
