package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.search.SearchContract;
import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.store.ChatStore;
import io.parley.server.store.CommitListener;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The search contract on the machine's PostgreSQL (tsvector over the Java tokens, GIN), the plan of a
 * two-character CJK query, and two nodes sharing the backlog.
 */
class PostgresSearchTest extends SearchContract {
    private final String schema = PostgresSupport.newSchema();

    @BeforeAll
    static void postgres() {
        PostgresSupport.requirePostgres();
    }

    @Override
    protected ChatStore open() {
        return JdbcChatStore.openPostgres(
                PostgresOptions.fromUrl(PostgresSupport.url(schema), 3, 512), CommitListener.NONE);
    }

    @Override
    protected ChatStore reopen() {
        return open();
    }

    @Override
    protected SearchIndex index(ChatStore store) {
        return ((JdbcChatStore) store).searchIndex();
    }

    @Override
    protected void cleanup() {
        PostgresSupport.dropSchema(schema);
    }

    @Test
    void twoCharacterCjkQuery_usesTheGinIndex() {
        corpus();
        JdbcSearchIndex jdbc = (JdbcSearchIndex) index;
        // A conversation of 20,000 other messages, written straight into the tables (as the indexer would have
        // left them) and analyzed, so the planner weighs the GIN index against reading the member's conversations.
        PostgresSupport.execute("INSERT INTO " + schema + ".events (conversation_id, seq, kind, created_at, actor_id, "
                + "message_id, body) SELECT 'g1', 1000 + n, 'message', " + T0 + " + n, 'bob', 'filler-' || n, "
                + "'filler text number ' || n FROM generate_series(1, 20000) AS n");
        PostgresSupport.execute("INSERT INTO " + schema + ".search_docs (conversation_id, seq, version, words, chars) "
                + "SELECT 'g1', 1000 + n, 0, ('filler:1 text:2 number:3 ' || n || ':4')::tsvector, ''::tsvector "
                + "FROM generate_series(1, 20000) AS n");
        PostgresSupport.execute("DELETE FROM " + schema + ".search_pending");
        PostgresSupport.execute("ANALYZE " + schema + ".events");
        PostgresSupport.execute("VACUUM ANALYZE " + schema + ".search_docs");
        assertThat(found("ann", "上海")).containsExactlyInAnyOrder("zh", "mixed");
        List<String> plan = await(jdbc.readers().read(sql -> {
            JdbcSearchIndex.Statement st = jdbc.statement(sql, request("上海"));
            PreparedStatement ps = sql.ps("EXPLAIN " + st.sql());
            for (int i = 0; i < st.params().size(); i++) {
                ps.setObject(i + 1, st.params().get(i));
            }
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        }));
        // The term and the membership are both conditions of the one index scan: the term's postings are read only
        // for the searcher's conversations, not taken for all of them and filtered afterwards.
        assertThat(plan).as("plan %s", plan).anyMatch(r -> r.contains("Index Scan on search_docs_conv_words"));
        assertThat(plan)
                .as("plan %s", plan)
                .anyMatch(r ->
                        r.contains("Index Cond:") && r.contains("ARRAY[conversation_id] &&") && r.contains("words @@"));
        assertThat(plan).as("plan %s", plan).noneMatch(r -> r.contains("Seq Scan on search_docs"));
    }

    @Test
    void readingTheBacklog_probesTheLogPerQueuedMessage_notTheHistoryBeforeIt() throws Exception {
        // 20,000 messages of which the first 19,000 are indexed already (their backlog rows gone), tables not
        // analyzed (a database without autovacuum, or before its first run).
        PostgresSupport.execute("INSERT INTO " + schema + ".events (conversation_id, seq, kind, created_at, actor_id, "
                + "message_id, body) SELECT 'g1', 1000 + n, 'message', " + T0 + " + n, 'bob', 'filler-' || n, "
                + "'filler text number ' || n FROM generate_series(1, 20000) AS n");
        PostgresSupport.execute("DELETE FROM " + schema + ".search_pending WHERE seq <= 20000");
        List<String> plan = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                        PostgresSupport.ADMIN_JDBC + "?currentSchema=" + schema, PostgresSupport.USER, "");
                PreparedStatement ps = c.prepareStatement("EXPLAIN ANALYZE " + SearchSql.POSTGRES_PENDING)) {
            c.setAutoCommit(false);
            // At 1,000,000 messages without statistics the planner joined the backlog to the log by a merge join
            // that walked the log's index from its start on every batch; forced here at 20,000 (no nested loop
            // where there is a choice), the statement must leave it no other plan than a probe per queued row.
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET LOCAL enable_nestloop = off");
            }
            ps.setInt(1, 256);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.add(rs.getString(1));
                }
            }
            c.rollback();
        }
        assertThat(plan)
                .as("plan %s", plan)
                .anyMatch(r -> r.contains("Index Scan using events_pkey") && r.contains("rows=1 loops=256"));
        assertThat(plan)
                .as("plan %s", plan)
                .noneMatch(r -> r.contains("Merge") || r.contains("Hash") || r.contains("Seq Scan on events"));
    }

    @Test
    void twoNodes_shareTheBacklog_andIndexEachMessageOnce() {
        ChatStore other = track(open());
        SearchIndex otherIndex = index(other);
        for (int i = 0; i < 300; i++) {
            send("n" + i, i % 2 == 0 ? "g1" : "g2", "ann", "shared backlog item " + i);
        }
        List<java.util.concurrent.CompletableFuture<Integer>> runs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            runs.add(index.indexQueued(40));
            runs.add(otherIndex.indexQueued(40));
        }
        int taken = 0;
        for (var f : runs) {
            taken += await(f);
        }
        indexAll();
        assertThat(taken).isLessThanOrEqualTo(300);
        assertThat(hits("ann", "backlog")).hasSize(100);
        assertThat(await(index.search(new SearchIndex.Request(
                        "ann",
                        SearchQuery.parse("backlog"),
                        null,
                        null,
                        null,
                        null,
                        SearchIndex.Sort.NEWEST,
                        SearchIndex.After.START,
                        1000))))
                .hasSize(300);
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
