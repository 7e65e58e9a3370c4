package io.parley.server.match;

import io.parley.server.time.Scheduler;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The matcher of a single node: the whole state in this object, every operation under its monitor (so each is one
 * atomic step, as the Redis script is in a cluster), times by the scheduler's clock. Expired entries are treated as
 * absent when met and swept every {@link Matcher.Settings#stateTtl}. Blocks: read from the store's
 * {@link Matcher.StoredBlocks} before the first pairing, then kept here (the service stores each new one).
 */
public final class LocalMatcher implements Matcher {
    private record Expiring<T>(T value, long expiresAt) {}

    private final Settings settings;
    private final java.time.Clock clock;
    private final Scheduler.Cancellable sweep;

    private final Map<String, Expiring<String>> locks = new HashMap<>();
    /** The queue in join order (FIFO), each with its ticket and expiry. */
    private final LinkedHashMap<String, Expiring<Ticket>> queue = new LinkedHashMap<>();

    private final Map<String, Expiring<Pair>> pairs = new HashMap<>();
    private final Map<String, Long> cooldowns = new HashMap<>();
    private final Map<String, Set<String>> blocks = new HashMap<>();
    private boolean closed;
    private final StoredBlocks stored;
    /** Completes once the stored blocks are in {@link #blocks}; null until the first join asks. Guarded by this. */
    private CompletableFuture<Void> blocksLoaded;

    public LocalMatcher(Settings settings, Scheduler scheduler, StoredBlocks stored) {
        this.settings = settings;
        this.stored = stored;
        this.clock = scheduler.clock();
        this.sweep = scheduler.every(settings.stateTtl(), this::sweep);
    }

    private <T> CompletableFuture<T> atomically(Supplier<T> op) {
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("matcher closed"));
            }
            return CompletableFuture.completedFuture(op.get());
        }
    }

    private long now() {
        return clock.millis();
    }

    private static <T> T live(Map<String, Expiring<T>> map, String key, long now) {
        Expiring<T> e = map.get(key);
        if (e == null) {
            return null;
        }
        if (e.expiresAt() <= now) {
            map.remove(key);
            return null;
        }
        return e.value();
    }

    private static String pairKey(String a, String b) {
        return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
    }

    @Override
    public CompletableFuture<Lock> lock(String userId, String sessionId, boolean takeover) {
        return atomically(() -> {
            long now = now();
            String current = live(locks, userId, now);
            if (current != null && !current.equals(sessionId) && !takeover) {
                return new Lock(false, null);
            }
            locks.put(userId, new Expiring<>(sessionId, now + settings.lockTtl().toMillis()));
            refreshPair(userId, now);
            return new Lock(true, current != null && !current.equals(sessionId) ? current : null);
        });
    }

    private void refreshPair(String userId, long now) {
        Pair p = live(pairs, userId, now);
        if (p != null) {
            pairs.put(userId, new Expiring<>(p, now + settings.stateTtl().toMillis()));
        }
    }

    @Override
    public CompletableFuture<Renewal> renew(String userId, String sessionId) {
        return atomically(() -> {
            long now = now();
            if (!sessionId.equals(live(locks, userId, now))) {
                return new Renewal(false, null);
            }
            locks.put(userId, new Expiring<>(sessionId, now + settings.lockTtl().toMillis()));
            Expiring<Ticket> t = queue.get(userId);
            if (t != null && t.expiresAt() > now) {
                queue.put(
                        userId,
                        new Expiring<>(t.value(), now + settings.stateTtl().toMillis()));
            }
            Pair p = live(pairs, userId, now);
            if (p != null) {
                Pair back = live(pairs, p.partnerId(), now);
                if (back == null || !back.partnerId().equals(userId)) {
                    pairs.remove(userId);
                    return new Renewal(true, p);
                }
                refreshPair(userId, now);
            }
            return new Renewal(true, null);
        });
    }

    @Override
    public CompletableFuture<Optional<Pair>> unlock(String userId, String sessionId) {
        return atomically(() -> {
            long now = now();
            if (!sessionId.equals(live(locks, userId, now))) {
                return Optional.empty();
            }
            locks.remove(userId);
            queue.remove(userId);
            Pair p = live(pairs, userId, now);
            if (p != null) {
                pairs.put(userId, new Expiring<>(p, now + settings.grace().toMillis()));
            }
            return Optional.ofNullable(p);
        });
    }

    @Override
    public CompletableFuture<JoinResult> join(Ticket ticket, String conversationId, String alias, String partnerAlias) {
        return blocksLoaded().thenCompose(x -> joinNow(ticket, conversationId, alias, partnerAlias));
    }

    /** The stored blocks, read once; a failed read is tried again by the next join. */
    private synchronized CompletableFuture<Void> blocksLoaded() {
        if (blocksLoaded == null || blocksLoaded.isCompletedExceptionally()) {
            blocksLoaded = stored.load().thenAccept(loaded -> {
                synchronized (this) {
                    loaded.forEach((u, set) ->
                            blocks.computeIfAbsent(u, k -> new HashSet<>()).addAll(set));
                }
            });
        }
        return blocksLoaded;
    }

    private CompletableFuture<JoinResult> joinNow(
            Ticket ticket, String conversationId, String alias, String partnerAlias) {
        return atomically(() -> {
            long now = now();
            String u = ticket.userId();
            if (!ticket.sessionId().equals(live(locks, u, now))) {
                return JoinResult.notLocked();
            }
            Pair existing = live(pairs, u, now);
            if (existing != null) {
                queue.remove(u);
                return new JoinResult(JoinResult.Outcome.PAIRED, existing);
            }
            int scanned = 0;
            for (Iterator<Map.Entry<String, Expiring<Ticket>>> it =
                            queue.entrySet().iterator();
                    it.hasNext() && scanned < settings.maxScan(); ) {
                Map.Entry<String, Expiring<Ticket>> e = it.next();
                String c = e.getKey();
                if (c.equals(u)) {
                    continue;
                }
                scanned++;
                boolean valid =
                        e.getValue().expiresAt() > now && live(locks, c, now) != null && live(pairs, c, now) == null;
                if (!valid) {
                    it.remove();
                    continue;
                }
                if (eligible(u, c, now) && ticket.compatible(e.getValue().value())) {
                    it.remove();
                    queue.remove(u);
                    Pair p = new Pair(u, c, conversationId, alias, partnerAlias);
                    long until = now + settings.stateTtl().toMillis();
                    pairs.put(u, new Expiring<>(p, until));
                    pairs.put(c, new Expiring<>(p.mirror(), until));
                    return new JoinResult(JoinResult.Outcome.MATCHED, p);
                }
            }
            long until = now + settings.stateTtl().toMillis();
            if (queue.containsKey(u)) {
                queue.replace(u, new Expiring<>(ticket, until)); // keeps its place
            } else {
                queue.put(u, new Expiring<>(ticket, until));
            }
            return JoinResult.waiting();
        });
    }

    private boolean eligible(String u, String c, long now) {
        if (blocks.getOrDefault(u, Set.of()).contains(c)
                || blocks.getOrDefault(c, Set.of()).contains(u)) {
            return false;
        }
        Long until = cooldowns.get(pairKey(u, c));
        return until == null || until <= now;
    }

    @Override
    public CompletableFuture<Boolean> leave(String userId) {
        return atomically(() -> queue.remove(userId) != null);
    }

    @Override
    public CompletableFuture<Optional<Pair>> end(String userId, boolean skip, boolean block) {
        return atomically(() -> Optional.ofNullable(endNow(userId, skip, block, now())));
    }

    private Pair endNow(String userId, boolean skip, boolean block, long now) {
        Pair p = live(pairs, userId, now);
        if (p == null) {
            return null;
        }
        pairs.remove(userId);
        Pair back = live(pairs, p.partnerId(), now);
        if (back != null && back.partnerId().equals(userId)) {
            pairs.remove(p.partnerId());
        }
        if (skip) {
            cooldowns.put(
                    pairKey(userId, p.partnerId()),
                    now + settings.skipCooldown().toMillis());
        }
        if (block) {
            blocks.computeIfAbsent(userId, k -> new HashSet<>()).add(p.partnerId());
        }
        return p;
    }

    @Override
    public CompletableFuture<Optional<Pair>> endIfAway(String userId) {
        return atomically(() -> {
            long now = now();
            if (live(locks, userId, now) != null) {
                return Optional.empty();
            }
            return Optional.ofNullable(endNow(userId, false, false, now));
        });
    }

    @Override
    public CompletableFuture<Optional<Pair>> pairOf(String userId) {
        return atomically(() -> Optional.ofNullable(live(pairs, userId, now())));
    }

    @Override
    public CompletableFuture<Counts> counts() {
        // Kept exact by the sweep; between sweeps an expired entry may still count (as in Redis's queue length).
        return atomically(() -> new Counts(locks.size(), queue.size()));
    }

    private synchronized void sweep() {
        long now = now();
        locks.values().removeIf(e -> e.expiresAt() <= now);
        queue.values().removeIf(e -> e.expiresAt() <= now);
        pairs.values().removeIf(e -> e.expiresAt() <= now);
        cooldowns.values().removeIf(until -> until <= now);
    }

    @Override
    public void close() {
        sweep.cancel();
        synchronized (this) {
            closed = true;
        }
    }
}
