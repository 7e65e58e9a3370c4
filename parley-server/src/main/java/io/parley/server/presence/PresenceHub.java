package io.parley.server.presence;

import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.config.Config;
import io.parley.server.store.ChatStore;
import io.parley.server.time.Scheduler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's side of presence: refreshes the TTL of its sessions, and delivers presence changes to its local users
 * in batches. Every {@code batchWindow} it takes the users whose state changed (coalesced: the latest state wins),
 * finds who shares a conversation of at most {@code maxConversationSize} members with them, and sends each such
 * local user ONE {@code presence} frame listing the changes they may see. So a subscriber gets at most one presence
 * frame per window, however many users come and go.
 */
public final class PresenceHub implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.presence");
    private static final long COARSE_MILLIS = 15 * 60_000;

    private final Presence presence;
    private final ChatStore store;
    private final Config.Presence config;
    private final FrameCodec codec;
    private final LocalSessions local;
    private final Scheduler.Cancellable flushing;
    private final Scheduler.Cancellable refreshing;
    /** The latest change per user not yet delivered, with when this node heard of the user's first pending change. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    private final AtomicBoolean inFlush = new AtomicBoolean();
    private final AtomicLong framesSent = new AtomicLong();
    private final AtomicLong updatesSent = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();

    private final java.util.function.IntConsumer updatesDelivered;
    private final java.util.function.LongConsumer lagMillis;
    private final java.time.Clock clock;

    private record Pending(PresenceState state, long heardAt) {}

    /**
     * Flushes and refreshes on {@code scheduler}'s thread; the scheduler stays the caller's. {@code updatesDelivered}
     * is told the entries of each frame sent, {@code lagMillis} how long each delivered change waited here (from
     * when this node heard of it to its frames: the batch window plus the contacts lookup).
     */
    public PresenceHub(
            Presence presence,
            ChatStore store,
            Config.Presence config,
            FrameCodec codec,
            LocalSessions local,
            java.util.function.IntConsumer updatesDelivered,
            java.util.function.LongConsumer lagMillis,
            Scheduler scheduler) {
        this.updatesDelivered = updatesDelivered;
        this.lagMillis = lagMillis;
        this.clock = scheduler.clock();
        this.presence = presence;
        this.store = store;
        this.config = config;
        this.codec = codec;
        this.local = local;
        // A newer state replaces an older one; the wait is counted from the first change not yet delivered.
        presence.listen(s -> pending.merge(
                s.userId(), new Pending(s, clock.millis()), (old, now) -> new Pending(now.state(), old.heardAt())));
        this.flushing = scheduler.every(config.batchWindow(), this::flush);
        this.refreshing = scheduler.every(config.refreshInterval(), this::refresh);
    }

    public Presence presence() {
        return presence;
    }

    /** Presence frames sent to local sessions' users (one per subscriber per batch). */
    public long framesSent() {
        return framesSent.get();
    }

    /** Batches delivered so far: no subscriber has received more presence frames than this. */
    public long batches() {
        return batches.get();
    }

    /** Presence entries delivered (a frame holds one per changed contact). */
    public long updatesSent() {
        return updatesSent.get();
    }

    /**
     * The presence of the users {@code requesterId} may see (themselves and users sharing a conversation with them);
     * the others are left out.
     */
    public CompletableFuture<List<ServerFrame.PresenceEntry>> lookup(String requesterId, Collection<String> userIds) {
        return store.contacts(List.of(requesterId), Integer.MAX_VALUE)
                .thenCompose(contacts -> {
                    Set<String> visible = contacts.getOrDefault(requesterId, Set.of());
                    List<String> allowed = userIds.stream()
                            .distinct()
                            .filter(u -> u.equals(requesterId) || visible.contains(u))
                            .toList();
                    return presence.lookup(allowed);
                })
                .thenApply(states -> states.values().stream().map(this::entry).toList());
    }

    /** The wire form of a state, with lastSeen as the privacy setting allows. */
    public ServerFrame.PresenceEntry entry(PresenceState s) {
        String lastSeen = null;
        if (!s.online() && s.lastSeen() != null) {
            lastSeen = switch (config.lastSeen()) {
                case EXACT -> Instant.ofEpochMilli(s.lastSeen()).toString();
                case COARSE ->
                    Instant.ofEpochMilli(s.lastSeen() - s.lastSeen() % COARSE_MILLIS)
                            .toString();
                case HIDDEN -> null;
            };
        }
        return new ServerFrame.PresenceEntry(s.userId(), s.online() ? "online" : "offline", lastSeen);
    }

    private void refresh() {
        Map<String, String> sessions = local.sessions();
        if (sessions.isEmpty()) {
            return;
        }
        presence.refresh(sessions).whenComplete((v, err) -> {
            if (err != null) {
                LOG.warn("presence refresh of {} sessions failed: {}", sessions.size(), err.toString());
            }
        });
    }

    /** One batch: runs on the timer; skipped while the previous one is still being delivered. */
    void flush() {
        if (pending.isEmpty() || !inFlush.compareAndSet(false, true)) {
            return;
        }
        Map<String, PresenceState> batch = new HashMap<>();
        Map<String, Long> heardAt = new HashMap<>();
        for (String u : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(u);
            if (p != null) {
                batch.put(u, p.state());
                heardAt.put(u, p.heardAt());
            }
        }
        store.contacts(batch.keySet(), config.maxConversationSize()).whenComplete((contacts, err) -> {
            try {
                if (err != null) {
                    // Put the changes back (newer ones win) so the next window delivers them.
                    batch.forEach((u, s) -> pending.putIfAbsent(u, new Pending(s, heardAt.get(u))));
                    LOG.warn("presence batch of {} changes postponed: {}", batch.size(), err.toString());
                    return;
                }
                deliver(batch, heardAt, contacts);
            } finally {
                inFlush.set(false);
            }
        });
    }

    private void deliver(
            Map<String, PresenceState> batch, Map<String, Long> heardAt, Map<String, Set<String>> contacts) {
        batches.incrementAndGet();
        Map<String, List<ServerFrame.PresenceEntry>> bySubscriber = new LinkedHashMap<>();
        long now = clock.millis();
        contacts.forEach((changed, subscribers) -> {
            PresenceState s = batch.get(changed);
            if (s == null) {
                return;
            }
            ServerFrame.PresenceEntry e = entry(s);
            boolean seen = false;
            for (String sub : subscribers) {
                if (local.hasUser(sub)) {
                    bySubscriber.computeIfAbsent(sub, k -> new ArrayList<>()).add(e);
                    seen = true;
                }
            }
            if (seen) {
                lagMillis.accept(now - heardAt.get(changed));
            }
        });
        bySubscriber.forEach((sub, entries) -> {
            // Counted before the frame leaves: whoever has seen the frame (a scrape after it) sees it counted too.
            framesSent.incrementAndGet();
            updatesSent.addAndGet(entries.size());
            updatesDelivered.accept(entries.size());
            local.sendTo(sub, codec.encode(new ServerFrame.Presence(entries, null)));
        });
    }

    @Override
    public void close() {
        flushing.cancel();
        refreshing.cancel();
    }
}
