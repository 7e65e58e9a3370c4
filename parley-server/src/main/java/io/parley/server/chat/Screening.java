package io.parley.server.chat;

import io.parley.server.store.Appended;
import io.parley.server.store.NewMessage;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * What becomes of a valid send: appended to the log, or held for review (the moderation service's reputation:
 * docs/api.md, "The moderation queue"). Asked on every send, so the common answer must cost no store read: it either
 * calls {@code append} (the log's append, durable when its future completes) or completes with an {@link Appended}
 * whose {@link Appended#held} is set once the held message is durable in the queue. Either way the sender's
 * clientMsgId stays the idempotency key.
 */
@FunctionalInterface
public interface Screening {
    /** Nothing is held (screening off, tests and tools that run no moderation). */
    Screening NONE = (message, append) -> append.get();

    CompletableFuture<Appended> send(NewMessage message, Supplier<CompletableFuture<Appended>> append);
}
