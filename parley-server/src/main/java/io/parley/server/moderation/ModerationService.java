package io.parley.server.moderation;

import io.parley.protocol.ErrorCode;
import io.parley.server.auth.CloseSignal;
import io.parley.server.chat.ChatException;
import io.parley.server.chat.ChatService;
import io.parley.server.chat.Mutes;
import io.parley.server.log.AdminLog;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ModerationStore;
import io.parley.server.store.ModerationStore.AdminAudit;
import io.parley.server.store.ModerationStore.Mute;
import io.parley.server.store.ModerationStore.Report;
import io.parley.server.store.Revocation;
import io.parley.server.store.Role;
import io.parley.server.store.SessionStore;
import io.parley.server.time.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of server admins and moderation (docs/api.md, "Administration and moderation"). Every method returns a
 * future that fails with {@link ChatException} for a refused request ({@code forbidden} for a caller who is no server
 * admin, whether or not the target exists).
 * <p>
 * The admins and the mutes in force are kept in memory, read from the store at start (blocking) and every
 * {@link #REFRESH} after (on the store's threads), and changed at once by this node's own writes: {@link #muted} and
 * {@link #isAdmin} cost a map lookup and no store read, and a change made on another node (or by the operator's
 * command line) takes effect here within {@link #REFRESH}.
 */
public final class ModerationService implements Mutes, AutoCloseable {
    /** How often the admins and mutes are read again: the bound on a change reaching every node. */
    public static final Duration REFRESH = Duration.ofSeconds(1);
    /** The longest report reason, in characters. */
    public static final int MAX_REASON = 500;

    private static final Logger LOG = LoggerFactory.getLogger(ModerationService.class);

    private final ModerationStore store;
    private final ChatStore chatStore;
    private final SessionStore sessions;
    private final CloseSignal signal;
    private final Clock clock;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Set<String> admins = Set.of();
    /** Conversation id + "\n" + user id to the mute's end (Long.MAX_VALUE: until unmuted). */
    private volatile Map<String, Long> mutes = Map.of();
    /** This node's own mute changes since the refresh that is on its way began (kept through it). */
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    /** This node's own admin grants (true) and revocations (false), kept the same way. */
    private final Map<String, Boolean> pendingAdmins = new ConcurrentHashMap<>();

    private volatile Scheduler.Cancellable task;

    private ModerationService(
            ModerationStore store, ChatStore chatStore, SessionStore sessions, CloseSignal signal, Clock clock) {
        this.store = store;
        this.chatStore = chatStore;
        this.sessions = sessions;
        this.signal = signal;
        this.clock = clock;
    }

    /**
     * Reads the admins and mutes once (blocking, at start-up: a node must not let a muted member send before it
     * knows), then every {@link #REFRESH} on {@code timers}.
     */
    public static ModerationService start(
            ModerationStore store,
            ChatStore chatStore,
            SessionStore sessions,
            CloseSignal signal,
            Scheduler timers,
            Clock clock) {
        ModerationService m = new ModerationService(store, chatStore, sessions, signal, clock);
        try {
            m.refresh().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the admins and mutes", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the admins and mutes: " + e, e);
        }
        m.task = timers.every(REFRESH, () -> m.refresh());
        return m;
    }

    @Override
    public boolean muted(String conversationId, String userId) {
        Map<String, Long> m = mutes;
        if (m.isEmpty()) {
            return false; // the common case on the send path: no key built, nothing allocated
        }
        Long until = m.get(key(conversationId, userId));
        return until != null && until > clock.millis();
    }

    public boolean isAdmin(String userId) {
        return admins.contains(userId);
    }

    // ---- server admins ---------------------------------------------------------------------------------------------

    /** Grants or revokes the admin role (an admin's request, or {@code auth.admins} at start with actor "config"). */
    public CompletableFuture<Boolean> setAdmin(String actorId, String userId, boolean admin) {
        return mapped(store.setAdmin(actorId, userId, admin, clock.millis()).thenApply(changed -> {
            if (changed) {
                AdminLog.action(actorId, admin ? "grant_admin" : "revoke_admin", userId);
                changedAdmin(userId, admin);
            }
            return changed;
        }));
    }

    /**
     * An admin bans or unbans a user: the same store write as {@code parley admin ban} (ban list and revocation log in
     * one transaction), then the log's entry on the close signal, so every node closes the user's sockets with 4001
     * at once (and within {@code Revocations.POLL} should the signal lose it). True when it changed something.
     */
    public CompletableFuture<Boolean> ban(String actorId, String userId, boolean banned) {
        return requireAdmin(actorId).thenCompose(v -> {
            long now = clock.millis();
            return mapped(store.ban(actorId, userId, banned, now)).thenCompose(changed -> {
                if (!changed) {
                    return CompletableFuture.completedFuture(false);
                }
                AdminLog.action(actorId, banned ? "ban" : "unban", userId);
                if (!banned) {
                    return CompletableFuture.completedFuture(true);
                }
                return sessions.revocationsSince(now).thenApply(entries -> {
                    List<Revocation> mine = new ArrayList<>();
                    for (Revocation r : entries) {
                        if (r.kind() == Revocation.Kind.BAN && r.target().equals(userId)) {
                            mine.add(r);
                        }
                    }
                    signal.publish(mine);
                    return true;
                });
            });
        });
    }

    /** The server-wide audit log, newest first (admins only). */
    public CompletableFuture<List<AdminAudit>> auditLog(String actorId, long beforeId, int limit) {
        return requireAdmin(actorId).thenCompose(v -> store.auditLog(beforeId, limit));
    }

    /** The reports, newest first (admins only). */
    public CompletableFuture<List<Report>> reports(String actorId, long beforeId, int limit) {
        return requireAdmin(actorId).thenCompose(v -> store.reports(beforeId, limit));
    }

    // ---- mutes -----------------------------------------------------------------------------------------------------

    /**
     * Mutes {@code userId} in the conversation until {@code untilMillis} (null: until unmuted). Allowed to the group's
     * owner (anyone but themselves), its admins (members only) and server admins (any member). In force on this node
     * when the future completes, on every other within {@link #REFRESH}.
     */
    public CompletableFuture<Mute> mute(String actorId, String conversationId, String userId, Long untilMillis) {
        long now = clock.millis();
        if (untilMillis != null && untilMillis <= now) {
            return CompletableFuture.failedFuture(
                    new ChatException(ErrorCode.INVALID_FIELD, "until must be in the future"));
        }
        return mayModerate(actorId, conversationId, userId)
                .thenCompose(v -> mapped(store.mute(conversationId, actorId, userId, untilMillis, now)))
                .thenApply(m -> {
                    long until = untilMillis == null ? Long.MAX_VALUE : untilMillis;
                    changed(key(conversationId, userId), until);
                    AdminLog.action(actorId, "member_muted", userId, "conversation", conversationId);
                    return m;
                });
    }

    /** Lifts a mute (same rule as {@link #mute}); true when one was in force. */
    public CompletableFuture<Boolean> unmute(String actorId, String conversationId, String userId) {
        return mayModerate(actorId, conversationId, userId)
                .thenCompose(v -> mapped(store.unmute(conversationId, actorId, userId, clock.millis())))
                .thenApply(was -> {
                    changed(key(conversationId, userId), 0L);
                    if (was) {
                        AdminLog.action(actorId, "member_unmuted", userId, "conversation", conversationId);
                    }
                    return was;
                });
    }

    // ---- reports ---------------------------------------------------------------------------------------------------

    /** A member reports a message; reporting it again returns the first report and stores nothing. */
    public CompletableFuture<Report> report(String conversationId, String reporterId, String messageId, String reason) {
        if (reason == null || reason.isBlank() || reason.codePointCount(0, reason.length()) > MAX_REASON) {
            return CompletableFuture.failedFuture(
                    new ChatException(ErrorCode.INVALID_FIELD, "reason must have 1 to " + MAX_REASON + " characters"));
        }
        return mapped(store.report(conversationId, reporterId, messageId, reason, clock.millis()));
    }

    /**
     * Reports several messages of one conversation at once, in order, each as {@link #report} (for callers such as
     * a stranger chat's "report": the pair's recent messages). Stops at the first refusal.
     */
    public CompletableFuture<List<Report>> report(
            String conversationId, String reporterId, List<String> messageIds, String reason) {
        CompletableFuture<List<Report>> all = CompletableFuture.completedFuture(new ArrayList<>());
        for (String id : messageIds) {
            all = all.thenCompose(
                    list -> report(conversationId, reporterId, id, reason).thenApply(r -> {
                        list.add(r);
                        return list;
                    }));
        }
        return all;
    }

    // ---- internals -------------------------------------------------------------------------------------------------

    private CompletableFuture<Void> requireAdmin(String actorId) {
        return isAdmin(actorId)
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(
                        new ChatException(ErrorCode.FORBIDDEN, "only server admins may do this"));
    }

    private CompletableFuture<Void> mayModerate(String actorId, String conversationId, String userId) {
        if (isAdmin(actorId)) {
            // A server admin need not be a member; the target must be one (the store checks).
            return CompletableFuture.completedFuture(null);
        }
        return mapped(chatStore.roleOf(conversationId, actorId))
                .thenCompose(actor -> mapped(chatStore.roleOf(conversationId, userId))
                        .thenApply(target -> {
                            Role actorRole = actor.orElseThrow(() ->
                                    new ChatException(ErrorCode.CONVERSATION_NOT_FOUND, "conversation not found"));
                            if (actorRole != Role.OWNER && actorRole != Role.ADMIN) {
                                throw new ChatException(
                                        ErrorCode.FORBIDDEN, "only owners and admins of a group mute members");
                            }
                            if (target.isEmpty()) {
                                throw new ChatException(ErrorCode.USER_NOT_FOUND, "no such member");
                            }
                            if (userId.equals(actorId)
                                    || target.get() == Role.OWNER
                                    || (actorRole == Role.ADMIN && target.get() == Role.ADMIN)) {
                                throw new ChatException(
                                        ErrorCode.FORBIDDEN, "the owner mutes anyone else; admins mute members only");
                            }
                            return null;
                        }));
    }

    /** This node's own change, in force at once; synchronized with a refresh's swap so neither loses the other. */
    private synchronized void changed(String key, long until) {
        pending.put(key, until);
        Map<String, Long> now = new HashMap<>(mutes);
        now.put(key, until);
        mutes = Map.copyOf(now);
    }

    private synchronized void changedAdmin(String userId, boolean admin) {
        pendingAdmins.put(userId, admin);
        Set<String> now = new HashSet<>(admins);
        if (admin) {
            now.add(userId);
        } else {
            now.remove(userId);
        }
        admins = Set.copyOf(now);
    }

    private synchronized void replace(
            Set<String> readAdmins,
            Map<String, Long> read,
            Map<String, Long> before,
            Map<String, Boolean> adminsBefore,
            long now) {
        // Changes made here after this read began may be missing from it: keep them until the next one.
        before.forEach((k, v) -> pending.remove(k, v));
        adminsBefore.forEach((k, v) -> pendingAdmins.remove(k, v));
        read.putAll(pending);
        read.values().removeIf(until -> until <= now);
        Set<String> a = new HashSet<>(readAdmins);
        pendingAdmins.forEach((user, admin) -> {
            if (admin) {
                a.add(user);
            } else {
                a.remove(user);
            }
        });
        admins = Set.copyOf(a);
        mutes = Map.copyOf(read);
    }

    /** Reads the admins and mutes again now (one read at a time: a read on its way makes this one a no-op). */
    CompletableFuture<Void> refresh() {
        if (!refreshing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        Map<String, Long> before = Map.copyOf(pending);
        Map<String, Boolean> adminsBefore = Map.copyOf(pendingAdmins);
        long now = clock.millis();
        CompletableFuture<Void> read;
        try {
            read = store.admins().thenCombine(store.mutes(now), (a, ms) -> {
                Map<String, Long> next = new HashMap<>();
                for (Mute m : ms) {
                    next.put(
                            key(m.conversationId(), m.userId()),
                            m.untilMillis() == null ? Long.MAX_VALUE : m.untilMillis());
                }
                replace(a, next, before, adminsBefore, now);
                return null;
            });
        } catch (RuntimeException e) {
            refreshing.set(false);
            return CompletableFuture.failedFuture(e);
        }
        return read.whenComplete((v, err) -> {
            refreshing.set(false);
            if (err != null) {
                LOG.warn("reading the admins and mutes failed (keeping the last ones): {}", err.toString());
            }
        });
    }

    private static String key(String conversationId, String userId) {
        return conversationId + "\n" + userId;
    }

    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> f) {
        return f.exceptionallyCompose(ChatService::mapFailure);
    }

    @Override
    public void close() {
        Scheduler.Cancellable t = task;
        if (t != null) {
            t.cancel();
        }
    }
}
