package io.parley.bench;

import io.parley.server.search.SearchIndex;
import io.parley.server.search.SearchQuery;
import io.parley.server.store.CommitListener;
import io.parley.server.store.NewMessage;
import io.parley.server.store.jdbc.JdbcChatStore;
import io.parley.server.store.jdbc.PostgresOptions;
import io.parley.server.store.jdbc.SqliteOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The search scenario (issue 17): deterministic multilingual messages over many conversations, indexed through the
 * store's own backlog and indexer path, then 20 query shapes timed for a user who is a member of 50 conversations.
 *
 * <p>Usage: {@code java -cp parley-bench/target/parley-bench.jar io.parley.bench.SearchBench sqlite|postgresql://...
 * [messages] [conversations] [repetitions]} (defaults 1,000,000, 10,000, 200).
 */
public final class SearchBench {
    private static final String[] EN = ("the a report meeting deploy release budget review customer ticket refund "
                    + "invoice shipping delayed tomorrow today please thanks quarterly server database outage "
                    + "incident schedule office travel hotel flight password account order status update team")
            .split(" ");
    private static final String[] DE = "Straße München Grüße Bestellung Rechnung Lieferung Überweisung Kündigung "
            .concat("Größe Bücher schön über für")
            .split(" ");
    private static final String[] ZH = "上海 北京 会议 明天 报告 客户 订单 问题 人工智能 数据库 服务器 退款 发货 谢谢 海边".split(" ");
    private static final String[] JA = "東京タワー データ 会議 明日 報告書 お客様 注文 サーバー ありがとう 大阪 確認".split(" ");
    private static final String[] KO = "한국어 회의 내일 보고서 고객 주문 서버 감사합니다 서울 확인 데이터베이스".split(" ");

    private SearchBench() {}

