package io.parley.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ServerFrame;
import io.parley.server.config.Config;
import io.parley.server.time.ManualScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Session} and its {@link EventStream} without sockets: a {@link FakeTransport}, a {@link TestLoop} run by the
 * test's thread, the {@link ManualScheduler} for every timer, and the real domain (ChatService, the SQLite store in a
 * temp dir, the in-process bus and presence) wired as {@code ParleyServer} wires them ({@link SessionNode}). The bus can drop the next
 * event, as a lost cluster message would, so a gap can be made on purpose.
 */
class SessionTest {
    @TempDir
    Path dir;

    private SessionNode node;
    private ManualScheduler manual;
    private TestLoop loop;
    private Config config;
    private SessionRegistry registry;
    private DroppingSink sink;

    @BeforeEach
    void node() throws Exception {
        node = new SessionNode(dir, Map.of());
        manual = node.manual;
        loop = node.loop;
        config = node.config;
        registry = node.registry;
        sink = node.sink;
    }

    @AfterEach
    void close() {
        node.close();
    }

    private Session session(FakeTransport transport) {
        return node.session(transport);
    }

    private Session connected(FakeTransport transport, String user, boolean resume) throws Exception {
        return node.connected(transport, user, resume);
    }

    private Session live(FakeTransport transport, String user) throws Exception {
        return node.live(transport, user);
    }

    private long send(String user, String body) throws Exception {
        return node.send(user, body);
    }

    private static String json(ClientFrame frame) {
        return SessionNode.json(frame);
    }

    private static List<Long> seqs(FakeTransport t) {
        return SessionNode.seqs(t);
    }

    // ---- authentication ---------------------------------------------------------------------------------------------

    @Test
    void authDeadline_withoutAuth_closesWith4001WhenItPasses() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = session(t);
        s.startAuthDeadline();

        manual.advance(config.ws().authTimeout().minusMillis(1));
        loop.runQueued();
        assertThat(t.closed()).isFalse();

        manual.advance(Duration.ofMillis(1));
        loop.runQueued();
        assertThat(t.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThat(t.closeReason()).isEqualTo("authentication timeout");
        assertThat(s.state()).isEqualTo(Session.State.CLOSED);
    }

    @Test
    void authDeadline_afterAnAuthFrame_doesNotClose() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = session(t);
        s.startAuthDeadline();

        s.onText(json(new ClientFrame.Auth("u:alice")));
        loop.runUntil(() -> !t.frames(ServerFrame.Welcome.class).isEmpty(), "welcome");
        manual.advance(config.ws().authTimeout());
        loop.runQueued();

