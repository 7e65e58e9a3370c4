package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-session outbound queue is bounded: a client that stops reading while messages keep coming is closed with
 * 4008 once its queue passes ws.max-outbound-bytes, the node's memory stays bounded, the sender is unaffected, and
 * nothing is lost: the slow client's next connection replays every message.
 */
class SlowConsumerTest {
    @TempDir
    static Path dir;

    static TestServer server;
    static Vertx vertx;

    @BeforeAll
    static void start() {
        server = new TestServer(dir, Map.of("ws.max-outbound-bytes", "65536")).start();
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        server.stop();
        vertx.close();
    }

    @Test
    void aClientThatStopsReadingIsClosedWith4008_andLosesNothing() throws Exception {
        new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
        String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
        String body = "x".repeat(3900);
        int sent = 0;
        try (RawSocket bob = new RawSocket(server.port(), "/ws?token=" + TestServer.token("bob"), 4096);
                RawWs alice = RawWs.connect(vertx, server.port(), "/ws?token=" + TestServer.token("alice"))) {
            assertThat(new String(bob.read().payload(), StandardCharsets.UTF_8)).contains("\"type\":\"welcome\"");
            alice.next("welcome");
            // Bob reads nothing more. The kernel's socket buffers take a few MiB, then the server's queue fills.
            while (slowConsumers() == 0 && sent < 5000) {
                for (int i = 0; i < 100; i++, sent++) {
                    alice.send(new JsonObject()
                            .put("type", "send")
                            .put("conversationId", dm)
                            .put("clientMsgId", "m" + sent)
                            .put("body", body)
                            .encode());
                }
                for (int i = 0; i < 100; i++) {
                    assertThat(alice.next("ack").getString("conversationId")).isEqualTo(dm);
                }
            }
            assertThat(slowConsumers())
                    .as("slow consumers after %d messages", sent)
                    .isEqualTo(1);
            // The close frame comes after what was queued: Bob reads his way to it.
            RawSocket.Frame close = bob.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(4008);
            assertThat(close.closeReason()).contains("slow consumer");
            // Alice's session was never affected.
            alice.send(new JsonObject()
                    .put("type", "send")
                    .put("conversationId", dm)
                    .put("clientMsgId", "last")
                    .put("body", "still here")
                    .encode());
            assertThat(alice.next("ack").getString("clientMsgId")).isEqualTo("last");
            sent++;
        }
        // Bob comes back and syncs from the start: every message, once, in order.
        try (RawWs bob = RawWs.connect(vertx, server.port(), "/ws?resume=1&token=" + TestServer.token("bob"))) {
            bob.next("welcome");
            bob.send(new JsonObject()
                    .put("type", "sync")
                    .put("cursors", new JsonObject().put(dm, 0))
                    .encode());
            Set<String> ids = new HashSet<>();
            long lastSeq = 0;
            while (true) {
                JsonObject f = bob.next();
                if ("synced".equals(f.getString("type"))) {
                    break;
                }
                if ("event".equals(f.getString("type")) && "message".equals(f.getString("kind"))) {
                    assertThat(f.getLong("seq")).isGreaterThan(lastSeq);
                    lastSeq = f.getLong("seq");
                    assertThat(ids.add(f.getString("clientMsgId"))).isTrue();
                }
            }
            assertThat(ids).hasSize(sent);
        }
    }

    private static double slowConsumers() throws Exception {
        // HTTP/1.1 and a deadline, as in MetricsTest: a stalled scrape fails instead of hanging the build.
        String text = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .build()
                .send(
                        HttpRequest.newBuilder(URI.create(server.httpUrl() + "/metrics"))
                                .timeout(java.time.Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return text.lines()
                .filter(l -> l.startsWith("parley_websocket_slow_consumers_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
