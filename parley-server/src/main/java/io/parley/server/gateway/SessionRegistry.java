package io.parley.server.gateway;

import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.server.auth.Principal;
import io.parley.server.bus.Delivery;
import io.parley.server.bus.Signal;
import io.parley.server.bus.Sink;
import io.parley.server.log.DeliveryLog;
import io.parley.server.presence.LocalSessions;
import io.parley.server.presence.Presence;
import io.parley.server.store.EventHeader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions of this node by user, and the node's sink of the bus: an event's frame (encoded once at commit) and an
 * ephemeral frame (encoded once here) go to every local session of every recipient, one task per event loop.
 */
public final class SessionRegistry implements LocalSessions, Sink {
    private final Map<String, CopyOnWriteArrayList<Session>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final FrameCodec codec;
    private final Presence presence;
    private final DeliveryLog deliveryLog;

    public SessionRegistry(FrameCodec codec, Presence presence) {
        this(codec, presence, DeliveryLog.off());
    }

    /** {@code deliveryLog}: which messages get a {@code message_delivered} line (a sample). */
    public SessionRegistry(FrameCodec codec, Presence presence, DeliveryLog deliveryLog) {
        this.codec = codec;
        this.presence = presence;
        this.deliveryLog = deliveryLog;
    }

    /** Registers an authenticated session: events for its user reach it from now on. */
    void add(Session s) {
        byUser.compute(s.userId(), (k, list) -> {
            if (list == null) {
                list = new CopyOnWriteArrayList<>();
            }
            list.add(s);
            return list;
        });
        count.incrementAndGet();
        presence.connected(s.userId(), s.id()).whenComplete((v, err) -> {
            if (err != null) {
                GatewayLog.LOG.warn("presence: connect of session {} not recorded: {}", s.id(), err.toString());
            }
        });
    }

    void remove(Session s) {
        boolean[] removed = {false};
        byUser.computeIfPresent(s.userId(), (k, list) -> {
            if (list.remove(s)) {
                count.decrementAndGet();
                removed[0] = true;
            }
            if (list.isEmpty()) {
                return null;
            }
            return list;
        });
        if (removed[0]) {
            presence.disconnected(s.userId(), s.id()).whenComplete((v, err) -> {
                if (err != null) {
                    GatewayLog.LOG.warn(
                            "presence: disconnect of session {} not recorded (its TTL will expire it): {}",
                            s.id(),
                            err.toString());
                }
            });
        }
    }

    @Override
    public Map<String, String> sessions() {
        Map<String, String> out = new HashMap<>();
        byUser.forEach((user, list) -> list.forEach(s -> out.put(s.id(), user)));
        return out;
    }

    @Override
    public boolean hasUser(String userId) {
        return byUser.containsKey(userId);
    }

    @Override
    public void sendTo(String userId, byte[] frame) {
        List<Session> sessions = byUser.get(userId);
        if (sessions != null) {
            for (Session s : sessions) {
                s.offerSignal(frame);
            }
        }
    }

    /** An encoded ephemeral frame for these users' sessions here, one task per event loop. */
    @Override
    public void sendTo(List<String> userIds, byte[] frame) {
        ByLoop groups = group(userIds);
        if (groups != null) {
            groups.run(s -> s.deliverSignal(frame), null);
        }
    }

    /** Every session may have missed live events: each replays from the store (see {@link Session#resync}). */
    @Override
    public void resync() {
        byUser.values().forEach(list -> list.forEach(Session::resync));
    }

    /** Sink of the bus for ephemeral signals: encoded once, handed to each event loop once with all its sessions. */
    @Override
    public void deliver(Signal signal) {
        ByLoop groups = group(signal.recipients());
        if (groups != null) {
            byte[] frame = codec.encode(signal.frame());
            groups.run(s -> s.deliverSignal(frame), null);
        }
    }

    public int size() {
        return count.get();
    }

    /**
     * Sink of the bus for events. Called on the publishing thread (or the bus's receiving thread) in per-conversation
     * order; never blocks. The frame was encoded once at commit; each event loop that has recipients gets one task
     * that hands the same {@link Delivery} (the same bytes) to all of them, so nothing is allocated per recipient.
     */
    @Override
    public void deliver(Delivery event) {
        ByLoop groups = group(event.recipients());
        if (groups == null) {
            return;
        }
        if (event.header().kind() == EventKind.MESSAGE && deliveryLog.sample()) {
            groups.run(s -> s.deliver(event), () -> logDelivered(event, groups.sessions()));
        } else {
            groups.run(s -> s.deliver(event), null);
        }
    }

