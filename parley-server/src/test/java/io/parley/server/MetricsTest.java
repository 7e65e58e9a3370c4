package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics in the Prometheus text format reflects what the node did. */
class MetricsTest {

    /**
     * HTTP/1.1 as Prometheus scrapes, and a deadline: once in a full CI run a scrape through the JDK client's default
     * (an h2c upgrade on each new client) never got an answer and stalled the build instead of failing.
     */
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** {@link #scrape}, for a condition polled by {@link Chatter#await}: a failed scrape fails the test. */
    private static String scrapeOrFail(TestServer server) {
        try {
            return scrape(server);
        } catch (Exception e) {
            throw new AssertionError("scraping /metrics failed", e);
        }
    }

    private static String scrape(TestServer server) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(server.httpUrl() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        return r.body();
    }

    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(text);
        assertThat(m.find())
                .as("series %s in:%n%s", series, text.lines().limit(40).toList())
                .isTrue();
        return Double.parseDouble(m.group(2));
    }

    /** The sum over every series of a metric (each label set), e.g. memory used by all pools. */
    private static double sum(String text, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(text);
        double total = 0;
        boolean any = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
            any = true;
        }
        assertThat(any).as("series of %s", metric).isTrue();
        return total;
    }

    /** The bucket bounds of every Parley histogram, in seconds (docs/operations.md): 15 bounds and +Inf. */
    private static final String[] CHAT_BUCKETS = {
        "0.001", "0.002", "0.005", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1.0", "2.0", "5.0", "10.0", "30.0",
        "60.0", "+Inf"
    };

    private static List<String> buckets(String text, String histogram) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(histogram) + "_bucket\\{le=\"([^\"]+)\"\\}")
                .matcher(text);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void capacity_isWsMaxConnections_andUpgradesBeyondItAreRefused(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("ws.max-connections", "1")).start()) {
            assertThat(value(scrape(server), "parley_websocket_connections_capacity"))
                    .isEqualTo(1);
            try (Chatter alice = Chatter.connect("alice", server.wsUrl())) {
                Vertx vertx = Vertx.vertx();
                try {
                    // Upgraded, then closed at once with 1013 and the server's retry delay (docs/protocol.md).
                    try (RawWs refused = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("bob"))) {
                        assertThat(refused.closeCode()).isEqualTo(1013);
                        assertThat(io.parley.protocol.CloseCodes.retryAfterMs(refused.closeReason()))
                                .isPositive();
                    }
                } finally {
                    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                assertThat(value(scrape(server), "parley_websocket_connections_active"))
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void countsConnectionsDeliveriesCommitsSyncsAndPresence(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir, Map.of("presence.batch-window", "100ms")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                    Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                for (int i = 0; i < 20; i++) {
                    alice.send(dm, "m" + i).acked().get(10, TimeUnit.SECONDS);
                }
                bob.awaitCount(dm, 20, Duration.ofSeconds(10));
                Chatter.await(() -> alice.client.presence("bob").isPresent(), Duration.ofSeconds(10), "presence");
                String text = scrape(server);
                assertThat(value(text, "parley_websocket_connections_active")).isEqualTo(2);
                // Without ws.max-connections the capacity is the heap's estimate (docs/operations.md, "Memory").
                assertThat(value(text, "parley_websocket_connections_capacity")).isEqualTo((double)
                        Math.max(1, (Runtime.getRuntime().maxMemory() - 64L * 1024 * 1024) / 5120));
                // Each message reaches Bob and Alice's own session.
                assertThat(value(text, "parley_messages_delivered_total")).isGreaterThanOrEqualTo(40);
                assertThat(value(text, "parley_messages_acked_total")).isEqualTo(20);
                assertThat(value(text, "parley_message_delivery_latency_seconds_count"))
                        .isGreaterThanOrEqualTo(40);
                assertThat(value(text, "parley_message_store_commit_seconds_count"))
                        .isPositive();
                assertThat(value(text, "parley_offline_sync_duration_seconds_count"))
                        .isGreaterThanOrEqualTo(2);
                assertThat(value(text, "parley_presence_updates_total")).isPositive();
                assertThat(value(text, "parley_presence_update_lag_seconds_count"))
                        .isPositive();
                // The indexer (on by default) takes the 20 messages off the backlog after their commit.
                Chatter.await(
                        () -> value(scrapeOrFail(server), "parley_search_index_lag_seconds_count") >= 20,
                        Duration.ofSeconds(10),
                        "the indexer's lag");
                text = scrape(server);
                for (String timer : List.of(
                        "parley_message_delivery_latency_seconds",
                        "parley_message_store_commit_seconds",
                        "parley_offline_sync_duration_seconds",
                        "parley_presence_update_lag_seconds",
                        "parley_search_index_lag_seconds")) {
                    assertThat(buckets(text, timer)).as(timer).containsExactly(CHAT_BUCKETS);
                }
                // Every series Parley measures itself is named parley_*; the rest are the JVM's standard names.
                assertThat(text.lines()
                                .filter(l -> !l.startsWith("#") && !l.isBlank())
                                .map(l -> l.replaceAll("[{ ].*", ""))
                                .filter(n -> !n.startsWith("parley_"))
                                .filter(n -> !n.matches("(jvm|process|system)_.*")))
                        .isEmpty();
                // Summed: the first series may be a pool that is empty at this moment (a survivor space).
                assertThat(sum(text, "jvm_memory_used_bytes")).isPositive();
                assertThat(value(text, "process_cpu_usage")).isGreaterThanOrEqualTo(0);
                assertThat(value(text, "process_files_open_files")).isPositive();
            }
            Chatter.await(
                    () -> value(scrapeOrFail(server), "parley_websocket_connections_active") == 0,
                    Duration.ofSeconds(10),
                    "connections back to 0");
        }
    }
}
