package io.parley.server.gateway;

import static io.parley.server.gateway.SessionNode.json;
import static io.parley.server.gateway.SessionNode.seqs;
import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ServerFrame;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * More of {@link Session} and {@link EventStream} without sockets (beyond {@link SessionTest}), on a
 * {@link SessionNode}: authentication racing its deadline, liveness, a replay paced by a slow peer, the sync buffer's
 * limit, resync after lost events, and a failed delivery. Small pages and the smallest sync buffer make the limits
 * reachable.
 */
class SessionFlowTest {
    @TempDir
    Path dir;

    private SessionNode node;

    @BeforeEach
    void node() throws Exception {
        node = new SessionNode(dir, Map.of("ws.sync-page-size", "2", "ws.max-sync-buffer", "100"));
    }

    @AfterEach
    void close() {
        node.close();
    }

    // ---- authentication ---------------------------------------------------------------------------------------

    @Test
    void authDeadline_passingWhileTheTokenIsBeingChecked_closesWith4001_andTheLateAnswerIsIgnored() throws Exception {
        FakeTransport t = new FakeTransport();
        CompletableFuture<String> answer = new CompletableFuture<>();
        Session s = node.session(t, token -> answer);
        s.startAuthDeadline();
        s.onText(json(new ClientFrame.Auth("u:alice")));
        assertThat(t.paused())
                .as("nothing more is read while the token is checked")
                .isTrue();

        node.manual.advance(node.config.ws().authTimeout());
        node.loop.runQueued();
        assertThat(t.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThat(t.closeReason()).isEqualTo("authentication timeout");

        answer.complete("alice");
        node.loop.runQueued();
        assertThat(t.frames()).as("no welcome after the close").isEmpty();
        assertThat(node.registry.hasUser("alice")).isFalse();
        assertThat(s.state()).isEqualTo(Session.State.CLOSED);
    }

    @Test
    void secondAuthFrame_whileTheFirstIsChecked_isIgnored_andAfterIt_isABadRequest() throws Exception {
        FakeTransport t = new FakeTransport();
        CompletableFuture<String> answer = new CompletableFuture<>();
        AtomicInteger checks = new AtomicInteger();
        Session s = node.session(t, token -> {
            checks.incrementAndGet();
            return answer;
        });
        s.onText(json(new ClientFrame.Auth("u:alice")));
        s.onText(json(new ClientFrame.Auth("u:alice")));
        answer.complete("alice");
        node.loop.runUntil(() -> !t.frames(ServerFrame.Welcome.class).isEmpty(), "welcome");

        assertThat(checks).hasValue(1);
        assertThat(t.frames(ServerFrame.Welcome.class)).hasSize(1);

        s.onText(json(new ClientFrame.Auth("u:alice")));
        ServerFrame.Error e = t.frames(ServerFrame.Error.class).get(0);
        assertThat(e.code()).isEqualTo("bad_request");
        assertThat(e.ref()).isEqualTo("auth");
        assertThat(t.closed()).isFalse();
    }

    // ---- liveness ---------------------------------------------------------------------------------------------

    @Test
    void heartbeat_pingsWhileThePeerIsHeard_closesWith4004OnceSilentPastTheIdleTimeout() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", false);
        Duration idle = node.config.ws().idleTimeout();

        node.manual.advance(idle);
        s.tick();
        assertThat(t.pings()).as("exactly at the idle timeout: still alive").isEqualTo(1);
        s.onPong();
        node.manual.advance(idle);
        s.tick();
        assertThat(t.closed()).as("a pong restarts the idle time").isFalse();

        node.manual.advance(Duration.ofMillis(1));
        s.tick();
        assertThat(t.closeCode()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
        assertThat(t.closeReason()).isEqualTo("idle timeout");
        assertThat(node.registry.hasUser("alice")).isFalse();
        s.tick();
        assertThat(t.pings()).as("no ping after the close").isEqualTo(2);
    }

    // ---- sync and replay --------------------------------------------------------------------------------------

    @Test
    void replay_toASlowPeer_waitsForTheDrainBetweenPages_insteadOfClosing() throws Exception {
        long last = 0;
        for (int i = 1; i <= 5; i++) {
            last = node.send("bob", "m" + i);
        }
        List<Long> all = LongStream.rangeClosed(1, last).boxed().toList(); // the group's creation, then the sends
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", true);
        t.fill();

        s.onText(json(new ClientFrame.Sync(Map.of("g", 0L), null, null)));
        node.loop.runUntil(() -> seqs(t).size() == 2, "the first page");
        node.loop.runQueued();
        assertThat(seqs(t)).as("one page, then it waits for the drain").containsExactlyElementsOf(all.subList(0, 2));

        node.loop.runUntil(t::drainAwaited, "the replay parked");
        int pages = 1;
        while (t.frames(ServerFrame.Synced.class).isEmpty()) {
            int had = seqs(t).size();
            t.drain();
            t.fill(); // the peer takes what was queued, then falls behind again
            node.loop.runUntil(
                    () -> t.drainAwaited()
                            || !t.frames(ServerFrame.Synced.class).isEmpty(),
                    "the replay parked again, or done");
            assertThat(seqs(t).size() - had).as("at most one page per drain").isLessThanOrEqualTo(2);
            pages++;
        }

        assertThat(seqs(t)).containsExactlyElementsOf(all);
        assertThat(pages).isGreaterThanOrEqualTo(all.size() / 2);
        assertThat(t.closed()).isFalse();
    }

    @Test
    void secondSync_whileOneRuns_isABadRequest() throws Exception {
        long last = node.send("bob", "one");
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", true);

        s.onText(json(new ClientFrame.Sync(Map.of("g", 0L), null, null)));
        s.onText(json(new ClientFrame.Sync(Map.of("g", 0L), null, null)));
        node.loop.runUntil(() -> !t.frames(ServerFrame.Synced.class).isEmpty(), "synced");

        assertThat(t.frames(ServerFrame.Error.class))
                .extracting(ServerFrame.Error::code, ServerFrame.Error::ref)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bad_request", "sync"));
        assertThat(t.frames(ServerFrame.Synced.class)).hasSize(1);
        assertThat(seqs(t)).as("replayed once").doesNotHaveDuplicates().hasSize((int) last);
    }

    @Test
    void liveEventsWaitingForTheSync_pastTheBuffersLimit_closeWith4008() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", true); // resume: live events wait for a sync that does not come
        int limit = node.config.ws().maxSyncBuffer();

        for (int i = 0; i < limit; i++) {
            node.send("bob", "m" + i);
        }
        node.loop.runQueued();
        assertThat(t.closed()).as("at the limit").isFalse();

        node.send("bob", "one too many");
        node.loop.runUntil(t::closed, "close");
        assertThat(t.closeCode()).isEqualTo(CloseCodes.RESYNC);
        assertThat(t.closeReason()).startsWith("too many events while catching up");
        assertThat(seqs(t)).isEmpty();
        assertThat(s.state()).isEqualTo(Session.State.CLOSED);
    }

