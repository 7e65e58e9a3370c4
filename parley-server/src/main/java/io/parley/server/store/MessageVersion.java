package io.parley.server.store;

/** One version of a message's text: the original (seq of the message) or an edit (seq of the message_edited event). */
public record MessageVersion(long seq, String body, long at) {}
