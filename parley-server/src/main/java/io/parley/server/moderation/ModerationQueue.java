package io.parley.server.moderation;

import io.parley.protocol.ErrorCode;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Signal;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.ChatService;
import io.parley.server.chat.Screening;
import io.parley.server.config.Config;
import io.parley.server.limits.RateLimiter;
import io.parley.server.log.AdminLog;
import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.ModerationStore.Decision;
import io.parley.server.store.ModerationStore.QueueItem;
import io.parley.server.store.NewMessage;
import io.parley.server.store.User;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.Frames;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moderation queue (docs/api.md, "The moderation queue"): screens every send by the sender's {@link Reputation}
 * and holds a low-reputation sender's message in the store instead of the log; lets server admins list the queue and
 * approve (the message is appended to the log then, with the next seq, and delivered as any) or reject entries, each
 * decision audited; takes a stranger chat's reports with the pair's recent messages. The sender hears of a decision
 * through a {@code held} frame to their sessions. Server admins' own sends are never held.
 */
public final class ModerationQueue implements Screening, AutoCloseable {
    /** How often the report counts behind the reputation are read again. */
    public static final Duration REPORTS_REFRESH = Duration.ofSeconds(10);
    /** The longest note of a decision, in characters. */
    public static final int MAX_NOTE = 500;

    private static final Logger LOG = LoggerFactory.getLogger(ModerationQueue.class);

    private final ModerationService admins;
    private final ModerationStore store;
    private final Bus bus;
    private final Scheduler timers;
    private final Reputation reputation;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile List<Scheduler.Cancellable> tasks = List.of();

    private ModerationQueue(
            ModerationService admins,
            ModerationStore store,
            ChatStore users,
            Bus bus,
            Config.Moderation settings,
            Scheduler timers,
            RateLimiter sendRate) {
        this.admins = admins;
        this.store = store;
        this.bus = bus;
        this.timers = timers;
        this.reputation = settings.enabled()
                ? new Reputation(
                        settings,
                        timers.clock(),
                        id -> users.findUser(id).thenApply(u -> u.map(User::createdAt)),
                        sendRate)
                : null;
    }

    /**
     * With screening on ({@code moderation.enabled}), reads the report counts once (blocking, at start) and every
     * {@link #REPORTS_REFRESH} after; off, sends are never held and nothing is read. {@code sendRate}: the node's
     * rate limiter, where the reputation counts each sender's sends ({@code moderation.send-rate}; in Redis, for the
     * whole cluster, when the node has one).
     */
    public static ModerationQueue start(
            ModerationService admins,
            ModerationStore store,
            ChatStore users,
            Bus bus,
            Config.Moderation settings,
            Scheduler timers,
            RateLimiter sendRate) {
        ModerationQueue q = new ModerationQueue(admins, store, users, bus, settings, timers, sendRate);
        if (q.reputation != null) {
            try {
                q.refresh().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while reading the report counts", e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read the report counts: " + e, e);
            }
            q.tasks = List.of(timers.every(REPORTS_REFRESH, q::refresh));
        }
        return q;
    }

    // ---- the send path ---------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Appended> send(NewMessage m, Supplier<CompletableFuture<Appended>> append) {
        Reputation r = reputation;
        if (r == null || admins.isAdmin(m.senderId())) {
            return append.get();
        }
        return r.judge(m.senderId(), m.body()).thenCompose(v -> {
            if (!v.held()) {
                return append.get();
            }
            return store.hold(m, v.reason()).thenApply(h -> {
                if (h.posted() != null) {
                    return h.posted();
                }
                if (!h.duplicate()) {
                    AdminLog.action(
                            "system:reputation", "message_held", m.senderId(), "conversation", m.conversationId());
                }
                return Appended.held(h.item(), h.duplicate());
            });
        });
    }

    // ---- admins ----------------------------------------------------------------------------------------------------

    /** The queue, newest first; {@code status} pending, approved, rejected or null (all). Admins only. */
    public CompletableFuture<List<QueueItem>> queue(String actorId, String status, long beforeId, int limit) {
        return requireAdmin(actorId).thenCompose(v -> mapped(store.queue(status, beforeId, limit)));
    }

    /**
     * Approves or rejects a pending entry (admins only: {@code forbidden} for anyone else, whatever the id). An
     * unknown id fails with {@code not_found}; a decided entry, or a held message that can no longer be appended,
     * with {@code conflict}. The sender's sessions get a {@code held} frame with the new status.
     */
    public CompletableFuture<Decision> decide(String actorId, long id, boolean approve, String note) {
        if (note != null && note.codePointCount(0, note.length()) > MAX_NOTE) {
            return CompletableFuture.failedFuture(
                    new ChatException(ErrorCode.INVALID_FIELD, "note must have at most " + MAX_NOTE + " characters"));
        }
        return requireAdmin(actorId)
                .thenCompose(v -> mapped(
                        store.decide(id, actorId, approve, note, timers.clock().millis())))
                .thenApply(found -> {
                    Decision d = found.orElseThrow(
                            () -> new ChatException(ErrorCode.NOT_FOUND, "no moderation queue entry " + id));
                    QueueItem item = d.item();
                    AdminLog.action(
                            actorId,
                            (ModerationStore.HELD.equals(item.kind()) ? "message_" : "report_") + item.status(),
                            item.senderId(),
                            "conversation",
                            item.conversationId());
                    if (ModerationStore.HELD.equals(item.kind())) {
                        bus.publish(new Signal(List.of(item.senderId()), Frames.held(item, false)));
                    }
                    return d;
                });
    }

    // ---- stranger reports ------------------------------------------------------------------------------------------

    /** A stranger chat's report, with the pair's recent messages (one per line), queued for the admins. */
    public CompletableFuture<QueueItem> strangerReport(
            String conversationId, String reporterId, String reportedId, String reason, List<String> messages) {
        return mapped(store.queueReport(
                conversationId,
                reporterId,
                reportedId,
                reason == null || reason.isBlank() ? null : reason,
                String.join("\n", messages),
                timers.clock().millis()));
    }

    // ---- internals -------------------------------------------------------------------------------------------------

    private CompletableFuture<Void> requireAdmin(String actorId) {
        return admins.isAdmin(actorId)
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(
                        new ChatException(ErrorCode.FORBIDDEN, "only server admins may do this"));
    }

    /** Reads the report counts again (one read at a time). */
    CompletableFuture<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> read;
        try {
            read = store.reportCounts().thenAccept(reputation::reports);
        } catch (RuntimeException e) {
            refreshing.set(false);
            return CompletableFuture.failedFuture(e);
        }
        return read.whenComplete((v, err) -> {
            refreshing.set(false);
            if (err != null) {
                LOG.warn("reading the report counts failed (keeping the last ones): {}", err.toString());
            }
        });
    }

    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> f) {
        return f.exceptionallyCompose(ChatService::mapFailure);
    }

    @Override
    public void close() {
        tasks.forEach(Scheduler.Cancellable::cancel);
    }
}
