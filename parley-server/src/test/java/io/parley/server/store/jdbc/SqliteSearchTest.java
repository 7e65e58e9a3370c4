package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.search.SearchContract;
import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.store.ChatStore;
import io.parley.server.store.CommitListener;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
        assertThat(plan).as("plan %s", plan).anyMatch(r -> r.startsWith("SCAN search_fts VIRTUAL TABLE INDEX"));
        assertThat(plan).as("plan %s", plan).noneMatch(r -> r.matches("SCAN (e|d|events|search_docs)\\b.*"));
    }

    @Test
    void anEdit_betweenTheIndexersReadAndItsWrite_staysQueued_andIsIndexedNext() {
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        String m = send("raced", "g1", "ann", "meet at the harbour");
        List<JdbcSearchIndex.Indexed> read = await(jdbc.readSqliteBacklog(100));
        assertThat(read).hasSize(1);

        // The edit commits after the indexer read the old text and before it writes: its backlog row was still
        // there, so the edit queued nothing of its own.
        await(store.editMessage("g1", "ann", m, "meet at the station", T0 + 1_500, 3_600_000));
        assertThat(await(jdbc.writeSqliteBatch(read))).isEqualTo(1);

        assertThat(await(index.backlog())).as("the edited message stays queued").isEqualTo(1);
        indexAll();
        assertThat(found("bob", "station")).containsExactly("raced");
        assertThat(found("bob", "harbour")).isEmpty();
    }

    @Test
    void aBatchLargerThanASlice_isWrittenWhole() {
        for (int i = 0; i < JdbcSearchIndex.SQLITE_SLICE * 2 + 5; i++) {
            send("bulk-" + i, "g2", "ann", "bulk message number " + i);
        }
        assertThat(await(index.indexQueued(1000))).isEqualTo(JdbcSearchIndex.SQLITE_SLICE * 2 + 5);
        assertThat(await(index.backlog())).isZero();
        assertThat(found("cat", "bulk")).hasSize(JdbcSearchIndex.SQLITE_SLICE * 2 + 5);
    }

    @Test
    void aFullBatch_isWrittenInTheLargerSlices_wholeAndOnlyItself() {
        int queued = JdbcSearchIndex.SQLITE_SLICE_BEHIND * 2 + 5;
        for (int i = 0; i < queued; i++) {
            send("behind-" + i, "g2", "ann", "behind message number " + i);
        }
        int max = JdbcSearchIndex.SQLITE_SLICE_BEHIND + 10;
        assertThat(await(index.indexQueued(max))).isEqualTo(max);
        assertThat(await(index.backlog())).isEqualTo(queued - max);
        // The backlog is taken in its order (conversation, seq): the first max messages, the last one included.
        assertThat(found("cat", String.valueOf(max - 1))).containsExactly("behind-" + (max - 1));
        assertThat(found("cat", String.valueOf(max))).isEmpty();
        indexAll();
        assertThat(found("cat", String.valueOf(queued - 1))).containsExactly("behind-" + (queued - 1));
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
