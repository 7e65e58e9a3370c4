package io.parley.server.auth;

import io.parley.server.store.Revocation;
import io.parley.server.store.SessionStore;
import io.parley.server.time.Scheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node refuses and closes: the store's revocation log ({@link SessionStore#revocationsSince}) as this node
 * knows it. Read whole at start (blocking: a node must not admit a revoked session before it knows it), then two ways
 * in, so that an order is carried out within a second on every node whichever way reaches it first:
 * <ul>
 *   <li>the {@link CloseSignal} (Redis in a cluster: milliseconds), and</li>
 *   <li>a read of the log's last {@link #WINDOW} every {@link #POLL}, for orders the signal lost and for those
 *       written by other processes ({@code parley admin ban} writes a ban entry in the ban's transaction).</li>
 * </ul>
 * Each entry is applied once (by id): the sets that {@link #refusal} checks are updated, then {@code onApply} closes the
 * live connections it names. Checking a token costs two map lookups and no store read.
 * <p>
 * Memory: every revoked session id stays known (tens of bytes each); a logout everywhere keeps one time per user.
 */
public final class Revocations implements AutoCloseable {
    /** How often the log is read: the bound on closing connections when the signal lost an order. */
    public static final Duration POLL = Duration.ofMillis(500);
    /**
     * How far back each read looks. PostgreSQL hands out ids before commit, so on several nodes a later commit may
     * carry a lower id; re-reading a window by time (deduplicated by id) catches those.
     */
    static final Duration WINDOW = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(Revocations.class);

    private final SessionStore store;
    private final Scheduler timers;
    private final Consumer<Revocation> onApply;
    private final Map<String, Long> revokedSessions = new ConcurrentHashMap<>();
    private final Map<String, Long> userNotBefore = new ConcurrentHashMap<>();
    /** Ids applied within the window (older ones can no longer come back from a read). */
    private final Map<Long, Long> applied = new HashMap<>();

    private final AtomicBoolean reading = new AtomicBoolean();
    private volatile Scheduler.Cancellable task;

    private Revocations(SessionStore store, Scheduler timers, Consumer<Revocation> onApply) {
        this.store = store;
        this.timers = timers;
        this.onApply = onApply;
    }

    /**
     * Reads the whole log (blocking, at start-up), subscribes to {@code signal} and polls on {@code timers}.
     * {@code onApply} runs on the store's or the signal's thread for every entry not seen before, and must not block.
     */
    public static Revocations start(
            SessionStore store, CloseSignal signal, Scheduler timers, Consumer<Revocation> onApply) {
        Revocations r = new Revocations(store, timers, onApply);
        List<Revocation> all;
        try {
            all = store.revocationsSince(0).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the revocation log", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the revocation log: " + e, e);
        }
        long horizon = timers.clock().millis() - WINDOW.toMillis();
        for (Revocation e : all) {
            // Known, not applied: nothing is connected yet at start.
            r.remember(e);
            if (e.at() >= horizon) {
                synchronized (r.applied) {
                    r.applied.put(e.id(), e.at());
                }
            }
        }
        signal.subscribe(r::apply);
        r.task = timers.every(POLL, r::poll);
        return r;
    }

    /** Why a token of this principal is refused, or null when it is not. */
    public String refusal(Principal p) {
        if (p.sessionId() != null && revokedSessions.containsKey(p.sessionId())) {
            return "session revoked";
        }
        Long notBefore = userNotBefore.get(p.userId());
        // iat has whole seconds: a token counts as issued before a logout everywhere when its second is before the
        // logout's (docs/api.md, "Revoking tokens minted by your backend").
        if (notBefore != null && p.issuedAt() / 1000 < notBefore / 1000) {
            return "session revoked";
        }
        return null;
    }

    public boolean sessionRevoked(String sessionId) {
        return revokedSessions.containsKey(sessionId);
    }

    private void remember(Revocation e) {
        switch (e.kind()) {
            case SESSION:
                revokedSessions.put(e.target(), e.at());
                break;
            case USER:
                userNotBefore.merge(e.target(), e.at(), Math::max);
                break;
            case BAN:
                break;
        }
    }

    /** Applies one entry if it is new here: the sets first (tokens refused), then the connections closed. */
    public void apply(Revocation e) {
        synchronized (applied) {
            if (applied.putIfAbsent(e.id(), e.at()) != null) {
                return;
            }
        }
        remember(e);
        try {
            onApply.accept(e);
        } catch (RuntimeException ex) {
            LOG.warn("carrying out revocation {} failed", e, ex);
        }
    }

    /** Reads the log's last {@link #WINDOW} now and applies what is new (one read at a time). */
    public CompletableFuture<Void> poll() {
        if (!reading.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long now = timers.clock().millis();
        CompletableFuture<List<Revocation>> read;
        try {
            read = store.revocationsSince(now - WINDOW.toMillis());
        } catch (RuntimeException e) {
            reading.set(false);
            LOG.warn("reading the revocation log failed: {}", e.toString());
            return CompletableFuture.failedFuture(e);
        }
        return read.handle((entries, err) -> {
            try {
                if (err != null) {
                    LOG.warn("reading the revocation log failed (the next read tries again): {}", err.toString());
                    return null;
                }
                for (Revocation e : entries) {
                    apply(e);
                }
                long horizon = now - 2 * WINDOW.toMillis();
                synchronized (applied) {
                    applied.values().removeIf(at -> at < horizon);
                }
                return null;
            } finally {
                reading.set(false);
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
