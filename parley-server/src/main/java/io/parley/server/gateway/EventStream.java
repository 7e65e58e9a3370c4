package io.parley.server.gateway;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.CloseCodes;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.bus.Delivery;
import io.parley.server.chat.ChatService;
import io.parley.server.config.Config;
import io.parley.server.metrics.Metrics;
import io.parley.server.store.EventHeader;
import io.parley.server.store.LogEntry;
import io.parley.server.store.ReceiptChange;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.Frames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * The ordered event feed of one authenticated {@link Session}: live events, the client's {@code sync}, and catch-up
 * from the store. Confined to the session's loop like the session itself; it answers through the session
 * ({@link Session#send}, {@link Session#closeWith}).
 *
 * <p>Delivery invariant: after a client {@code sync}, every event of every conversation the user belongs to goes out
 * exactly once and in seq order: replayed events from the store first (paged, waiting for the socket to drain between
 * pages), while live events are buffered; then the buffer with duplicates of the replay dropped; then the
 * {@code synced} marker; then live events. A live event that skips a seq triggers the same catch-up for its
 * conversation, so a gap is filled from the store rather than passed on.
 */
final class EventStream {
    /** OPEN: no sync yet, events pass straight through; SYNCING: replaying, live events buffered; LIVE: in order. */
    enum Mode {
        OPEN,
        SYNCING,
        LIVE,
        CLOSED
    }

    /**
     * A resuming client asks for receipts changed since the {@code serverTime} of its last {@code synced}; the server
     * looks this much further back, to cover clock differences between nodes and commits in flight.
     */
    static final long RECEIPTS_MARGIN_MILLIS = 30_000;

    private final Session session;
    private final String userId;
    private final Transport transport;
    private final Executor loop;
    private final ChatService chat;
    private final FrameCodec codec;
    private final Config config;
    private static final Duration HOLD = Duration.ofMillis(HeldEvents.WAIT_MILLIS);

    private final Clock clock;
    private final Metrics metrics;
    /** Runs the gap timeouts (on any thread: they hand themselves to the loop). */
    private final Scheduler timers;

    private Mode mode;
    /** Last seq sent per conversation; null until the client's first sync. */
    private Map<String, Long> cursors;

    private ArrayDeque<Delivery> buffer;
    /** Conversations left to replay; sized for the common case (none or one) since every session has one. */
    private final ArrayDeque<String> replayQueue = new ArrayDeque<>(1);

    private boolean clientSyncRunning;
    /** Incremented when a client sync restarts replay, so that reads of an abandoned replay are ignored. */
    private int replayGeneration;
    /** The receipt cursors read at the start of the running client sync; sent just before {@code synced}. */
    private CompletableFuture<List<ReceiptChange>> syncReceipts;

    private long syncStartedAt;
    /** Live events that arrived ahead of a missing seq, waiting for it. */
    private final HeldEvents held = new HeldEvents();

    /** {@code resume}: the client promised a sync first, so live events wait in the buffer until it comes. */
    EventStream(
            Session session,
            String userId,
            boolean resume,
            Transport transport,
            Executor loop,
            ChatService chat,
            FrameCodec codec,
            Config config,
            Metrics metrics,
            Scheduler timers) {
        this.session = session;
        this.userId = userId;
        this.transport = transport;
        this.loop = loop;
        this.chat = chat;
        this.codec = codec;
        this.config = config;
        this.clock = timers.clock();
        this.metrics = metrics;
        this.timers = timers;
        if (resume) {
            mode = Mode.SYNCING;
            buffer = new ArrayDeque<>();
        } else {
            mode = Mode.OPEN;
        }
    }

    /** An ephemeral frame (receipts, typing, presence): sent unless closed; never buffered or replayed. */
    void signal(byte[] frame) {
        if (mode != Mode.CLOSED) {
            sendLive(frame);
        }
    }

    /**
     * The node may have missed live events: if caught up, replay from the store as if the client had sent its sync
     * again (every conversation from its cursor, new ones from the start), ending with a {@code synced}. False when
     * that cannot be done (no sync yet, or one running): the session then closes so its client reconnects.
     */
    boolean resync() {
        if (mode == Mode.LIVE && cursors != null && !clientSyncRunning) {
            onSync(new ClientFrame.Sync(new HashMap<>(cursors), ClientFrame.Sync.REPLAY));
            return true;
        }
        return false;
    }

    /** The session closed: drop what waits. */
    void close() {
        mode = Mode.CLOSED;
        buffer = null;
        held.clear();
        replayQueue.clear();
    }

    /** A live event for the user. */
    void deliver(Delivery p) {
        switch (mode) {
            case OPEN -> {
                sendLive(p.frame());
                if (p.header().kind() == EventKind.MESSAGE) {
                    metrics.delivered(p.header().createdAt(), clock.millis());
                }
            }
            case SYNCING -> {
                if (buffer.size() >= config.ws().maxSyncBuffer()) {
                    session.closeWith(CloseCodes.RESYNC, "too many events while catching up; reconnect and sync");
                    return;
                }
                buffer.add(p);
            }
            case LIVE -> deliverLive(p);
            default -> {}
        }
    }

    private void deliverLive(Delivery p) {
        EventHeader e = p.header();
        Long cursor = cursors.get(e.conversationId());
        if (cursor != null && e.seq() <= cursor) {
            return;
        }
        if (cursor != null && e.seq() > cursor + 1) {
            hold(p);
            return;
        }
        if (userId.equals(p.removedMember())) {
            // No longer a member: forget the cursor so a later re-add does not "fill the gap" with events from
            // the time this user was not a member.
            cursors.remove(e.conversationId());
        } else {
            cursors.put(e.conversationId(), e.seq());
        }
        sendLive(p.frame());
        if (e.kind() == EventKind.MESSAGE) {
            metrics.delivered(e.createdAt(), clock.millis());
        }
        // A held event that is next in line now.
        if (mode == Mode.LIVE) {
            Delivery next = held.takeIfNext(e.conversationId(), e.seq() + 1);
            if (next != null) {
                deliverLive(next);
            }
        }
    }

    private void hold(Delivery p) {
        String c = p.header().conversationId();
        if (held.hold(p, clock.millis())) {
            timers.after(HOLD, () -> loop.execute(() -> gapTimedOut(c)));
        }
    }

    /** The missing seq did not come: fetch it from the store (the held events follow after the catch-up). */
    private void gapTimedOut(String conversationId) {
        long oldest = held.oldestSince(conversationId);
        if (mode != Mode.LIVE || oldest < 0) {
            return;
        }
        if (clock.millis() - oldest < HeldEvents.WAIT_MILLIS) {
            // A newer gap: its own timer decides.
            timers.after(HOLD, () -> loop.execute(() -> gapTimedOut(conversationId)));
            return;
        }
        startCatchUp(List.of(conversationId));
    }

    private void sendLive(byte[] frame) {
        transport.send(frame);
        if (transport.writeQueueFull()) {
            metrics.slowConsumer();
            session.closeWith(CloseCodes.RESYNC, "slow consumer: outbound queue full; reconnect and sync");
        }
    }

    // ---- sync and catch-up -----------------------------------------------------------------------------------------

    /** The client's sync: replay from its cursors, then live (or a {@code bad_request} if one is running). */
    void onSync(ClientFrame.Sync s) {
        if (clientSyncRunning) {
            session.error(ErrorCode.BAD_REQUEST, "a sync is already running", "sync");
            return;
        }
        clientSyncRunning = true;
        if (mode != Mode.SYNCING) {
            mode = Mode.SYNCING;
            buffer = new ArrayDeque<>();
        }
        int generation = ++replayGeneration;
        syncStartedAt = clock.millis();
        long since = s.receiptsSince() == null ? 0 : Math.max(0, s.receiptsSince() - RECEIPTS_MARGIN_MILLIS);
        syncReceipts =
                chat.feed().receiptsSince(userId, since, config.receipts().maxFanoutMembers());
        chat.feed()
                .lastSeqs(userId)
                .whenCompleteAsync(
                        (last, err) -> {
                            if (mode == Mode.CLOSED) {
                                return;
                            }
                            if (err != null) {
                                session.closeWith(
                                        CloseCodes.RESYNC, "store unavailable while catching up; reconnect and sync");
                                return;
                            }
                            cursors = new HashMap<>();
                            replayQueue.clear();
                            boolean replayUnlisted = ClientFrame.Sync.REPLAY.equals(s.unlisted());
                            for (Map.Entry<String, Long> e : last.entrySet()) {
                                Long claimed = s.cursors().get(e.getKey());
                                long from = claimed != null ? claimed : (replayUnlisted ? 0 : e.getValue());
                                cursors.put(e.getKey(), from);
                                if (from < e.getValue()) {
                                    replayQueue.add(e.getKey());
                                }
                            }
                            if (generation == replayGeneration) {
                                replayNext();
                            }
                        },
                        loop);
    }

    private void startCatchUp(List<String> conversations) {
        if (mode != Mode.SYNCING) {
            mode = Mode.SYNCING;
            buffer = new ArrayDeque<>();
            // Held events wait in the buffer like any live event; after the catch-up they are delivered or dropped.
            held.drainTo(buffer);
            replayQueue.addAll(conversations);
            replayGeneration++;
            replayNext();
        } else {
            for (String c : conversations) {
                if (!replayQueue.contains(c)) {
                    replayQueue.add(c);
                }
            }
        }
    }

    private void replayNext() {
        if (mode != Mode.SYNCING) {
            return;
        }
        String conversationId = replayQueue.peek();
        if (conversationId == null) {
            finishCatchUp();
            return;
        }
        int pageSize = config.ws().syncPageSize();
        long from = cursors.getOrDefault(conversationId, 0L);
        int generation = replayGeneration;
        chat.feed()
                .eventsAfter(conversationId, from, pageSize)
                .thenCombine(chat.feed().aliases(conversationId), java.util.Map::entry)
                .whenCompleteAsync(
                        (shown, err) -> {
                            if (mode != Mode.SYNCING || generation != replayGeneration) {
                                return;
                            }
                            if (err != null) {
                                session.closeWith(
                                        CloseCodes.RESYNC, "store unavailable while catching up; reconnect and sync");
                                return;
                            }
                            List<LogEntry> page = shown.getKey();
                            List<byte[]> frames = new java.util.ArrayList<>(page.size());
                            for (LogEntry e : page) {
                                if (e.seq() > cursors.getOrDefault(conversationId, 0L)) {
                                    frames.add(shown.getValue().mask(codec.encode(Frames.event(e))));
                                    cursors.put(conversationId, e.seq());
                                }
                            }
                            transport.sendAll(frames);
                            metrics.replayed(frames.size());
                            if (page.size() < pageSize) {
                                replayQueue.poll();
                            }
                            transport.whenDrained(() -> {
                                if (generation == replayGeneration) {
                                    replayNext();
                                }
                            });
                        },
                        loop);
    }

    private void finishCatchUp() {
        if (clientSyncRunning && syncReceipts != null) {
            if (!syncReceipts.isDone()) {
                int generation = replayGeneration;
                syncReceipts.whenCompleteAsync(
                        (r, err) -> {
                            if (mode == Mode.SYNCING && generation == replayGeneration && replayQueue.isEmpty()) {
                                finishCatchUp();
                            }
                        },
                        loop);
                return;
            }
            List<ReceiptChange> receipts;
            try {
                receipts = syncReceipts.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                session.closeWith(CloseCodes.RESYNC, "store unavailable while catching up; reconnect and sync");
                return;
            }
            syncReceipts = null;
            sendReceipts(receipts);
        }
        mode = Mode.LIVE;
        ArrayDeque<Delivery> buffered = buffer;
        buffer = null;
        for (Delivery p : buffered) {
            if (mode == Mode.CLOSED) {
                return;
            }
            if (mode != Mode.LIVE) {
                // A buffered event revealed another gap: catch-up restarted; keep the rest for after it.
                buffer.add(p);
                continue;
            }
            deliverLive(p);
        }
        if (mode == Mode.LIVE && clientSyncRunning) {
            clientSyncRunning = false;
            session.send(new ServerFrame.Synced(new LinkedHashMap<>(cursors), syncStartedAt));
            metrics.synced(clock.millis() - syncStartedAt);
        }
    }

    /** The receipt cursors of a sync, one frame per conversation, for conversations the session knows. */
    private void sendReceipts(List<ReceiptChange> receipts) {
        Map<String, List<ReceiptChange>> byConversation = new LinkedHashMap<>();
        for (ReceiptChange r : receipts) {
            byConversation
                    .computeIfAbsent(r.conversationId(), k -> new java.util.ArrayList<>())
                    .add(r);
        }
        byConversation.forEach((c, list) -> session.send(Frames.receipts(c, list)));
    }
}
