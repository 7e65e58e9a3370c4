package io.parley.server.presence;

import io.parley.server.time.ExecutorScheduler;
import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: presence of this one node, in memory. A periodic task on the given scheduler expires sessions
 * whose TTL passed, timed by the scheduler's clock.
 * Listeners are called on the thread that caused the change, outside the lock.
 */
public final class LocalPresence implements Presence {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.presence");

    private record Typing(long startedAt, boolean stopped, long forgetAt) {}

    private final long ttlMillis;
    private final Clock clock;
    private final Object lock = new Object();
    /** user id -> session id -> expiry (epoch ms). */
    private final Map<String, Map<String, Long>> sessions = new HashMap<>();

    private final Map<String, Long> lastSeen = new HashMap<>();
    /** Where last seen survives a restart (null: nowhere); its times are read once per user, on the first lookup. */
    private volatile LastSeenStore history;
    /** Users whose stored time was read (or found absent). */
    private final java.util.Set<String> restored = new java.util.HashSet<>();

    private final Map<String, Typing> typing = new HashMap<>();
    private final List<Consumer<PresenceState>> listeners = new CopyOnWriteArrayList<>();
    private final Scheduler.Cancellable sweeping;
    /** The sweeper thread when this instance made its own (the two-argument constructor), else null. */
    private final ExecutorScheduler ownScheduler;

    /** On its own sweeper thread, for callers without a composition root (benchmarks). */
    public LocalPresence(long ttlMillis, Clock clock) {
        this(ttlMillis, new ExecutorScheduler("parley-presence-sweeper", clock), true);
    }

    /** Sweeps on {@code scheduler} and reads its clock; the scheduler stays the caller's. */
    public LocalPresence(long ttlMillis, Scheduler scheduler) {
        this(ttlMillis, scheduler, false);
    }

    private LocalPresence(long ttlMillis, Scheduler scheduler, boolean owned) {
        this.ttlMillis = ttlMillis;
        this.clock = scheduler.clock();
        this.ownScheduler = owned ? (ExecutorScheduler) scheduler : null;
        this.sweeping = scheduler.every(Duration.ofMillis(Presence.sweepPeriodMillis(ttlMillis)), this::sweep);
    }

    @Override
    public CompletableFuture<Void> connected(String userId, String sessionId) {
        boolean cameOnline;
        synchronized (lock) {
            Map<String, Long> mine = sessions.computeIfAbsent(userId, k -> new HashMap<>());
            cameOnline = mine.isEmpty();
            mine.put(sessionId, clock.millis() + ttlMillis);
        }
        if (cameOnline) {
            notify(new PresenceState(userId, true, null));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> disconnected(String userId, String sessionId) {
        PresenceState offline = null;
        synchronized (lock) {
            Map<String, Long> mine = sessions.get(userId);
            if (mine != null && mine.remove(sessionId) != null && mine.isEmpty()) {
                sessions.remove(userId);
                long now = clock.millis();
                lastSeen.put(userId, now);
                offline = new PresenceState(userId, false, now);
            }
        }
        if (offline != null) {
            notify(offline);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> refresh(Map<String, String> refreshed) {
        long expiry = clock.millis() + ttlMillis;
        synchronized (lock) {
            refreshed.forEach((sessionId, userId) -> {
                Map<String, Long> mine = sessions.get(userId);
                if (mine != null) {
                    mine.computeIfPresent(sessionId, (k, v) -> expiry);
                }
            });
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Reads last seen of users it has none of from {@code store} (a {@link LastSeenKeeper} writes it there). */
    void restoreFrom(LastSeenStore store) {
        this.history = store;
    }

    @Override
    public CompletableFuture<Map<String, PresenceState>> lookup(Collection<String> userIds) {
        LastSeenStore from = history;
        List<String> unknown = new ArrayList<>();
        if (from != null) {
            synchronized (lock) {
                for (String u : userIds) {
                    if (!sessions.containsKey(u) && !lastSeen.containsKey(u) && !restored.contains(u)) {
                        unknown.add(u);
                    }
                }
            }
        }
        if (unknown.isEmpty()) {
            return CompletableFuture.completedFuture(answer(userIds));
        }
        return from.load(unknown).thenApply(stored -> {
            synchronized (lock) {
                restored.addAll(unknown);
                // A time this node set meanwhile is newer than the stored one.
                stored.forEach(lastSeen::putIfAbsent);
            }
            return answer(userIds);
        });
    }

    private Map<String, PresenceState> answer(Collection<String> userIds) {
        Map<String, PresenceState> out = new LinkedHashMap<>();
        synchronized (lock) {
            for (String u : userIds) {
                boolean online = sessions.containsKey(u);
                out.put(u, new PresenceState(u, online, online ? null : lastSeen.get(u)));
            }
        }
        return out;
    }

    @Override
    public void listen(Consumer<PresenceState> listener) {
        listeners.add(listener);
    }

    @Override
    public CompletableFuture<Boolean> tryTyping(
            String conversationId, String userId, boolean active, long intervalMillis, long typingTtlMillis) {
        String key = conversationId + "\n" + userId;
        long now = clock.millis();
        boolean granted;
        synchronized (lock) {
            Typing t = typing.get(key);
            if (active) {
                granted = t == null || now - t.startedAt() >= intervalMillis;
                if (granted) {
                    typing.put(key, new Typing(now, false, now + Math.max(intervalMillis, typingTtlMillis)));
                }
            } else {
                granted = t != null && !t.stopped() && now - t.startedAt() < typingTtlMillis;
                if (granted) {
                    typing.put(key, new Typing(t.startedAt(), true, t.forgetAt()));
                }
            }
        }
        return CompletableFuture.completedFuture(granted);
    }

    /** Expires sessions past their TTL and forgets old typing entries. */
    void sweep() {
        long now = clock.millis();
        List<PresenceState> offline = new ArrayList<>();
        synchronized (lock) {
            Iterator<Map.Entry<String, Map<String, Long>>> users =
                    sessions.entrySet().iterator();
            while (users.hasNext()) {
                Map.Entry<String, Map<String, Long>> u = users.next();
                long latestExpiry = 0;
                Iterator<Map.Entry<String, Long>> it = u.getValue().entrySet().iterator();
                while (it.hasNext()) {
                    long expiry = it.next().getValue();
                    if (expiry <= now) {
                        latestExpiry = Math.max(latestExpiry, expiry);
                        it.remove();
                    }
                }
                if (u.getValue().isEmpty()) {
                    users.remove();
                    long seen = latestExpiry - ttlMillis;
                    lastSeen.put(u.getKey(), seen);
                    offline.add(new PresenceState(u.getKey(), false, seen));
                }
            }
            typing.values().removeIf(t -> t.forgetAt() <= now);
        }
        offline.forEach(this::notify);
    }

    private void notify(PresenceState state) {
        for (Consumer<PresenceState> l : listeners) {
            try {
                l.accept(state);
            } catch (RuntimeException e) {
                // One broken listener must not stop the others or the sweeper; the failure is reported, not hidden.
                LOG.warn("presence listener failed for {}", state.userId(), e);
            }
        }
    }

    @Override
    public void close() {
        sweeping.cancel();
        if (ownScheduler != null) {
            ownScheduler.close();
        }
    }
}
