package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
                assertThat(value(text, "websocket_connections_active")).isEqualTo(2);
                // Each message reaches Bob and Alice's own session.
                assertThat(value(text, "messages_delivered_total")).isGreaterThanOrEqualTo(40);
                assertThat(value(text, "messages_acked_total")).isEqualTo(20);
                assertThat(value(text, "message_delivery_latency_seconds_count"))
                        .isGreaterThanOrEqualTo(40);
                assertThat(text).contains("message_delivery_latency_seconds_bucket{le=");
                assertThat(value(text, "message_store_commit_seconds_count")).isPositive();
                assertThat(value(text, "offline_sync_duration_seconds_count")).isGreaterThanOrEqualTo(2);
                assertThat(value(text, "presence_updates_total")).isPositive();
                assertThat(value(text, "jvm_memory_used_bytes")).isPositive();
                assertThat(value(text, "process_cpu_usage")).isGreaterThanOrEqualTo(0);
                assertThat(value(text, "process_files_open_files")).isPositive();
            }
            Chatter.await(
                    () -> {
                        try {
                            return value(scrape(server), "websocket_connections_active") == 0;
                        } catch (Exception e) {
                            throw new AssertionError(e);
                        }
                    },
                    Duration.ofSeconds(10),
                    "connections back to 0");
        }
    }
}
