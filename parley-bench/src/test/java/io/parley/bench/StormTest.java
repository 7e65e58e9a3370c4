package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reconnect storm scaled down (2,000 Java SDK clients in two generator processes, one node killed with -9 and
 * started again): every client comes back and resyncs, and every acked message reaches every member of its group.
 * Asserts correctness only, never timing (the full run with its figures: docs/performance.md, "The reconnect storm").
 */
class StormTest {
    @Test
    void nodeKilledAndRestarted_everyClientComesBackAndResyncs_andNoAckedMessageIsLost() throws Exception {
        Storm.Result r = new Storm(Map.ofEntries(
                        Map.entry("users", "2000"),
                        Map.entry("generators", "2"),
                        Map.entry("server.jar", "classpath"),
                        Map.entry("server.options", "-Xmx256m"),
                        Map.entry("generator.options", "-Xmx384m -Xss256k"),
                        Map.entry("send.every.ms", "1000"),
                        Map.entry("backoff.max.ms", "2000"),
                        Map.entry("steady.ms", "2000"),
                        Map.entry("after.ms", "1000"),
                        // Correctness only: all back, however long the shared machine takes (the 60 s is the full
                        // run's).
                        Map.entry("back.within.seconds", "150"),
                        // Low enough that the restart's crowd is refused with 1013 and comes back spread out.
                        Map.entry("PARLEY_WS_CONNECT_RATE", "500/1s"),
                        Map.entry("PARLEY_WS_ADMISSION_WINDOW", "3s")))
                .run();
        assertThat(r.back()).as("clients back and synced: %s", r).isEqualTo(r.users());
        assertThat(r.acked()).as("messages acked: %s", r).isPositive();
        assertThat(r.lost()).as("acked messages missing at a member: %s", r).isZero();
    }
}
