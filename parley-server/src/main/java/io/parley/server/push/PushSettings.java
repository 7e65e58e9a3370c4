package io.parley.server.push;

import io.parley.server.store.ConversationKind;
import io.parley.server.store.NotifyLevel;
import java.util.concurrent.CompletableFuture;

/**
 * What users chose about their pushes (docs/api.md, "Notifications"): the notify level per conversation and
 * do-not-disturb, in the store beside the members and users they belong to. Futures complete on the store's threads.
 */
public interface PushSettings {
    /**
     * Sets the member's level ({@code null}: back to the default of the kind); returns the conversation's kind. Fails
     * with {@code StoreException.NotFound} when the user is not a member.
     */
    CompletableFuture<ConversationKind> setNotify(String conversationId, String userId, NotifyLevel level);

    /** The user's do-not-disturb end (epoch ms), or null when off. */
    CompletableFuture<Long> doNotDisturbUntil(String userId);

    /** Sets (or, with null, ends) the user's do-not-disturb. */
    CompletableFuture<Void> setDoNotDisturbUntil(String userId, Long untilMillis);
}
