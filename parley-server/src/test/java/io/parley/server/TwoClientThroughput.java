package io.parley.server;

import io.parley.client.OutgoingMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A first throughput figure (not a test; run by hand, see docs/performance.md): one embedded node with fsync on,
 * two SDK clients in a DM; Alice sends N messages as fast as the outbox takes them, and the clock stops when every
 * ack is back and Bob has received all N.
 *
 * <pre>java -cp ... io.parley.server.TwoClientThroughput [N]</pre>
 */
public final class TwoClientThroughput {
    private TwoClientThroughput() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = Files.createTempDirectory("parley-throughput");
        try (TestServer server = new TestServer(dir, Map.of("auth.bcrypt-cost", "4")).start()) {
            new Rest(server.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            String dm = new Rest(server.httpUrl(), TestServer.token("alice")).direct("bob");
            for (int round = 1; round <= 3; round++) {
                try (Chatter alice = Chatter.connect("alice", server.wsUrl());
                        Chatter bob = Chatter.connect("bob", server.wsUrl())) {
                    int already = bob.messages(dm).size();
                    List<OutgoingMessage> sent = new ArrayList<>(n);
                    long start = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        sent.add(alice.send(
                                dm, "message " + i + " of round " + round + " with a 64-byte-ish body....."));
                    }
                    CompletableFuture.allOf(
                                    sent.stream().map(OutgoingMessage::acked).toArray(CompletableFuture[]::new))
                            .get(120, TimeUnit.SECONDS);
                    long acked = System.nanoTime();
                    bob.awaitCount(dm, already + n, Duration.ofSeconds(120));
                    long received = System.nanoTime();
                    double seconds = (received - start) / 1e9;
                    System.out.printf(
                            "round %d: %d messages acked in %.3f s, all received by Bob in %.3f s: %.0f msg/s%n",
                            round, n, (acked - start) / 1e9, seconds, n / seconds);
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }
}
