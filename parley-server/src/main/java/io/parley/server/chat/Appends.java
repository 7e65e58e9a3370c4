package io.parley.server.chat;

import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.NewMessage;
import java.util.concurrent.CompletableFuture;

/**
 * Where a valid send is appended: this node's store ({@link ChatStore#appendMessage}, one node), or in a cluster the
 * node that owns the conversation's writes (the Redis adapter's {@code WriteRouting}), so that one conversation's
 * messages are committed by one node's writer. Either way the future completes as {@link ChatStore#appendMessage}'s
 * would: after the durable commit, idempotent per sender and clientMsgId, failing with the same store exceptions.
 */
@FunctionalInterface
public interface Appends {
    CompletableFuture<Appended> append(NewMessage message);
}