    /**
     * A run of one conversation's events with one recipient list (a group's creation): the recipients' sessions are
     * found once, and each loop's task hands every session the run's events in order. A run holding a message (never
     * made by the store today) goes event by event, for the delivery log's sample.
     */
    @Override
    public void deliver(List<Delivery> run) {
        if (run.isEmpty()) {
            return;
        }
        for (Delivery d : run) {
            if (d.header().kind() == EventKind.MESSAGE) {
                run.forEach(this::deliver);
                return;
            }
        }
        ByLoop groups = group(run.get(0).recipients());
        if (groups != null) {
            groups.run(
                    s -> {
                        for (int i = 0, n = run.size(); i < n; i++) {
                            s.deliver(run.get(i));
                        }
                    },
                    null);
        }
    }

    /** A sampled message, after every local session of its recipients was handed it (off the unsampled path). */
    private void logDelivered(Delivery event, int sessions) {
        String messageId;
        try {
            messageId = codec.mapper().readTree(event.frame()).path("messageId").asText(null);
        } catch (java.io.IOException e) {
            messageId = null; // the frame was encoded by this server; the line still says where and when
        }
        EventHeader h = event.header();
        deliveryLog.delivered(
                h.conversationId(),
                h.seq(),
                messageId,
                h.createdAt(),
                event.recipients().size(),
                sessions);
    }

    /** The local sessions of these users grouped by event loop, or null when there are none. */
    private ByLoop group(List<String> recipients) {
        ByLoop groups = null;
        for (int i = 0, n = recipients.size(); i < n; i++) {
            List<Session> sessions = byUser.get(recipients.get(i));
            if (sessions == null) {
                continue;
            }
            for (Session s : sessions) {
                if (groups == null) {
                    groups = new ByLoop();
                }
                groups.add(s);
            }
        }
        return groups;
    }

    /** Sessions by loop; a node has a handful of loops, so a short list of pairs beats a map. */
    private static final class ByLoop {
        private final ArrayList<java.util.concurrent.Executor> loops = new ArrayList<>(4);
        private final ArrayList<ArrayList<Session>> lists = new ArrayList<>(4);

        void add(Session s) {
            java.util.concurrent.Executor loop = s.loop();
            for (int i = 0, n = loops.size(); i < n; i++) {
                if (loops.get(i) == loop) {
                    lists.get(i).add(s);
                    return;
                }
            }
            loops.add(loop);
            ArrayList<Session> list = new ArrayList<>();
            list.add(s);
            lists.add(list);
        }

        int sessions() {
            int n = 0;
            for (ArrayList<Session> list : lists) {
                n += list.size();
            }
            return n;
        }

        /**
         * On each loop, one task: {@code work} for each of its sessions; then {@code afterAll} (when not null) on the
         * loop that finishes last.
         */
        void run(java.util.function.Consumer<Session> work, Runnable afterAll) {
            AtomicInteger pending = afterAll == null ? null : new AtomicInteger(loops.size());
            for (int i = 0, n = loops.size(); i < n; i++) {
                ArrayList<Session> list = lists.get(i);
                loops.get(i).execute(() -> {
                    for (int k = 0, m = list.size(); k < m; k++) {
                        Session s = list.get(k);
                        try {
                            work.accept(s);
                        } catch (RuntimeException e) {
                            // One session's failure must not cost the others in this task their event.
                            s.deliveryFailed(e);
                        }
                    }
                    if (pending != null && pending.decrementAndGet() == 0) {
                        afterAll.run();
                    }
                });
            }
        }
    }

    /**
     * Closes every session here of these users with {@code code}, each on its own event loop (the sessions of banned
     * users, after each refresh of the ban list). Never blocks; a session already closed stays so.
     */
    public void closeUsers(java.util.Set<String> userIds, int code, String reason) {
        for (String userId : userIds) {
            List<Session> sessions = byUser.get(userId);
            if (sessions != null) {
                for (Session s : sessions) {
                    s.closeOnLoop(code, reason);
                }
            }
        }
    }

    /**
     * Closes the sessions here of {@code userId} authenticated with a token of device session {@code authSessionId}
     * (a revoked session), each on its own event loop. Never blocks.
     */
    public void closeAuthSession(String userId, String authSessionId, int code, String reason) {
        List<Session> sessions = byUser.get(userId);
        if (sessions != null) {
            for (Session s : sessions) {
                Principal p = s.principal();
                if (p != null && authSessionId.equals(p.sessionId())) {
                    s.closeOnLoop(code, reason);
                }
            }
        }
    }

    /**
     * Closes the sessions here of {@code userId} whose token was issued before {@code atMillis}, compared by whole
     * seconds as {@code auth.Revocations} does (a logout everywhere). Never blocks.
     */
    public void closeIssuedBefore(String userId, long atMillis, int code, String reason) {
        List<Session> sessions = byUser.get(userId);
        if (sessions != null) {
            for (Session s : sessions) {
                Principal p = s.principal();
                if (p != null && p.issuedAt() / 1000 < atMillis / 1000) {
                    s.closeOnLoop(code, reason);
                }
            }
        }
    }

    /** Every session, for shutdown. */
    public Collection<Session> all() {
        return byUser.values().stream().flatMap(List::stream).toList();
    }
}
