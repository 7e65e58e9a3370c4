package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Last seen survives a restart of the embedded default (issue 19 item 5): the time a user went offline is written to
 * the store (presence.LastSeenKeeper) and read back by the next node, which has no memory of the user.
 */
class LastSeenRestartTest {
    private static final Map<String, String> EXACT = Map.of("presence.last-seen", "exact");

    private static JsonObject bobFor(Rest alice) {
        Rest.Response r = alice.get("/api/v1/presence/bob");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    @Test
    void aUserWhoWentOfflineBeforeAStop_showsTheSameLastSeenAfterTheRestart(@TempDir Path dir) {
        String seen;
        try (TestServer first =
                new TestServer(dir, EXACT).on(new ManualScheduler()).start()) {
            new Rest(first.httpUrl(), TestServer.token("bob")).get("/api/v1/me");
            Rest alice = new Rest(first.httpUrl(), TestServer.token("alice"));
            alice.direct("bob");
            Chatter bob = Chatter.connect("bob", first.wsUrl());
            Chatter.await(() -> "online".equals(bobFor(alice).getString("status")), Duration.ofSeconds(10), "online");
            bob.close();
            Chatter.await(() -> "offline".equals(bobFor(alice).getString("status")), Duration.ofSeconds(10), "offline");
            seen = bobFor(alice).getString("lastSeen");
            assertThat(seen).isNotNull();
        }

        try (TestServer second =
                new TestServer(dir, EXACT).on(new ManualScheduler()).start()) {
            JsonObject bob = bobFor(new Rest(second.httpUrl(), TestServer.token("alice")));
            assertThat(bob.getString("status")).isEqualTo("offline");
            assertThat(bob.getString("lastSeen")).as("read from the store").isEqualTo(seen);
        }
    }
}
