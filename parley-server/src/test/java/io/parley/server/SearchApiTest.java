package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * REST search on a whole node (SQLite), its indexer on manual time: hits with snippets and highlights, scope,
 * pages, bad input with its documented codes (each answer validated against the OpenAPI document by Rest), and the
 * history API's "around" that opens a hit in its context.
 */
class SearchApiTest {
    @TempDir
    static Path dir;

    static final ManualScheduler time = new ManualScheduler();
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer(dir).on(time).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    static Rest as(String user) {
        Rest r = new Rest(server.httpUrl(), TestServer.token(user));
        r.get("/api/v1/me");
        return r;
    }

    private static long send(Rest r, String conversation, String body) {
        Rest.Response sent = r.post(
                "/api/v1/conversations/" + conversation + "/messages",
                new JsonObject().put("clientMsgId", "c" + System.nanoTime()).put("body", body));
        assertThat(sent.status()).as("send %s", sent).isEqualTo(201);
        return sent.json().getLong("seq");
    }

    /** One indexer run: the interval passes on the node's manual clock. */
    private static void indexerRuns() {
        time.advance(Duration.ofMillis(200));
    }

    private static Rest.Response search(Rest r, String query) {
        return r.get("/api/v1/search?" + query);
    }

    private static String q(String text) {
        return "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void search_findsAMember_sMessages_withSnippetAndHighlights_afterTheIndexerRan() {
        Rest ann = as("s-ann");
        Rest bob = as("s-bob");
        Rest eve = as("s-eve");
        String g = ann.group("Trip", "s-bob");
        long seq = send(ann, g, "我们明天去上海开会 and then the Café");
        assertThat(search(bob, q("上海")).json().getJsonArray("results")).isEmpty();
        indexerRuns();
        Rest.Response found = search(bob, q("上海 cafe"));
        assertThat(found.status()).isEqualTo(200);
        JsonArray results = found.json().getJsonArray("results");
        assertThat(results).hasSize(1);
        JsonObject hit = results.getJsonObject(0);
        assertThat(hit.getString("conversationId")).isEqualTo(g);
        assertThat(hit.getLong("seq")).isEqualTo(seq);
        assertThat(hit.getString("senderId")).isEqualTo("s-ann");
        String snippet = hit.getString("snippet");
        List<String> marked = new ArrayList<>();
        for (Object o : hit.getJsonArray("highlights")) {
            JsonArray range = (JsonArray) o;
            marked.add(snippet.substring(range.getInteger(0), range.getInteger(1)));
        }
        assertThat(marked).containsExactly("上海", "Café");
        assertThat(search(eve, q("上海")).json().getJsonArray("results")).isEmpty();
        assertThat(search(eve, q("上海") + "&conversation=" + g).errorCode()).isEqualTo("conversation_not_found");

        // Opening the hit: the history around its seq.
        for (int i = 0; i < 6; i++) {
            send(bob, g, "after " + i);
        }
        JsonObject around = bob.get("/api/v1/conversations/" + g + "/messages?around=" + seq + "&limit=4")
                .json();
        List<Long> seqs = new ArrayList<>();
        around.getJsonArray("messages").forEach(m -> seqs.add(((JsonObject) m).getLong("seq")));
        assertThat(seqs).containsExactly(seq, seq + 1);
        assertThat(around.getBoolean("hasMoreBefore")).isFalse();
        assertThat(around.getBoolean("hasMoreAfter")).isTrue();
        assertThat(bob.get("/api/v1/conversations/" + g + "/messages?around=" + seq + "&before=3")
                        .errorCode())
                .isEqualTo("bad_request");
    }

