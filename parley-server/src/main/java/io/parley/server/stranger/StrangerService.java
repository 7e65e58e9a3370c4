package io.parley.server.stranger;

import io.parley.protocol.ClientFrame;
import io.parley.protocol.ErrorCode;
import io.parley.protocol.ServerFrame;
import io.parley.server.auth.AccountRules;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Signal;
import io.parley.server.config.Config;
import io.parley.server.log.Log;
import io.parley.server.log.MatchLog;
import io.parley.server.match.Counts;
import io.parley.server.match.Matcher;
import io.parley.server.match.Pair;
import io.parley.server.match.Ticket;
import io.parley.server.store.ChatStore;
import io.parley.server.store.LogEntry;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.Pseudonyms;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The matching frames of this node's sessions (docs/protocol.md, "Matching"). A session enters matching with its
 * first {@code match_join}, which takes the user's matching lock; from then on the lock is renewed every third of
 * {@code match.lock-ttl} until the session closes, the user is queued or paired through the {@link Matcher}, and
 * every answer goes to the session's {@link Peer}. The partner, wherever connected, hears through the bus (a
 * {@link Signal} to the partner's user id). Every matcher failure is answered with {@code unavailable}: nothing is
 * decided without the matcher.
 * <p>
 * Thread-safe: frames arrive on the sessions' loops, matcher answers and timers on other threads; the per-session
 * state is a concurrent map of small objects whose fields are written under their own monitor.
 */
public final class StrangerService implements AutoCloseable {
    private static final Log LOG = Log.named("io.parley.match");

    /** The title of a stranger conversation: nothing of either account. */
    public static final String TITLE = "Stranger";

    /** How many recent messages a report sends along. */
    static final int REPORT_MESSAGES = 50;

    /**
     * Where a report goes besides the {@code match_report} log line: the moderation queue when the node runs one
     * (docs/api.md, "The moderation queue"). Completes once the report is durable there.
     */
    @FunctionalInterface
    public interface Reports {
        /** Only the log line. */
        Reports LOG_ONLY =
                (conversationId, reporterId, reportedId, reason, messages) -> CompletableFuture.completedFuture(null);

        CompletableFuture<?> report(
                String conversationId, String reporterId, String reportedId, String reason, List<String> messages);
    }

    /** A session as the service sees it. {@link #send} may be called from any thread. */
    public interface Peer {
        String userId();

        String sessionId();

        void send(ServerFrame frame);
    }

    private static final class Entry {
        final Peer peer;
        Ticket ticket;
        Scheduler.Cancellable renewal;
        Scheduler.Cancellable relax;

        Entry(Peer peer) {
            this.peer = peer;
        }

        synchronized void cancelRelax() {
            if (relax != null) {
                relax.cancel();
                relax = null;
            }
        }

        synchronized void cancelAll() {
            cancelRelax();
            if (renewal != null) {
                renewal.cancel();
                renewal = null;
            }
        }
    }

    private final Matcher matcher;
    private final ChatStore store;
    private final Bus bus;
    private final Scheduler timers;
    private final Config.Match settings;
    private final Pseudonyms pseudonyms;
    private final Reports reports;
    private final SecureRandom random = new SecureRandom();
    /** The sessions of this node that hold their user's matching lock, by session id. */
    private final ConcurrentHashMap<String, Entry> sessions = new ConcurrentHashMap<>();

    public StrangerService(
            Matcher matcher, ChatStore store, Bus bus, Pseudonyms pseudonyms, Config.Match settings, Scheduler timers) {
        this(matcher, store, bus, pseudonyms, settings, timers, Reports.LOG_ONLY);
    }

    /** {@code reports}: where a report's recent messages go for review (besides the log line). */
    public StrangerService(
            Matcher matcher,
            ChatStore store,
            Bus bus,
            Pseudonyms pseudonyms,
            Config.Match settings,
            Scheduler timers,
            Reports reports) {
        this.reports = reports;
        this.matcher = matcher;
        this.pseudonyms = pseudonyms;
        this.store = store;
        this.bus = bus;
        this.settings = settings;
        this.timers = timers;
    }

    /** The matcher's settings for {@code match.*}. */
    public static Matcher.Settings settings(Config.Match m) {
        return new Matcher.Settings(m.lockTtl(), m.grace(), m.skipCooldown(), m.stateTtl(), m.maxScan());
    }

