package io.parley.server.auth;

import io.parley.server.store.ChatStore;
import io.parley.server.time.Scheduler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The banned users as this node knows them. A ban is written to the store by {@code parley admin ban} (another
 * process, maybe on another machine), so every node reads the list of banned ids from the store at start and every
 * {@link #REFRESH} after: a ban takes effect on every node within that long, and checking a token costs a set lookup,
 * no store read. The read runs on the store's reader threads; nothing here blocks the caller of {@link #isBanned}.
 * <p>
 * After each refresh {@code onRefresh} is given the whole set (not only the new bans), so a session that
 * authenticated while a refresh was on its way is closed by the next one. A refresh that fails keeps the last list
 * and is logged; the next one tries again.
 */
public final class BanList implements AutoCloseable {
    /** How long a ban may take to reach every node (the bound on closing a banned user's live sessions). */
    public static final Duration REFRESH = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(BanList.class);

    private final ChatStore store;
    private final Consumer<Set<String>> onRefresh;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Set<String> banned = Set.of();
    /** Users {@link #add}ed, each with the value of {@link #addSeq} it got. */
    private final java.util.Map<String, Long> added = new java.util.concurrent.ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicLong addSeq = new java.util.concurrent.atomic.AtomicLong();

    private volatile Scheduler.Cancellable task;

    private BanList(ChatStore store, Consumer<Set<String>> onRefresh) {
        this.store = store;
        this.onRefresh = onRefresh;
    }

    /**
     * Reads the list once (blocking, at start-up: a node must not admit banned users before its first refresh), then
     * refreshes it every {@link #REFRESH} on {@code timers}. {@code onRefresh} runs on a store thread and must not
     * block.
     */
    public static BanList start(ChatStore store, Scheduler timers, Consumer<Set<String>> onRefresh) {
        BanList list = new BanList(store, onRefresh);
        try {
            list.banned = Set.copyOf(store.bannedUsers().get(30, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the banned users", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the banned users: " + e, e);
        }
        list.task = timers.every(REFRESH, list::refresh);
        return list;
    }

    public boolean isBanned(String userId) {
        return banned.contains(userId);
    }

    /**
     * Counts {@code userId} as banned from now on, before the next read confirms it (a ban entry of the revocation
     * log: {@link Revocations}). Callers close the user's sessions after this, so a reconnect is refused.
     */
    public void add(String userId) {
        // Kept through a refresh that may have read the store before the ban committed: until a read that started
        // after this call (and so sees the committed ban, or its unban) has replaced the set.
        added.put(userId, addSeq.incrementAndGet());
        synchronized (this) {
            if (!banned.contains(userId)) {
                Set<String> now = new java.util.HashSet<>(banned);
                now.add(userId);
                banned = Set.copyOf(now);
            }
        }
    }

    private Set<String> withAdded(Set<String> read, long seqAtStart) {
        added.values().removeIf(seq -> seq <= seqAtStart);
        if (added.isEmpty()) {
            return read;
        }
        Set<String> all = new java.util.HashSet<>(read);
        all.addAll(added.keySet());
        return Set.copyOf(all);
    }

    /** Reads the list again now (one read at a time: a refresh still on its way makes this one a no-op). */
    public CompletableFuture<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long seqAtStart = addSeq.get();
        CompletableFuture<Set<String>> read;
        try {
            read = store.bannedUsers();
        } catch (RuntimeException e) {
            refreshing.set(false);
            LOG.warn("reading the banned users failed (keeping the last list): {}", e.toString());
            return CompletableFuture.failedFuture(e);
        }
        return read.handle((ids, err) -> {
            try {
                if (err != null) {
                    LOG.warn("reading the banned users failed (keeping the last list): {}", err.toString());
                    return null;
                }
                Set<String> now = withAdded(Set.copyOf(ids), seqAtStart);
                if (!now.equals(banned)) {
                    LOG.info("banned users: {} (was {})", now.size(), banned.size());
                }
                banned = now;
                if (!now.isEmpty()) {
                    try {
                        onRefresh.accept(now);
                    } catch (RuntimeException e) {
                        LOG.warn("closing the sessions of banned users failed (the next refresh tries again)", e);
                    }
                }
                return null;
            } finally {
                refreshing.set(false);
            }
        });
    }

    @Override
    public void close() {
        Scheduler.Cancellable t = task;
        if (t != null) {
            t.cancel();
        }
    }
}