    @Test
    void javaSdk_searchesAndOpensTheHitAround() throws Exception {
        Rest ann = as("sdk-ann");
        String g = ann.group("Sdk");
        long seq = send(ann, g, "the invoice for München is attached");
        send(ann, g, "next message");
        indexerRuns();
        io.parley.client.ParleyRest sdk = io.parley.client.ParleyRest.create(
                java.net.URI.create(server.httpUrl()), () -> TestServer.token("sdk-ann"));
        io.parley.client.Rest.SearchPage page = sdk.search(io.parley.client.Rest.Search.of("munchen invoice"))
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(page.results()).hasSize(1);
        io.parley.client.Rest.SearchResult hit = page.results().get(0);
        assertThat(hit.seq()).isEqualTo(seq);
        assertThat(hit.highlights()).hasSize(2);
        assertThat(page.nextCursor()).isNull();
        io.parley.client.Rest.AroundPage around =
                sdk.around(g, hit.seq(), 10).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(around.messages()).hasSize(2);
        assertThat(around.messages().get(0).seq()).isEqualTo(seq);
        java.util.concurrent.ExecutionException refused = org.assertj.core.api.Assertions.catchThrowableOfType(
                java.util.concurrent.ExecutionException.class,
                () -> sdk.search(io.parley.client.Rest.Search.of("  ")).get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertThat(((io.parley.client.ParleyException) refused.getCause()).code())
                .isEqualTo("query_empty");
    }

    @Test
    void pages_followNextCursor_inBothOrders() {
        Rest ann = as("p-ann");
        String g = ann.group("Pages");
        for (int i = 0; i < 7; i++) {
            send(ann, g, "paging word " + i);
        }
        indexerRuns();
        for (String sort : List.of("relevance", "newest")) {
            List<Long> seen = new ArrayList<>();
            String cursor = null;
            for (int page = 0; page < 5; page++) {
                Rest.Response r = search(
                        ann,
                        q("paging") + "&limit=3&sort=" + sort
                                + (cursor == null
                                        ? ""
                                        : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)));
                r.json().getJsonArray("results").forEach(h -> seen.add(((JsonObject) h).getLong("seq")));
                cursor = r.json().getString("nextCursor");
                if (cursor == null) {
                    break;
                }
            }
            assertThat(seen).as(sort).hasSize(7).doesNotHaveDuplicates();
        }
        assertThat(search(ann, q("paging") + "&sort=newest&cursor=bm9wZQ").errorCode())
                .isEqualTo("invalid_field");
    }

    @Test
    void badInput_getsItsDocumentedCode_andNeverA500() {
        Rest ann = as("b-ann");
        String g = ann.group("Bad");
        send(ann, g, "plain words (with) \"quotes\" and * stars OR near");
        indexerRuns();
        assertThat(search(ann, "").errorCode()).isEqualTo("missing_field");
        assertThat(search(ann, "q=").errorCode()).isEqualTo("query_empty");
        assertThat(search(ann, q("   ")).errorCode()).isEqualTo("query_empty");
        assertThat(search(ann, q("\u0000\u0001\u001f")).errorCode()).isEqualTo("query_empty");
        assertThat(search(ann, q("\"")).errorCode()).isEqualTo("query_empty");
        assertThat(search(ann, q("x".repeat(300))).errorCode()).isEqualTo("query_too_long");
        // A query too long for a request line goes in a body; 10,000 characters are refused there.
        assertThat(ann.post("/api/v1/search", new JsonObject().put("q", "x".repeat(10_000)))
                        .errorCode())
                .isEqualTo("query_too_long");
        assertThat(ann.post("/api/v1/search", new JsonObject().put("q", "plain").put("limit", 5))
                        .json()
                        .getJsonArray("results"))
                .hasSize(1);
        assertThat(ann.post("/api/v1/search", new JsonObject().put("q", 5)).errorCode())
                .isEqualTo("invalid_field");
        assertThat(ann.post("/api/v1/search", new JsonObject()).errorCode()).isEqualTo("missing_field");
        assertThat(search(ann, q("one two three four five six seven eight nine ten 11 12 13 14 15 16 17"))
                        .errorCode())
                .isEqualTo("query_too_long");
        for (String attack : List.of(
                "\"plain",
                "plain*",
                "NEAR(plain words)",
                "plain OR nothing",
                "(plain",
                "words:plain",
                "{conv}: plain",
                "plain'; DROP TABLE events; --",
                "plain\u0000")) {
            Rest.Response r = search(ann, q(attack));
            assertThat(r.status()).as(attack).isEqualTo(200);
        }
        assertThat(search(ann, q("OR near")).json().getJsonArray("results")).hasSize(1);
        assertThat(search(ann, q("plain") + "&sort=best").errorCode()).isEqualTo("invalid_field");
        assertThat(search(ann, q("plain") + "&after=yesterday").errorCode()).isEqualTo("invalid_field");
        assertThat(search(ann, q("plain") + "&after=2020-01-01&before=2999-01-01T00:00:00Z")
                        .json()
                        .getJsonArray("results"))
                .hasSize(1);
        assertThat(search(ann, q("plain") + "&before=2020-01-01").json().getJsonArray("results"))
                .isEmpty();
        // The store is intact: the message is still there and still found.
        assertThat(search(ann, q("plain")).json().getJsonArray("results")).hasSize(1);
    }
}