    // ---- resync and failures ----------------------------------------------------------------------------------

    @Test
    void resync_ofALiveSession_replaysWhatTheNodeMissed_thenSyncedAgain() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = node.live(t, "alice");
        long seen = node.send("bob", "seen");
        node.loop.runUntil(() -> seqs(t).contains(seen), "the live event");

        node.sink.dropNext.set(true);
        long missed = node.send("bob", "missed");
        node.loop.runQueued();
        assertThat(seqs(t)).containsExactly(seen);

        s.resync();
        node.loop.runUntil(() -> t.frames(ServerFrame.Synced.class).size() == 2, "the second synced");
        assertThat(seqs(t)).containsExactly(seen, missed);
        assertThat(t.frames(ServerFrame.Synced.class).get(1).conversations()).containsEntry("g", missed);
        assertThat(t.closed()).isFalse();
    }

    @Test
    void resync_ofASessionThatNeverSynced_closesWith4008() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", false);

        s.resync();
        node.loop.runQueued();

        assertThat(t.closeCode()).isEqualTo(CloseCodes.RESYNC);
        assertThat(t.closeReason()).startsWith("live events may have been missed");
    }

    @Test
    void failedDelivery_closesThatSessionWith4008_soItsClientResyncs() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = node.connected(t, "alice", false);

        s.deliveryFailed(new IllegalStateException("a bug"));

        assertThat(t.closeCode()).isEqualTo(CloseCodes.RESYNC);
        assertThat(node.registry.hasUser("alice")).isFalse();
    }
}