    public static String body(Random r) {
        int kind = r.nextInt(6);
        int words = 3 + r.nextInt(r.nextInt(10) == 0 ? 60 : 18);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            String[] lang = switch (kind) {
                case 0, 1 -> EN;
                case 2 -> r.nextBoolean() ? DE : EN;
                case 3 -> ZH;
                case 4 -> r.nextBoolean() ? JA : KO;
                default -> r.nextInt(3) == 0 ? ZH : EN; // mixed
            };
            String w = lang[r.nextInt(lang.length)];
            boolean cjk = lang == ZH || lang == JA;
            sb.append(i == 0 || cjk ? "" : " ").append(w);
        }
        return sb.append(r.nextInt(4) == 0 ? "." : "").toString();
    }

    record Shape(String name, SearchIndex.Request request) {}

    public static void main(String[] args) throws Exception {
        String store = args.length > 0 ? args[0] : "sqlite";
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int conversations = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        Path dir = Files.createTempDirectory("parley-search-bench");
        JdbcChatStore s = store.equals("sqlite")
                ? JdbcChatStore.openSqlite(dir.resolve("parley.db"), SqliteOptions.defaults(), CommitListener.NONE)
                : JdbcChatStore.openPostgres(PostgresOptions.fromUrl(store, 5, 512), CommitListener.NONE);
        try {
            run(s, store, dir, messages, conversations, reps);
        } finally {
            s.close();
            // The SQLite database (and its WAL) is the bench's own; a PostgreSQL schema is the caller's to drop.
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    private static void run(JdbcChatStore s, String store, Path dir, int messages, int conversations, int reps)
            throws Exception {
        System.out.printf(
                "search bench: %s, %,d messages over %,d conversations, %d repetitions per shape%n",
                store, messages, conversations, reps);
        int users = 200;
        for (int u = 0; u < users; u++) {
            s.createUser("u" + u, "user" + u, "h").get(30, TimeUnit.SECONDS);
        }
        s.createUser("me", "me", "h").get(30, TimeUnit.SECONDS);
        List<CompletableFuture<?>> made = new ArrayList<>();
        for (int c = 0; c < conversations; c++) {
            List<String> members = new ArrayList<>(List.of("u" + ((c + 1) % users), "u" + ((c + 2) % users)));
            if (c % (conversations / 50) == 0 && made.size() < conversations) {
                members.add("me");
            }
            made.add(s.createGroup("c" + c, "u" + (c % users), "conv " + c, members, 1_700_000_000_000L));
        }
        CompletableFuture.allOf(made.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        Random r = new Random(17);
        Semaphore inflight = new Semaphore(2_000);
        long t0 = System.nanoTime();
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            int c = r.nextInt(conversations);
            String sender = "u" + ((c + 1 + r.nextInt(2)) % users);
            inflight.acquire();
            CompletableFuture<?> f = s.appendMessage(
                    new NewMessage("c" + c, sender, "k" + i, body(r), "m" + i, 1_700_000_000_000L + i * 1_000L));
            f.whenComplete((v, e) -> inflight.release());
            if (i % 10_000 == 0) {
                sent.removeIf(CompletableFuture::isDone);
            }
            sent.add(f);
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        long before = size(store, dir, false);
        SearchIndex index = s.searchIndex();
        long t1 = System.nanoTime();
        long indexed = 0;
        int n;
        do {
            n = index.indexQueued(500).get(10, TimeUnit.MINUTES);
            indexed += n;
        } while (n > 0);
        double indexSeconds = (System.nanoTime() - t1) / 1e9;
        long after = size(store, dir, true);
        System.out.printf(
                "loaded in %.1f s (%,.0f msg/s); indexed %,d in %.1f s (%,.0f msg/s)%n",
                loadSeconds, messages / loadSeconds, indexed, indexSeconds, indexed / indexSeconds);
        System.out.printf(
                "index size: %,d bytes, %.0f bytes per message%n",
                after - before, (after - before) / (double) messages);
        long mid = 1_700_000_000_000L + messages * 500L;
        List<Shape> shapes = List.of(
                shape("common word", "the"),
                shape("rare word", "refund invoice"),
                shape("prefix", "rep"),
                shape("two words", "customer order"),
                shape("phrase", "\"quarterly report\""),
                shape("german folded", "strasse"),
                shape("german accented", "München grüße"),
                shape("zh 2 chars", "上海"),
                shape("zh 4 chars", "人工智能"),
                shape("cjk 1 char", "海"),
                shape("ja katakana+kanji", "東京タワー"),
                shape("ja katakana", "データ"),
                shape("ko", "한국어"),
                shape("mixed", "report 上海"),
                shape("no hit", "zzyzx"),
                new Shape("newest, common", req("the", null, null, null, SearchIndex.Sort.NEWEST, 0)),
                new Shape("one conversation", req("the", "c0", null, null, SearchIndex.Sort.RELEVANCE, 0)),
                new Shape("sender", req("report", null, "u1", null, SearchIndex.Sort.RELEVANCE, 0)),
                new Shape("date range", req("report", null, null, mid, SearchIndex.Sort.RELEVANCE, 0)),
                new Shape("page 3, common", req("the", null, null, null, SearchIndex.Sort.RELEVANCE, 40)));
        System.out.println("| query shape | hits (first page) | p50 ms | p99 ms |");
        System.out.println("|---|---|---|---|");
        for (Shape sh : shapes) {
            Histogram h = new Histogram(3);
            int hits = 0;
            for (int i = 0; i < reps + 20; i++) {
                long q0 = System.nanoTime();
                hits = index.search(sh.request()).get(60, TimeUnit.SECONDS).size();
                if (i >= 20) {
                    h.recordValue(Math.max(1, (System.nanoTime() - q0) / 1_000));
                }
            }
            System.out.printf(
                    "| %s | %d | %.2f | %.2f |%n",
                    sh.name(), hits, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0);
        }
    }

    private static Shape shape(String name, String q) {
        return new Shape(name, req(q, null, null, null, SearchIndex.Sort.RELEVANCE, 0));
    }

    private static SearchIndex.Request req(
            String q, String conversation, String sender, Long after, SearchIndex.Sort sort, int offset) {
        return new SearchIndex.Request(
                "me",
                SearchQuery.parse(q),
                conversation,
                sender,
                after,
                null,
                sort,
                new SearchIndex.After(offset, Long.MAX_VALUE, null, Long.MAX_VALUE),
                20);
    }

    /** Bytes of the search tables (PostgreSQL) or of the database file after a checkpoint (SQLite). */
    private static long size(String store, Path dir, boolean indexed) throws Exception {
        if (store.equals("sqlite")) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("parley.db"));
                    ResultSet rs = c.createStatement().executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                rs.next();
            }
            // The store's file and the search index's own (parley.db-search), each checkpointed.
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("parley.db-search"));
                    ResultSet rs = c.createStatement().executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                rs.next();
            }
            return Files.size(dir.resolve("parley.db")) + Files.size(dir.resolve("parley.db-search"));
        }
        String url = PostgresOptions.fromUrl(store, 1, 1).jdbcUrl();
        PostgresOptions o = PostgresOptions.fromUrl(store, 1, 1);
        try (Connection c = DriverManager.getConnection(url, o.user(), o.password())) {
            if (o.schema() != null) {
                c.createStatement().execute("SET search_path = " + o.schema());
            }
            try (ResultSet rs = c.createStatement()
                    .executeQuery(
                            "SELECT pg_total_relation_size('search_docs') + pg_total_relation_size('search_pending')")) {
                rs.next();
                return indexed ? rs.getLong(1) : 0;
            }
        }
    }
}
