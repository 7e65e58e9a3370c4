package io.parley.server.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.protocol.ErrorCode;
import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.NewMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The search contract ({@link SearchIndex}), run on SQLite and on PostgreSQL by one subclass each: a fixture corpus
 * whose expected hits are known (Chinese, Japanese, Korean, accents, prefixes, phrases, mixed text), scope (members
 * only, removed members, deleted and edited messages), filters, both orders and their pages, the backlog across a
 * reopen, the rebuild, and FTS syntax searched literally.
 */
public abstract class SearchContract {
    protected static final long T0 = 1_700_000_000_000L;

    /** A new, empty store. */
    protected abstract ChatStore open();

    /** The same database, after {@link #store} was closed. */
    protected abstract ChatStore reopen();

    protected abstract SearchIndex index(ChatStore store);

    protected void cleanup() {}

    protected ChatStore store;
    protected SearchIndex index;
    private final List<ChatStore> opened = new ArrayList<>();
    private final Map<String, String> ids = new java.util.HashMap<>();
    private long clock = T0;

    @BeforeEach
    void setUp() {
        store = track(open());
        index = index(store);
        for (String u : List.of("ann", "bob", "cat", "dan")) {
            await(store.createUser(u, "name-" + u, "h"));
        }
        await(store.createGroup("g1", "ann", "one", List.of("bob"), T0));
        await(store.createGroup("g2", "ann", "two", List.of("cat"), T0));
    }

    @AfterEach
    void tearDown() {
        for (ChatStore s : opened) {
            s.close();
        }
        cleanup();
    }

    protected ChatStore track(ChatStore s) {
        opened.add(s);
        return s;
    }

