package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.store.ChatStore;
import io.parley.server.store.ChatStoreContract;
import io.parley.server.store.CommitListener;
import io.parley.server.store.NewMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteChatStoreTest extends ChatStoreContract {

    @TempDir
    Path dir;

    private Path dbFile() {
        return dir.resolve("nested/dirs/parley.db");
    }

    @Override
    protected ChatStore create(CommitListener listener) {
        return JdbcChatStore.openSqlite(dbFile(), SqliteOptions.defaults(), listener);
    }

    @Override
    protected ChatStore reopen(CommitListener listener) {
        return JdbcChatStore.openSqlite(dbFile(), SqliteOptions.defaults(), listener);
    }

    @Override
    protected void recordFutureMigration() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
                Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success)"
                    + " VALUES (99, '99', 'from the future', 'SQL', 'V99__from_the_future.sql', 1, 'test', 0, 1)");
        }
    }

    @Test
    void openSqlite_createsParentDirectoriesAndUsesWal() throws Exception {
        assertThat(dbFile()).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void close_checkpointsTheWal_leavingOneSelfContainedFile() {
        users("a");
        assertThat(Path.of(dbFile() + "-wal")).exists();

        store().close();

        assertThat(Path.of(dbFile() + "-wal")).doesNotExist();
        assertThat(dbFile()).exists();
    }

    @Test
    void listener_isCalledOnlyFromTheWriterThread() {
        ConcurrentLinkedQueue<String> listenerThreads = new ConcurrentLinkedQueue<>();
        ChatStore own = track(JdbcChatStore.openSqlite(
                dir.resolve("other.db"),
                SqliteOptions.defaults(),
                e -> listenerThreads.add(Thread.currentThread().getName())));
        await(own.createUser("a", "alice", "h"));
        await(own.createGroup("g1", "a", "t", List.of(), T0));
        await(own.appendMessage(new NewMessage("g1", "a", "c", "b", "m", T0)));

        assertThat(listenerThreads).containsOnly(Writer.THREAD_NAME).hasSize(3);
    }

    @Test
    void openSqlite_withFsyncOff_storesAndReadsBack() {
        ChatStore relaxed = track(JdbcChatStore.openSqlite(
                dir.resolve("relaxed.db"), SqliteOptions.defaults().withFsync(false), CommitListener.NONE));
        await(relaxed.createUser("a", "alice", "h"));
        await(relaxed.createGroup("g1", "a", "t", List.of(), T0));
        var e = await(relaxed.appendMessage(new NewMessage("g1", "a", "c", "b", "m", T0)))
                .event();

        assertThat(await(relaxed.eventsAfter("g1", 0, 10))).last().isEqualTo(e);
        assertThat(Files.exists(dir.resolve("relaxed.db"))).isTrue();
    }
}