    /** Online and waiting counts (REST {@code GET /api/v1/match/stats} and the {@code waiting} frame). */
    public CompletableFuture<Counts> counts() {
        return matcher.counts();
    }

    /** A matching frame of {@code peer}'s session. */
    public void onFrame(Peer peer, ClientFrame.Match m) {
        switch (m.action()) {
            case "join":
                join(peer, m);
                break;
            case "leave":
                withEntry(peer, m, e -> leave(e, m));
                break;
            case "next":
                withEntry(peer, m, e -> end(e, m, true, false));
                break;
            case "end":
                withEntry(peer, m, e -> end(e, m, false, false));
                break;
            case "block":
                withEntry(peer, m, e -> end(e, m, false, true));
                break;
            case "report":
                withEntry(peer, m, e -> report(e, m));
                break;
            default:
                peer.send(error(ErrorCode.UNKNOWN_TYPE, "unknown matching action", m));
        }
    }

    /** The session closed: its pair (if any) waits {@code match.grace} for the user to come back. */
    public void onClosed(String userId, String sessionId) {
        Entry e = sessions.remove(sessionId);
        if (e == null) {
            return;
        }
        e.cancelAll();
        matcher.unlock(userId, sessionId).whenComplete((pair, err) -> {
            if (err != null) {
                LOG.warn("match_unlock_failed", "user", userId, "error", String.valueOf(err));
                return; // the lock lapses by itself; the partner's renewal then finds the pair gone
            }
            pair.ifPresent(p -> {
                // The timer first: once the partner hears of the grace, its end is already scheduled.
                timers.after(
                        settings.grace(),
                        () -> matcher.endIfAway(userId).whenComplete((ended, failed) -> {
                            if (failed != null) {
                                LOG.warn("match_grace_end_failed", "user", userId, "error", String.valueOf(failed));
                            } else {
                                ended.ifPresent(
                                        q -> signal(q, event("partner_left", null, q.mirror(), null, "timeout")));
                            }
                        }));
                signal(
                        p,
                        event("partner_away", null, p.mirror(), settings.grace().toMillis(), null));
            });
        });
    }

    // ---- join -------------------------------------------------------------------------------------------------------

    private void join(Peer peer, ClientFrame.Match m) {
        matcher.lock(peer.userId(), peer.sessionId(), m.takeover()).whenComplete((lock, err) -> {
            if (err != null) {
                peer.send(unavailable(m, err));
                return;
            }
            if (!lock.held()) {
                peer.send(error(
                        ErrorCode.MATCH_SESSION_TAKEN,
                        "another session of this user is matching; join with takeover: true to move it here",
                        m));
                return;
            }
            if (lock.previous() != null) {
                Entry old = sessions.remove(lock.previous());
                if (old != null) {
                    old.cancelAll();
                    old.peer.send(lost(old.peer.sessionId(), "taken_over"));
                }
            }
            Entry e = sessions.computeIfAbsent(peer.sessionId(), k -> startRenewal(new Entry(peer)));
            Ticket t = new Ticket(peer.userId(), peer.sessionId(), m.interests(), m.language(), false);
            synchronized (e) {
                e.ticket = t;
            }
            e.cancelRelax();
            attempt(e, t, m, false);
        });
    }

    private Entry startRenewal(Entry e) {
        long period = Math.max(1, settings.lockTtl().toMillis() / 3);
        e.renewal = timers.every(Duration.ofMillis(period), () -> renew(e));
        return e;
    }

    private void renew(Entry e) {
        Peer peer = e.peer;
        matcher.renew(peer.userId(), peer.sessionId()).whenComplete((r, err) -> {
            if (err != null) {
                LOG.warn("match_renew_failed", "user", peer.userId(), "error", String.valueOf(err));
                return;
            }
            if (!r.held()) {
                if (sessions.remove(peer.sessionId(), e)) {
                    e.cancelAll();
                    peer.send(lost(peer.sessionId(), "lapsed"));
                }
                return;
            }
            if (r.ended() != null) {
                peer.send(event("partner_left", null, r.ended(), null, "timeout"));
            }
        });
    }