    protected static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call failed", e);
        }
    }

    /** Sends {@code body} as {@code sender} to {@code conversation}; the key names the message in assertions. */
    protected String send(String key, String conversation, String sender, String body) {
        clock += 1_000;
        Appended a =
                await(store.appendMessage(new NewMessage(conversation, sender, "c-" + key, body, "m-" + key, clock)));
        ids.put(a.event().messageId(), key);
        return a.event().messageId();
    }

    /** Indexes the whole backlog, as the indexer would. */
    protected void indexAll() {
        while (await(index.indexQueued(100)) > 0) {
            // the next batch
        }
        assertThat(await(index.backlog())).isZero();
    }

    protected List<SearchIndex.Hit> hits(String user, String q) {
        return hits(user, q, null, null, null, null, SearchIndex.Sort.RELEVANCE);
    }

    protected List<SearchIndex.Hit> hits(
            String user, String q, String conversation, String sender, Long after, Long before, SearchIndex.Sort sort) {
        return await(index.search(new SearchIndex.Request(
                user, SearchQuery.parse(q), conversation, sender, after, before, sort, SearchIndex.After.START, 100)));
    }

    /** The keys of the messages {@code user} finds with {@code q}, in the order found. */
    protected List<String> found(String user, String q) {
        return keys(hits(user, q));
    }

    protected List<String> keys(List<SearchIndex.Hit> hits) {
        List<String> out = new ArrayList<>();
        for (SearchIndex.Hit h : hits) {
            out.add(ids.get(h.messageId()));
        }
        return out;
    }

    /** The fixture corpus: expected hits are known for each query below. */
    protected void corpus() {
        send("zh", "g1", "ann", "我们明天去上海开会，然后回北京。");
        send("zh-reversed", "g1", "bob", "海上的风很大。");
        send("ja", "g1", "ann", "週末に東京タワーへ行きました。");
        send("ko", "g1", "bob", "저는 한국어를 공부하고 있어요.");
        send("fr", "g1", "ann", "On se retrouve au Café de Flore?");
        send("de", "g1", "bob", "Die Straße ist gesperrt, Grüße aus München");
        send("en", "g1", "ann", "The quarterly report is ready for review");
        send("en-order", "g1", "bob", "brown quick foxes and a report");
        send("phrase", "g1", "ann", "the quick brown fox jumps");
        send("mixed", "g1", "bob", "report 上海 office numbers");
        send("ops", "g1", "ann", "use OR and NEAR carefully (not * or quotes)");
        indexAll();
    }

    @Test
    void chinese_twoCharacterWord_isFoundInASentence_andOnlyInThatOrder() {
        corpus();
        assertThat(found("ann", "上海")).containsExactlyInAnyOrder("zh", "mixed");
        assertThat(found("ann", "海上")).containsExactly("zh-reversed");
        assertThat(found("ann", "北京")).containsExactly("zh");
        assertThat(found("ann", "海")).containsExactlyInAnyOrder("zh", "zh-reversed", "mixed");
    }

    @Test
    void japanese_katakanaAndKanji_areFoundTogetherAndApart() {
        corpus();
        assertThat(found("ann", "東京タワー")).containsExactly("ja");
        assertThat(found("ann", "タワー")).containsExactly("ja");
        assertThat(found("ann", "東京")).containsExactly("ja");
        assertThat(found("ann", "京都")).isEmpty();
    }

    @Test
    void korean_wordIsFoundWithItsParticleAttached() {
        corpus();
        assertThat(found("ann", "한국어")).containsExactly("ko");
        assertThat(found("ann", "공부")).containsExactly("ko");
        assertThat(found("ann", "일본어")).isEmpty();
    }

    @Test
    void accentsAndCase_doNotMatter() {
        corpus();
        assertThat(found("ann", "cafe")).containsExactly("fr");
        assertThat(found("ann", "CAFÉ")).containsExactly("fr");
        assertThat(found("ann", "strasse")).containsExactly("de");
        assertThat(found("ann", "grusse munchen")).containsExactly("de");
    }

    @Test
    void aWord_isAPrefix_butAQuotedWordIsExact() {
        corpus();
        assertThat(found("ann", "quart")).containsExactly("en");
        assertThat(found("ann", "rep")).containsExactlyInAnyOrder("en", "en-order", "mixed");
        assertThat(found("ann", "\"quart\"")).isEmpty();
        assertThat(found("ann", "\"quarterly\"")).containsExactly("en");
    }

    @Test
    void aPhrase_needsItsWordsInOrder() {
        corpus();
        assertThat(found("ann", "\"quick brown\"")).containsExactly("phrase");
        assertThat(found("ann", "quick brown")).containsExactlyInAnyOrder("phrase", "en-order");
        assertThat(found("ann", "\"brown quick\"")).containsExactly("en-order");
    }

    @Test
    void mixedScripts_needEveryTerm() {
        corpus();
        assertThat(found("ann", "report 上海")).containsExactly("mixed");
        assertThat(found("ann", "上海 office")).containsExactly("mixed");
    }

    @Test
    void ftsSyntax_isSearchedAsText_neverAsOperators() {
        corpus();
        // OR and NEAR are words here, not operators: only the message that has both words.
        assertThat(found("ann", "OR NEAR")).containsExactly("ops");
        assertThat(found("ann", "report OR nothingmatches")).isEmpty();
        for (String attack : List.of(
                "\"report",
                "report\"",
                "\"\"report\"\"",
                "report*",
                "*report",
                "NEAR(report quick)",
                "report NEAR/2 quick",
                "(report",
                "report)",
                "words:report",
                "conv : report",
                "{words chars}: report",
                "report AND NOT quick",
                "-quick report",
                "^report",
                "report'; DROP TABLE events; --",
                "report\u0000\u0007\u001b",
                "report:*",
                "'report' & !'x'",
                "report <-> quick",
                "\\report\\")) {
            // Searched as text: no store error, and only messages of the corpus.
            assertThat(found("ann", attack)).as("query %s", attack).doesNotContainNull();
        }
        assertThat(found("ann", "\"report ready\"")).isEmpty();
        assertThat(found("ann", "report)")).containsExactlyInAnyOrder("en", "en-order", "mixed");
        assertThat(found("ann", "words:report")).isEmpty();
        assertThat(found("ann", "(quick brown*")).containsExactlyInAnyOrder("phrase", "en-order");
        assertThat(found("ann", "'report' & !'review'")).containsExactly("en");
    }

    @Test
    void badQueries_getTheirCodes() {
        assertThatThrownBy(() -> SearchQuery.parse(""))
                .isInstanceOfSatisfying(
                        SearchQuery.Invalid.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_EMPTY));
        for (String q : List.of(" ", "()", "* * *", "\"", "\"\"", "\u0000\u0001", "-:^")) {
            assertThatThrownBy(() -> SearchQuery.parse(q))
                    .as(q)
                    .isInstanceOfSatisfying(
                            SearchQuery.Invalid.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_EMPTY));
        }
        assertThatThrownBy(() -> SearchQuery.parse("a".repeat(10_000)))
                .isInstanceOfSatisfying(
                        SearchQuery.Invalid.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TOO_LONG));
        assertThatThrownBy(() -> SearchQuery.parse("a b c d e f g h i j k l m n o p q"))
                .isInstanceOfSatisfying(
                        SearchQuery.Invalid.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUERY_TOO_LONG));
    }

    @Test
    void oneCharacter_isSearchedAsThatWord() {
        send("a", "g1", "ann", "a b c");
        send("apple", "g1", "ann", "apple pie");
        send("x", "g1", "ann", "x 猫 y");
        indexAll();
        assertThat(found("ann", "a")).containsExactly("a");
        assertThat(found("ann", "猫")).containsExactly("x");
    }

    @Test
    void aNonMember_findsNothing() {
        corpus();
        send("secret", "g2", "cat", "上海 secret plans");
        indexAll();
        assertThat(found("bob", "secret")).isEmpty();
        assertThat(found("dan", "上海")).isEmpty();
        assertThat(found("cat", "上海")).containsExactly("secret");
        assertThat(found("ann", "上海")).containsExactlyInAnyOrder("zh", "mixed", "secret");
    }

    @Test
    void aRemovedMember_findsNothingOfThatConversation() {
        send("before", "g1", "ann", "budget numbers for march");
        indexAll();
        assertThat(found("bob", "budget")).containsExactly("before");
        await(store.removeMember("g1", "ann", "bob", T0 + 5));
        send("after", "g1", "ann", "budget numbers for april");
        indexAll();
        assertThat(found("bob", "budget")).isEmpty();
        assertThat(found("ann", "budget")).containsExactlyInAnyOrder("before", "after");
    }

    @Test
    void aDeletedMessage_isGoneAtOnce_beforeTheIndexerRuns() {
        String m = send("doomed", "g1", "ann", "delete this launch code");
        send("kept", "g1", "ann", "keep this launch plan");
        indexAll();
        assertThat(found("bob", "launch")).containsExactlyInAnyOrder("doomed", "kept");
        await(store.deleteMessage("g1", "ann", m, T0 + 100_000));
        assertThat(found("bob", "launch")).containsExactly("kept");
        indexAll();
        assertThat(found("bob", "launch")).containsExactly("kept");
        assertThat(found("bob", "code")).isEmpty();
    }

    @Test
    void indexing_tellsWhenEachMessageItTookLastChanged() {
        send("plain", "g1", "ann", "first plain words");
        String edited = send("edited", "g1", "ann", "words to edit");
        String deleted = send("deleted", "g2", "ann", "words to delete");
        await(store.editMessage("g1", "ann", edited, "edited words", T0 + 50_000, 3_600_000));
        await(store.deleteMessage("g2", "ann", deleted, T0 + 60_000));
        List<Long> changedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        int taken = await(index.indexQueued(100, changedAt::add));

        assertThat(taken).isEqualTo(3);
        assertThat(changedAt)
                .as("creation of the plain one, the edit, the deletion")
                .containsExactlyInAnyOrder(T0 + 1_000, T0 + 50_000, T0 + 60_000);
        assertThat(await(index.backlog())).isZero();
        assertThat(found("bob", "edited")).containsExactly("edited");
    }

    @Test
    void anEditedMessage_isFoundByItsNewWordsOnly() {
        String m = send("edited", "g1", "ann", "meet at the harbour");
        indexAll();
        await(store.editMessage("g1", "ann", m, "meet at the station", clock + 1, 3_600_000));
        // At once: the old words find nothing, before the indexer has seen the edit.
        assertThat(found("bob", "harbour")).isEmpty();
        indexAll();
        assertThat(found("bob", "harbour")).isEmpty();
        assertThat(found("bob", "station")).containsExactly("edited");
        assertThat(hits("bob", "station").get(0).body()).isEqualTo("meet at the station");
        assertThat(hits("bob", "station").get(0).editedAt()).isNotNull();
    }

    @Test
    void filters_conversationSenderAndTime() {
        send("a1", "g1", "ann", "alpha one");
        send("b1", "g1", "bob", "alpha two");
        send("a2", "g2", "ann", "alpha three");
        long middle = clock;
        send("c1", "g2", "cat", "alpha four");
        indexAll();
        SearchIndex.Sort newest = SearchIndex.Sort.NEWEST;
        assertThat(keys(hits("ann", "alpha", "g1", null, null, null, newest))).containsExactly("b1", "a1");
        assertThat(keys(hits("ann", "alpha", null, "ann", null, null, newest))).containsExactly("a2", "a1");
        assertThat(keys(hits("ann", "alpha", null, null, middle, null, newest))).containsExactly("c1", "a2");
        assertThat(keys(hits("ann", "alpha", null, null, null, middle, newest))).containsExactly("b1", "a1");
        assertThat(keys(hits("ann", "alpha", "g2", "cat", null, null, newest))).containsExactly("c1");
        assertThat(keys(hits("bob", "alpha", "g2", null, null, null, newest))).isEmpty();
    }

    @Test
    void relevance_ranksBetterMatchesFirst_andNewerFirstAmongEquals() {
        send("old", "g1", "ann", "deploy window tonight");
        send("strong", "g1", "ann", "deploy deploy deploy");
        send("new", "g1", "ann", "deploy window tonight");
        indexAll();
        List<SearchIndex.Hit> hits = hits("ann", "deploy");
        assertThat(keys(hits)).containsExactly("strong", "new", "old");
        assertThat(hits.get(0).score()).isGreaterThan(hits.get(1).score());
        assertThat(hits.get(1).score()).isEqualTo(hits.get(2).score());
    }

    @Test
    void pages_inBothOrders_coverEveryHitOnce() {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            all.add(send("p" + i, i % 2 == 0 ? "g1" : "g2", "ann", "page item " + i));
        }
        indexAll();
        for (SearchIndex.Sort sort : SearchIndex.Sort.values()) {
            List<String> seen = new ArrayList<>();
            SearchIndex.After after = SearchIndex.After.START;
            for (int page = 0; page < 10; page++) {
                List<SearchIndex.Hit> hits = await(index.search(new SearchIndex.Request(
                        "ann", SearchQuery.parse("item"), null, null, null, null, sort, after, 5)));
                if (hits.isEmpty()) {
                    break;
                }
                hits.forEach(h -> seen.add(h.messageId()));
                SearchIndex.Hit last = hits.get(hits.size() - 1);
                after = new SearchIndex.After(
                        after.offset() + hits.size(), last.createdAt(), last.conversationId(), last.seq());
            }
            assertThat(seen).as("%s", sort).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
            if (sort == SearchIndex.Sort.NEWEST) {
                List<String> newestFirst = new ArrayList<>(all);
                java.util.Collections.reverse(newestFirst);
                assertThat(seen).containsExactlyElementsOf(newestFirst);
            }
        }
    }

    @Test
    void theBacklog_survivesAReopen_andIsIndexedThen() {
        send("queued", "g1", "ann", "nothing indexed yet");
        assertThat(await(index.backlog())).isEqualTo(1);
        store.close();
        store = track(reopen());
        index = index(store);
        assertThat(await(index.backlog())).isEqualTo(1);
        assertThat(found("ann", "indexed")).isEmpty();
        indexAll();
        assertThat(found("ann", "indexed")).containsExactly("queued");
    }

    @Test
    void aRebuild_queuesEveryMessage_andLeavesTheSameResults() {
        corpus();
        List<String> before = found("ann", "上海");
        String m = send("gone", "g1", "ann", "上海 tomorrow");
        await(store.deleteMessage("g1", "ann", m, clock + 1));
        assertThat(await(index.queueAll())).isGreaterThanOrEqualTo(11);
        // While the rebuild runs, the old index still answers.
        assertThat(found("ann", "上海")).containsExactlyInAnyOrderElementsOf(before);
        indexAll();
        assertThat(found("ann", "上海")).containsExactlyInAnyOrderElementsOf(before);
    }
}
