package io.parley.server.store;

import java.util.List;

/** A conversation returned by a get-or-create; {@code created} is false when it already existed. */
public record Created(ConversationSummary conversation, boolean created, List<LogEntry> events) {}