    /** One join attempt; {@code relaxing}: the relax timer's, which answers nothing unless it makes a pair. */
    private void attempt(Entry e, Ticket t, ClientFrame.Match m, boolean relaxing) {
        Peer peer = e.peer;
        String conversationId = Pseudonyms.ID_PREFIX + token(20);
        matcher.join(t, conversationId, alias(), alias()).whenComplete((r, err) -> {
            if (err != null) {
                if (!relaxing) {
                    peer.send(unavailable(m, err));
                }
                return;
            }
            switch (r.outcome()) {
                case NOT_LOCKED:
                    if (!relaxing) {
                        peer.send(error(
                                ErrorCode.MATCH_SESSION_TAKEN,
                                "this session no longer holds the matching session; join with takeover: true",
                                m));
                    }
                    break;
                case PAIRED:
                    if (!relaxing) {
                        e.cancelRelax();
                        peer.send(event("rejoined", m.ref(), r.pair(), null, null));
                        signal(r.pair(), event("partner_back", null, r.pair().mirror(), null, null));
                    }
                    break;
                case MATCHED:
                    e.cancelRelax();
                    created(e, r.pair(), m);
                    break;
                case WAITING:
                    if (!relaxing) {
                        waiting(peer, m);
                    }
                    if (t.narrow()) {
                        scheduleRelax(e, t);
                    }
                    break;
            }
        });
    }

    // Identity on purpose: a ticket is the one join it came from; an equal ticket of a later join must not be relaxed
    // by this join's timer.
    @SuppressWarnings("ReferenceEquality")
    private void scheduleRelax(Entry e, Ticket t) {
        synchronized (e) {
            if (e.relax != null || e.ticket != t) {
                return;
            }
            e.relax = timers.after(settings.relaxAfter(), () -> {
                Ticket relaxed;
                synchronized (e) {
                    e.relax = null;
                    if (e.ticket != t) {
                        return;
                    }
                    relaxed = t.relax();
                    e.ticket = relaxed;
                }
                attempt(e, relaxed, new ClientFrame.Match("join", null, List.of(), null, false, null), true);
            });
        }
    }

    /**
     * A new pair: its stranger conversation first (with both pseudonyms, which every face of it shows instead of
     * the accounts), then both sides are told.
     */
    private void created(Entry e, Pair p, ClientFrame.Match m) {
        // Before the commit: the conversation's first events are masked with these as they are published.
        pseudonyms.remember(p.conversationId(), Map.of(p.userId(), p.alias(), p.partnerId(), p.partnerAlias()));
        store.createStranger(
                        p.conversationId(),
                        p.userId(),
                        p.alias(),
                        p.partnerId(),
                        p.partnerAlias(),
                        TITLE,
                        timers.clock().millis())
                .whenComplete((c, err) -> {
                    if (err == null) {
                        e.peer.send(event("matched", m.ref(), p, null, null));
                        signal(p, event("matched", null, p.mirror(), null, null));
                        return;
                    }
                    LOG.warn("match_conversation_failed", "user", p.userId(), "error", String.valueOf(err));
                    matcher.end(p.userId(), false, false).whenComplete((x, ignored) -> {
                        e.peer.send(unavailable(m, err));
                        signal(p, event("partner_left", null, p.mirror(), null, "error"));
                    });
                });
    }

    private void waiting(Peer peer, ClientFrame.Match m) {
        matcher.counts().whenComplete((c, err) -> {
            Long online = err == null ? c.online() : null;
            Long waiting = err == null ? c.waiting() : null;
            peer.send(new ServerFrame.Match("waiting", m.ref(), null, null, null, online, waiting, null, null, null));
        });
    }

    // ---- leave, next, end, block, report
    // ------------------------------------------------------------------------------

    private void withEntry(Peer peer, ClientFrame.Match m, java.util.function.Consumer<Entry> action) {
        Entry e = sessions.get(peer.sessionId());
        if (e == null) {
            peer.send(error(ErrorCode.BAD_REQUEST, "this session is not matching: send match_join first", m));
            return;
        }
        action.accept(e);
    }

    private void leave(Entry e, ClientFrame.Match m) {
        synchronized (e) {
            e.ticket = null;
        }
        e.cancelRelax();
        matcher.leave(e.peer.userId())
                .whenComplete((was, err) ->
                        e.peer.send(err != null ? unavailable(m, err) : event("left", m.ref(), null, null, null)));
    }

