package io.parley.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The behaviour every {@link ChatStore} must have. Each backend extends this once and supplies the hooks; the tests
 * themselves live in the interfaces it implements, one per capability. Each test gets a fresh, empty database from
 * {@link #create}, so tests depend neither on each other nor on their order.
 */
public abstract class ChatStoreContract
        implements UserContract,
                ConversationContract,
                LogContract,
                ReadStateContract,
                LifecycleContract,
                MessageChangesContract,
                ModerationContract,
                QueueContract {

    protected static final long T0 = StoreFixture.T0;

    /** A new store on a new, empty database. */
    protected abstract ChatStore create(CommitListener listener);

    /** A new store on the database of the last {@link #create} (which the test has closed). */
    protected abstract ChatStore reopen(CommitListener listener);

    /** Records in the (closed) database's schema history a migration newer than any this build has. */
    protected abstract void recordFutureMigration() throws Exception;

    /** Releases what {@link #create} set up; the stores themselves are closed already. */
    protected void cleanup() throws Exception {}

    private final List<ChatStore> opened = new ArrayList<>();
    private RecordingListener listener;
    private ChatStore store;

    @BeforeEach
    void openStore() {
        listener = new RecordingListener();
        store = track(create(listener));
    }

    @AfterEach
    void closeStores() throws Exception {
        for (ChatStore s : opened) {
            s.close();
        }
        cleanup();
        assertThat(listener.overlapped())
                .as("listener called from two threads at once")
                .isFalse();
    }

    /** Closes the store after the test. */
    protected ChatStore track(ChatStore s) {
        opened.add(s);
        return s;
    }

    @Override
    public ChatStore store() {
        return store;
    }

    @Override
    public RecordingListener listener() {
        return listener;
    }

    @Override
    public ChatStore reopened(CommitListener l) {
        return track(reopen(l));
    }

    @Override
    public void recordMigrationFromANewerVersion() throws Exception {
        recordFutureMigration();
    }

    protected static <T> T await(CompletableFuture<T> future) {
        return StoreFixture.await(future);
    }
}