        assertThat(t.closed()).isFalse();
        assertThat(s.state()).isEqualTo(Session.State.AUTHENTICATED);
        assertThat(t.frames(ServerFrame.Welcome.class).get(0).userId()).isEqualTo("alice");
    }

    @Test
    void frameBeforeAuth_closesWith4001AndSendsNothing() {
        for (String frame : List.of(
                json(new ClientFrame.Sync(Map.of(), null, null)),
                json(new ClientFrame.Send("g", "k1", "hi", null)),
                json(new ClientFrame.Ping("p")),
                "not json")) {
            FakeTransport t = new FakeTransport();
            session(t).onText(frame);

            assertThat(t.closeCode()).as(frame).isEqualTo(CloseCodes.UNAUTHORIZED);
            assertThat(t.closeReason()).as(frame).contains("the first frame must be auth");
            assertThat(t.frames()).as(frame).isEmpty();
        }
        FakeTransport binary = new FakeTransport();
        session(binary).onBinary();
        assertThat(binary.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
    }

    @Test
    void authFrame_withABadToken_closesWith4001() throws Exception {
        FakeTransport t = new FakeTransport();
        session(t).onText(json(new ClientFrame.Auth("forged")));

        loop.runUntil(t::closed, "close");
        assertThat(t.closeCode()).isEqualTo(CloseCodes.UNAUTHORIZED);
        assertThat(t.closeReason()).isEqualTo("invalid token");
        assertThat(t.frames()).isEmpty();
    }

    // ---- sync, live, gaps -------------------------------------------------------------------------------------------

    @Test
    void syncThenLive_withAnEventCommittedDuringTheSync_sendsEachEventOnceInOrder_syncedBetween() throws Exception {
        List<Long> before = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            before.add(send("bob", "m" + i));
        }
        FakeTransport t = new FakeTransport();
        Session s = connected(t, "alice", true);

        s.onText(json(new ClientFrame.Sync(Map.of("g", before.get(1)), null, null)));
        long during = send("bob", "during"); // committed while the sync runs: its live copy waits in the buffer
        loop.runUntil(() -> !t.frames(ServerFrame.Synced.class).isEmpty(), "synced");
        long after = send("bob", "after");
        loop.runUntil(() -> seqs(t).contains(after), "the live event after synced");

        assertThat(seqs(t)).containsExactly(before.get(2), before.get(3), before.get(4), during, after);
        ServerFrame.Synced synced = t.frames(ServerFrame.Synced.class).get(0);
        assertThat(synced.conversations()).containsEntry("g", during);
        List<ServerFrame> frames = t.frames();
        int syncedAt = frames.indexOf(synced);
        assertThat(frames.subList(syncedAt + 1, frames.size()))
                .filteredOn(ServerFrame.Event.class::isInstance)
                .extracting(f -> ((ServerFrame.Event) f).seq())
                .containsExactly(after);
    }

    @Test
    void gapHold_missingEventArrivesWithinTheHold_bothGoOutInOrder() throws Exception {
        FakeTransport t = new FakeTransport();
        live(t, "alice");

        sink.dropNext.set(true);
        long missing = send("bob", "lost for a while");
        long next = send("bob", "ahead");
        loop.runQueued();
        assertThat(seqs(t)).as("held while its predecessor is missing").isEmpty();

        registry.deliver(sink.dropped.get());
        loop.runQueued();
        assertThat(seqs(t)).containsExactly(missing, next);

        manual.advance(Duration.ofMillis(HeldEvents.WAIT_MILLIS));
        loop.runQueued();
        assertThat(seqs(t)).as("the hold's timer finds nothing to catch up").containsExactly(missing, next);
        assertThat(t.closed()).isFalse();
    }

    @Test
    void gapHold_missingEventNeverArrives_catchesUpFromTheStoreWhenTheHoldTimesOut() throws Exception {
        FakeTransport t = new FakeTransport();
        live(t, "alice");

        sink.dropNext.set(true);
        long missing = send("bob", "lost");
        long next = send("bob", "ahead");
        loop.runQueued();
        manual.advance(Duration.ofMillis(HeldEvents.WAIT_MILLIS - 1));
        loop.runQueued();
        assertThat(seqs(t)).isEmpty();

        manual.advance(Duration.ofMillis(1));
        loop.runUntil(() -> seqs(t).size() >= 2, "the catch-up");
        long later = send("bob", "live again");
        loop.runUntil(() -> seqs(t).contains(later), "the next live event");

        assertThat(seqs(t)).containsExactly(missing, next, later);
        assertThat(t.closed()).isFalse();
    }

    // ---- backpressure and closing -----------------------------------------------------------------------------------

    @Test
    void slowConsumer_outboundQueueFull_closesWith4008() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = connected(t, "alice", false);

        t.fill();
        send("bob", "one too many");
        loop.runUntil(t::closed, "close");

        assertThat(t.closeCode()).isEqualTo(CloseCodes.RESYNC);
        assertThat(t.closeReason()).startsWith("slow consumer");
        assertThat(s.state()).isEqualTo(Session.State.CLOSED);
        assertThat(registry.hasUser("alice")).isFalse();
    }

    @Test
    void drainAndClose_withASendInFlight_stopsReading_acksIt_thenCloses() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = connected(t, "alice", false);

        s.onText(json(new ClientFrame.Send("g", "k-last", "last words", null)));
        CompletableFuture<Void> done = s.drainAndClose(CloseCodes.GOING_AWAY, "server shutting down; reconnect");
        loop.runQueued();
        assertThat(t.paused()).as("reading stops at once").isTrue();

        loop.runUntil(done::isDone, "drained");
        assertThat(t.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
        List<ServerFrame.Ack> acks = t.frames(ServerFrame.Ack.class);
        assertThat(acks).extracting(ServerFrame.Ack::clientMsgId).containsExactly("k-last");
        assertThat(t.frames().indexOf(acks.get(0))).as("acked before the close").isLessThan(t.framesBeforeClose());
        assertThat(s.state()).isEqualTo(Session.State.CLOSED);
    }

    @Test
    void drainAndClose_withNothingInFlight_closesAtOnce() throws Exception {
        FakeTransport t = new FakeTransport();
        Session s = connected(t, "alice", false);

        CompletableFuture<Void> done = s.drainAndClose(CloseCodes.GOING_AWAY, "bye");
        loop.runQueued();

        assertThat(done).isDone();
        assertThat(t.closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
        assertThat(registry.hasUser("alice")).isFalse();
    }
}
