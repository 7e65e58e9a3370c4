package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.search.SearchContract;
import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.store.ChatStore;
import io.parley.server.store.CommitListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search contract on SQLite (FTS5 over the Java tokens), and the plan of a two-character CJK query. */
class SqliteSearchTest extends SearchContract {
    @TempDir
    Path dir;

    @Override
    protected ChatStore open() {
        return JdbcChatStore.openSqlite(dir.resolve("parley.db"), SqliteOptions.defaults(), CommitListener.NONE);
    }

    @Override
    protected ChatStore reopen() {
        return open();
    }

    @Override
    protected SearchIndex index(ChatStore store) {
        return ((JdbcChatStore) store).searchIndex();
    }

    @Test
    void twoCharacterCjkQuery_usesTheFts5Index() {
        corpus();
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        List<String> plan = await(jdbc.readers().read(sql -> {
            JdbcSearchIndex.Statement st = jdbc.statement(sql, request("上海"));
            PreparedStatement ps = sql.ps("EXPLAIN QUERY PLAN " + st.sql());
            for (int i = 0; i < st.params().size(); i++) {
                ps.setObject(i + 1, st.params().get(i));
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString("detail"));
                }
            }
            return rows;
        }));
        // The match is answered by the FTS5 index (a VIRTUAL TABLE INDEX scan driven by MATCH), and the rows it
        // gives are joined by primary key; nothing scans the events or the documents.
        assertThat(plan)
                .as("plan %s", plan)
                .anyMatch(r -> r.startsWith("SCAN search_index.search_fts VIRTUAL TABLE INDEX"));
        assertThat(plan).as("plan %s", plan).noneMatch(r -> r.matches("SCAN (e|d|events|search_docs)\\b.*"));
    }

    @Test
    void anEdit_betweenTheIndexersReadAndItsWrite_staysQueued_andIsIndexedNext() {
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        String m = send("raced", "g1", "ann", "meet at the harbour");
        JdbcSearchIndex.SqliteBatch read = await(jdbc.readSqliteBacklog(100));
        assertThat(read.size()).isEqualTo(1);

        // The edit commits after the indexer read the old text (a new message, past the mark) and before it writes.
        await(store.editMessage("g1", "ann", m, "meet at the station", T0 + 1_500, 3_600_000));
        assertThat(await(jdbc.writeSqliteBatch(read))).isEqualTo(1);

        assertThat(await(index.backlog())).as("the edited message stays queued").isEqualTo(1);
        indexAll();
        assertThat(found("bob", "station")).containsExactly("raced");
        assertThat(found("bob", "harbour")).isEmpty();
    }

    @Test
    void aNewMessage_queuesNothingInItsTransaction_andIsFoundPastTheMark() throws Exception {
        send("fresh", "g1", "ann", "meet at the harbour");
        assertThat(storeCount("SELECT COUNT(*) FROM search_pending"))
                .as("the send wrote no backlog row")
                .isZero();
        assertThat(await(index.backlog())).as("the message past the mark").isEqualTo(1);
        indexAll();
        assertThat(await(index.backlog())).isZero();
        assertThat(indexFileLong("SELECT mark FROM search_mark")).isPositive();
        assertThat(found("bob", "harbour")).containsExactly("fresh");
    }

    @Test
    void theReadPastTheMark_isARowidRangeSearch_notAScanOfTheLog() {
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        List<String> plan = await(jdbc.readers().read(sql -> {
            PreparedStatement ps = sql.ps("EXPLAIN QUERY PLAN " + SearchSql.SQLITE_NEW);
            ps.setLong(1, 1);
            ps.setInt(2, 100);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString("detail"));
                }
            }
            return rows;
        }));
        assertThat(plan).as("plan %s", plan).containsExactly("SEARCH events USING INTEGER PRIMARY KEY (rowid>?)");
    }

    @Test
    void aRebuild_betweenABatchesReadAndItsWrite_isNotUndoneByIt() {
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        send("one", "g1", "ann", "meet at the harbour");
        indexAll();
        send("two", "g1", "ann", "meet at the station");
        JdbcSearchIndex.SqliteBatch read = await(jdbc.readSqliteBacklog(100));
        assertThat(read.fresh()).hasSize(1);

        // admin search-rebuild (another process, in production) sets the mark back to 0 meanwhile.
        assertThat(await(index.queueAll())).isEqualTo(2);
        assertThat(await(jdbc.writeSqliteBatch(read))).isEqualTo(1);

        assertThat(await(index.backlog()))
                .as("the rebuild still has every message to index")
                .isEqualTo(2);
        indexAll();
        assertThat(await(index.backlog())).isZero();
        assertThat(found("bob", "harbour")).containsExactly("one");
        assertThat(found("bob", "station")).containsExactly("two");
    }

    @Test
    void aMarkNamingAnotherMessage_makesTheFileAnew_andEveryMessageIsIndexedAgain() throws Exception {
        send("first", "g1", "ann", "the harbour at dawn");
        send("second", "g2", "ann", "上海的天气");
        indexAll();
        store.close();
        // As a VACUUM by hand may leave it: the rowid at the mark holds another message than the one indexed there.
        onIndexFile("UPDATE search_mark SET seq = seq + 1000");

        reopenStore();
        assertThat(await(index.backlog())).as("every message to index again").isEqualTo(2);
        assertThat(indexFileLong("SELECT COUNT(*) FROM search_docs")).isZero();
        indexAll();
        assertThat(found("bob", "harbour")).containsExactly("first");
        assertThat(found("cat", "上海")).containsExactly("second");
    }

    private void onIndexFile(String statement) throws Exception {
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchFile.of(dir.resolve("parley.db")));
                Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private void reopenStore() {
        store = track(reopen());
        index = index(store);
    }

    private long storeCount(String query) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("parley.db"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long indexFileLong(String query) throws Exception {
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchFile.of(dir.resolve("parley.db")));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aBatchLargerThanASliceOfTheBacklog_isIndexedAndTakenOffWhole() {
        int n = JdbcSearchIndex.SQLITE_SLICE * 2 + 5;
        for (int i = 0; i < n; i++) {
            send("bulk-" + i, "g2", "ann", "bulk message number " + i);
        }
        assertThat(await(index.indexQueued(1000))).isEqualTo(n);
        assertThat(await(index.backlog())).isZero();
        assertThat(found("cat", "bulk")).hasSize(100);
        assertThat(found("cat", "0")).containsExactly("bulk-0");
        assertThat(found("cat", String.valueOf(n - 1))).containsExactly("bulk-" + (n - 1));
    }

    @Test
    void aSend_commitsWhileTheIndexFileIsLockedForWriting_theIndexNeverHoldsTheStoresWriter() throws Exception {
        // The index's own file: a writer holding it (the indexer's transaction of a batch) cannot make a send wait.
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchFile.of(dir.resolve("parley.db")));
                Statement st = c.createStatement()) {
            st.execute("BEGIN IMMEDIATE");
            st.execute("DELETE FROM search_docs");
            send("locked", "g1", "ann", "sent while the index is being written");
            assertThat(await(index.backlog())).isEqualTo(1);
            st.execute("ROLLBACK");
        }
        indexAll();
        assertThat(found("bob", "written")).containsExactly("locked");
    }

    @Test
    void anIndexFileMissing_isMadeAnew_andEveryMessageIsIndexedAgain() throws Exception {
        send("kept-1", "g1", "ann", "the harbour at dawn");
        send("kept-2", "g2", "ann", "上海的天气");
        indexAll();
        store.close();
        Path file = SqliteSearchFile.of(dir.resolve("parley.db"));
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(Path.of(file + suffix));
        }

        reopenStore();
        assertThat(await(index.backlog())).as("every message to index again").isEqualTo(2);
        indexAll();
        assertThat(found("bob", "harbour")).containsExactly("kept-1");
        assertThat(found("cat", "上海")).containsExactly("kept-2");
    }

    @Test
    void aClosedStore_leavesTheIndexFileWithoutItsLog() throws Exception {
        send("closing", "g1", "ann", "the harbour at dawn");
        indexAll();
        store.close();
        Path file = SqliteSearchFile.of(dir.resolve("parley.db"));
        assertThat(file).exists();
        assertThat(Path.of(file + "-wal"))
                .as("the log, checkpointed and removed by the last (writing) connection")
                .doesNotExist();
    }

    @Test
    void anIndexFileLeftIncomplete_isMadeAnew_atTheNextStart() throws Exception {
        send("again", "g1", "ann", "the harbour at dawn");
        indexAll();
        store.close();
        // Not of this layout (0: never finished; the layout is made in one transaction since version 2).
        onIndexFile("PRAGMA user_version = 0");

        reopenStore();
        assertThat(await(index.backlog())).isEqualTo(1);
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + SqliteSearchFile.of(dir.resolve("parley.db")));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM search_docs")) {
            rs.next();
            assertThat(rs.getLong(1))
                    .as("the old documents are gone with the old file")
                    .isZero();
        }
        indexAll();
        assertThat(found("bob", "harbour")).containsExactly("again");
    }

    @Test
    void aMessageIndexedAgain_replacesItsEntry_andANewlyEmptyOneLeavesTheIndex() {
        String m = send("twice", "g1", "ann", "meet at the harbour");
        indexAll();
        await(index.queueAll());
        indexAll();
        assertThat(found("bob", "harbour")).containsExactly("twice");
        await(store.deleteMessage("g1", "ann", m, T0 + 90_000));
        indexAll();
        assertThat(found("bob", "harbour")).isEmpty();
    }

    private static SearchIndex.Request request(String q) {
        return new SearchIndex.Request(
                "ann",
                SearchQuery.parse(q),
                null,
                null,
                null,
                null,
                SearchIndex.Sort.RELEVANCE,
                SearchIndex.After.START,
                20);
    }
}
