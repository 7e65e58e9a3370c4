package io.parley.server.store;

import static org.assertj.core.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the contract's test interfaces share: the store under test, its listener, and helpers. Implemented once, by
 * {@link ChatStoreContract}; the behaviours are split over interfaces by capability so none grows into a wall.
 */
interface StoreFixture {

    long T0 = 1_700_000_000_000L;
    int TIMEOUT_SECONDS = 30;

    /** The store under test, fresh and empty for each test. */
    ChatStore store();

    /** The listener {@link #store()} publishes to. */
    RecordingListener listener();

    /** A new store on the database of {@link #store()}, which the test has closed; closed after the test. */
    ChatStore reopened(CommitListener listener);

    /** Records, in the closed database's schema history, a migration newer than any this build has. */
    void recordMigrationFromANewerVersion() throws Exception;

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("store call failed", e.getCause());
        } catch (Exception e) {
            throw new AssertionError("store call did not complete", e);
        }
    }

    /** The exception the future failed with; fails the test if it completes normally. */
    static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("store call did not complete", e);
        }
    }

    static NewMessage message(String conversationId, String sender, String clientMsgId, String body) {
        return new NewMessage(conversationId, sender, clientMsgId, body, "id-" + sender + "-" + clientMsgId, T0 + 1);
    }

    /** Built-in accounts with username "name-" + id. */
    default void users(String... ids) {
        for (String id : ids) {
            await(store().createUser(id, "name-" + id, "hash-" + id));
        }
    }

    /** A group created at T0, which appends 2 + others.length events (created, then member_added each). */
    default void group(String id, String owner, String... others) {
        await(store().createGroup(id, owner, "title " + id, List.of(others), T0));
    }

    /** As {@link #group(String, String, String...)} with the first of {@code all} as owner. */
    default void groupOf(String id, String[] all) {
        group(id, all[0], List.of(all).subList(1, all.length).toArray(String[]::new));
    }

    /** Appends n messages from sender with client ids "m0".."m(n-1)": a second call for one sender is a retry. */
    default void appendAll(String conversationId, String sender, int n) {
        for (int i = 0; i < n; i++) {
            await(store().appendMessage(message(conversationId, sender, "m" + i, "body " + i)));
        }
    }

    default ConversationSummary summary(String conversationId, String userId) {
        return await(store().findConversation(conversationId, userId)).orElseThrow();
    }
}
