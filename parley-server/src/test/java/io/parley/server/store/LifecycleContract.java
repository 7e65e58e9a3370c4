package io.parley.server.store;

import static io.parley.server.store.StoreFixture.await;
import static io.parley.server.store.StoreFixture.failure;
import static io.parley.server.store.StoreFixture.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Closing, reopening, durability, and refusing an unknown schema.
 */
interface LifecycleContract extends StoreFixture {

    @Test
    default void close_commitsQueuedWrites_andLaterCallsFailWithClosed() {
        users("a", "b");
        group("g1", "a", "b");
        List<CompletableFuture<Appended>> queued = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            queued.add(store().appendMessage(message("g1", "a", "q" + i, "m")));
        }

        store().close();

        assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted());
        assertThat(listener().eventsOf("g1")).hasSize(303);
        assertThat(failure(store().appendMessage(message("g1", "a", "after", "m"))))
                .isInstanceOf(StoreException.Closed.class);
        assertThat(failure(store().findUser("a"))).isInstanceOf(StoreException.Closed.class);
        assertThat(failure(store().ping())).isInstanceOf(StoreException.Closed.class);
        store().close();

        ChatStore reopened = reopened(CommitListener.NONE);
        assertThat(await(reopened.lastSeqs("a"))).containsEntry("g1", 303L);
    }

    @Test
    default void data_survivesCloseAndReopen() {
        users("a", "b");
        group("g1", "a", "b");
        await(store().getOrCreateDirect("d1", "a", "b", T0));
        appendAll("g1", "b", 3);
        await(store().markRead("g1", "a", 5));
        List<ConversationSummary> before = await(store().listConversations("a"));
        List<LogEntry> log = await(store().eventsAfter("g1", 0, 100));
        store().close();

        RecordingListener second = new RecordingListener();
        ChatStore reopened = reopened(second);

        assertThat(await(reopened.listConversations("a"))).isEqualTo(before);
        assertThat(await(reopened.eventsAfter("g1", 0, 100))).isEqualTo(log);
        assertThat(await(reopened.findCredentials("name-a"))).isPresent();
        assertThat(await(reopened.appendMessage(message("g1", "a", "x1", "again")))
                        .event()
                        .seq())
                .isEqualTo(7L);
        assertThat(await(reopened.appendMessage(message("g1", "b", "m0", "dup")))
                        .duplicate())
                .isTrue();
        assertThat(await(reopened.getOrCreateDirect("d9", "b", "a", T0))
                        .conversation()
                        .id())
                .isEqualTo("d1");
        assertThat(second.events()).extracting(LogEntry::seq).containsExactly(7L);
    }

    @Test
    default void open_onASchemaMigratedByANewerVersion_refusesToStart() throws Exception {
        users("a");
        store().close();

        recordMigrationFromANewerVersion();

        assertThatThrownBy(() -> reopened(CommitListener.NONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("schema")
                .hasMessageContaining("newer");
    }
}