    private void end(Entry e, ClientFrame.Match m, boolean skip, boolean block) {
        Peer peer = e.peer;
        matcher.end(peer.userId(), skip, block).whenComplete((pair, err) -> {
            if (err != null) {
                peer.send(unavailable(m, err));
                return;
            }
            if (pair.isEmpty()) {
                peer.send(error(ErrorCode.BAD_REQUEST, "not in a pair", m));
                return;
            }
            Pair p = pair.get();
            signal(p, event("partner_left", null, p.mirror(), null, skip ? "skipped" : "ended"));
            if (block) {
                // Permanent: the store is the blocks' source (the matcher's copy is rebuilt from it at start), and
                // "ended" is the answer only once the block is durable.
                store.addMatchBlock(peer.userId(), p.partnerId(), timers.clock().millis())
                        .whenComplete((x, failed) -> peer.send(
                                failed != null ? unavailable(m, failed) : event("ended", m.ref(), p, null, "block")));
                return;
            }
            peer.send(event("ended", m.ref(), p, null, m.action()));
            if (skip) {
                Ticket t;
                synchronized (e) {
                    t = e.ticket != null
                            ? new Ticket(
                                    peer.userId(), peer.sessionId(), e.ticket.interests(), e.ticket.language(), false)
                            : new Ticket(peer.userId(), peer.sessionId(), List.of(), null, false);
                    e.ticket = t;
                }
                attempt(e, t, m, false);
            }
        });
    }

    private void report(Entry e, ClientFrame.Match m) {
        Peer peer = e.peer;
        matcher.pairOf(peer.userId())
                .thenCompose(pair -> {
                    if (pair.isEmpty()) {
                        peer.send(error(ErrorCode.BAD_REQUEST, "not in a pair", m));
                        return CompletableFuture.completedFuture(null);
                    }
                    Pair p = pair.get();
                    return store.eventsBefore(p.conversationId(), Long.MAX_VALUE, REPORT_MESSAGES * 2)
                            .thenCompose(events -> {
                                List<String> lines = new ArrayList<>();
                                for (LogEntry ev : events) {
                                    if (ev instanceof LogEntry.MessagePosted mp && !mp.deleted()) {
                                        String who =
                                                peer.userId().equals(mp.header().actorId()) ? "reporter" : "reported";
                                        lines.add(mp.header().seq() + " " + who + ": " + mp.body());
                                    }
                                }
                                List<String> recent =
                                        lines.subList(Math.max(0, lines.size() - REPORT_MESSAGES), lines.size());
                                MatchLog.report(peer.userId(), p.partnerId(), p.conversationId(), m.reason(), recent);
                                // "reported" once the report is durable in the queue: a failure answers unavailable.
                                return reports.report(
                                                p.conversationId(),
                                                peer.userId(),
                                                p.partnerId(),
                                                m.reason(),
                                                List.copyOf(recent))
                                        .thenRun(() -> peer.send(event("reported", m.ref(), p, null, null)));
                            });
                })
                .whenComplete((x, err) -> {
                    if (err != null) {
                        peer.send(unavailable(m, err));
                    }
                });
    }

    // ---- frames -----------------------------------------------------------------------------------------------------

    private void signal(Pair p, ServerFrame.Match frame) {
        bus.publish(new Signal(List.of(p.partnerId()), frame));
    }

    private static ServerFrame.Match event(String event, String ref, Pair p, Long graceMs, String reason) {
        return new ServerFrame.Match(
                event,
                ref,
                p == null ? null : p.conversationId(),
                p == null ? null : p.partnerAlias(),
                p == null ? null : p.alias(),
                null,
                null,
                graceMs,
                reason,
                null);
    }

    private static ServerFrame.Match lost(String sessionId, String reason) {
        return new ServerFrame.Match("lost", null, null, null, null, null, null, null, reason, sessionId);
    }

    private static ServerFrame.Error error(ErrorCode code, String message, ClientFrame.Match m) {
        return new ServerFrame.Error(code.wire(), message, m.ref() != null ? m.ref() : m.type());
    }

    private static ServerFrame.Error unavailable(ClientFrame.Match m, Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        LOG.warn("match_unavailable", "frame", m.type(), "error", String.valueOf(cause));
        return error(ErrorCode.UNAVAILABLE, "matching is unavailable right now; try again", m);
    }

    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();

    private String token(int chars) {
        char[] out = new char[chars];
        for (int i = 0; i < chars; i++) {
            out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    /** A pseudonym for one side of one pair: random, so it says nothing of the account and differs every pair. */
    private String alias() {
        return AccountRules.PSEUDONYM_PREFIX + token(6);
    }

    /** Stops the renewals; the locks lapse by themselves (the sessions are closed by the node's stop). */
    @Override
    public void close() {
        sessions.values().forEach(Entry::cancelAll);
        sessions.clear();
    }
}
