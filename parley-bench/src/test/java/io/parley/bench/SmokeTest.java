package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parley.server.ParleyServer;
import io.parley.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The smoke scenario, scaled down, against a real server in this JVM: the load generator connects everyone, sends,
 * and accounts for every delivery. Asserts correctness only (nothing lost or duplicated), never timing.
 */
class SmokeTest {

    @Test
    void smokeScenario_losesAndDuplicatesNothing(@TempDir Path dir) throws Exception {
        ParleyServer server = start(dir, Map.of());
        try {
            BenchConfig c = smoke(server, dir);
            Bench.Result r = new Bench(c).run();
            System.out.println(r.summary());
            assertThat(r.failedConnections()).isZero();
            assertThat(r.json().path("connections").path("established").asLong())
                    .isEqualTo(100);
            long acked = r.json().path("messages").path("acked").asLong();
            assertThat(acked).as("messages acked in the measured window").isGreaterThan(100);
            assertThat(r.json().path("messages").path("deliveriesReceived").asLong())
                    .isEqualTo(acked * 10);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            assertThat(r.json().path("messages").path("gaps").asLong()).isZero();
            assertServerCounterAgrees(r);
        } finally {
            server.stop().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Two generator processes (this JVM and a child): every delivery is counted wherever its sender and receiver are,
     * each process reports its share, and the child is gone afterwards.
     */
    @Test
    void twoGeneratorProcesses_accountForEveryDelivery_acrossThem(@TempDir Path dir) throws Exception {
        ParleyServer server = start(dir, Map.of());
        try {
            BenchConfig c = smoke(server, dir, "generator.processes=2");
            Bench.Result r = new Bench(c).run();
            System.out.println(r.summary());
            assertThat(r.json().path("connections").path("established").asLong())
                    .isEqualTo(100);
            long acked = r.json().path("messages").path("acked").asLong();
            assertThat(acked).isGreaterThan(100);
            assertThat(r.json().path("messages").path("deliveriesReceived").asLong())
                    .isEqualTo(acked * 10);
            assertThat(r.clean()).isTrue();
            JsonNode gens = r.json().path("generators");
            assertThat(gens).hasSize(2);
            assertThat(gens.get(0).path("connections").asLong()).isEqualTo(50);
            assertThat(gens.get(1).path("connections").asLong()).isEqualTo(50);
            assertThat(gens.get(0).path("deliveriesReceived").asLong()
                            + gens.get(1).path("deliveriesReceived").asLong())
                    .isEqualTo(acked * 10);
            assertThat(ProcessHandle.of(gens.get(1).path("pid").asLong())).isEmpty();
            assertServerCounterAgrees(r);
        } finally {
            server.stop().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Half of each group offline with push devices (issue 15 item 10's scenario, scaled down): only online members
     * are owed deliveries, and the server's pushes for the offline ones reach the bench's Web Push service, at most
     * one per offline user (one conversation each, inside one coalesce window).
     */
    @Test
    void halfOffline_withPushDevices_owesOnlyOnlineMembers_andPushesTheOthers(@TempDir Path dir) throws Exception {
        ParleyServer server = start(dir, Map.of("push.grace", "1s", "push.poll-interval", "100ms"));
        try {
            BenchConfig c = smoke(server, dir, "offline.fraction=0.5", "offline.push.devices=true");
            Bench.Result r = new Bench(c).run();
            System.out.println(r.summary());
            assertThat(r.json().path("usersOffline").asLong()).isEqualTo(50);
            assertThat(r.json().path("connections").path("attempted").asLong())
                    .as("offline users never connect")
                    .isEqualTo(50);
            assertThat(r.json().path("connections").path("established").asLong())
                    .isEqualTo(50);
            long acked = r.json().path("messages").path("acked").asLong();
            assertThat(acked).isGreaterThan(50);
            assertThat(r.json().path("messages").path("deliveriesExpected").asLong())
                    .as("5 online members of each group of 10")
                    .isEqualTo(acked * 5);
            assertThat(r.json().path("messages").path("deliveriesReceived").asLong())
                    .isEqualTo(acked * 5);
            assertThat(r.lost()).isZero();
            assertThat(r.duplicates()).isZero();
            assertThat(r.clean()).isTrue();
            assertThat(r.json().path("push").path("devices").asLong()).isEqualTo(50);
            assertThat(r.json().path("push").path("receivedInRun").asLong())
                    .isPositive()
                    .isLessThanOrEqualTo(50);
            assertThat(r.json().path("push").path("refusedInRun").asLong()).isZero();
            assertServerCounterAgrees(r);
        } finally {
            server.stop().get(30, TimeUnit.SECONDS);
        }
    }

    /** The server's own delivery counter agrees with what the bench received. */
    private static void assertServerCounterAgrees(Bench.Result r) {
        assertThat(r.json().path("server").path("messagesReceivedByBench").asDouble())
                .as("the server's own delivery counter agrees")
                .isEqualTo(r.json()
                        .path("server")
                        .path("messagesDeliveredByServer")
                        .asDouble());
    }

    private static final String SECRET = "smoke-test-secret-at-least-32-bytes-long";

    /** A real server in this JVM on a free port, with the smoke settings and {@code extra}. */
    private static ParleyServer start(Path dir, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>(
                Map.of("http.port", "0", "data.dir", dir.resolve("data").toString(), "auth.jwt-secret", SECRET));
        settings.putAll(extra);
        return ParleyServer.start(ConfigLoader.defaultsWith(settings))
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** The smoke scenario scaled down (100 users, 4 s measured) against {@code server}, with {@code extra}. */
    private static BenchConfig smoke(ParleyServer server, Path dir, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "server.start=false",
                "url=http://127.0.0.1:" + server.port(),
                "secret=" + SECRET,
                "server.pid=" + ProcessHandle.current().pid(),
                "users=100",
                "rate.per.user=2",
                "warmup.seconds=1",
                "duration.seconds=4",
                "drain.seconds=2",
                "out=" + dir.resolve("results")));
        args.addAll(List.of(extra));
        return BenchConfig.load(Path.of("scenarios/smoke.properties"), args.toArray(String[]::new));
    }
}
