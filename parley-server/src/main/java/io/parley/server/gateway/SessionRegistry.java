package io.parley.server.gateway;

import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Signal;
import io.parley.server.presence.LocalSessions;
import io.parley.server.presence.Presence;
import io.parley.server.store.LogEvent;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions of this node by user. {@link #deliver} is the sink of the bus: it encodes an event once and offers the
 * same text to every local session of every recipient.
 */
public final class SessionRegistry implements LocalSessions {
    private final Map<String, CopyOnWriteArrayList<Session>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final FrameCodec codec;
    private final Presence presence;

    public SessionRegistry(FrameCodec codec, Presence presence) {
        this.codec = codec;
        this.presence = presence;
    }

    void add(Session s) {
        byUser.computeIfAbsent(s.userId(), k -> new CopyOnWriteArrayList<>()).add(s);
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
            return list.isEmpty() ? null : list;
        });
        if (removed[0]) {
            presence.disconnected(s.userId(), s.id()).whenComplete((v, err) -> {
                if (err != null) {
                    GatewayLog.LOG.warn("presence: disconnect of session {} not recorded (its TTL will expire it): {}",
                            s.id(), err.toString());
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
    public void sendTo(String userId, String text) {
        List<Session> sessions = byUser.get(userId);
        if (sessions != null) {
            for (Session s : sessions) {
                s.offerSignal(text);
            }
        }
    }

    /** Sink of the bus for ephemeral signals: encoded once, offered to every local session of every recipient. */
    public void deliver(Signal signal) {
        String text = null;
        for (String userId : signal.recipients()) {
            List<Session> sessions = byUser.get(userId);
            if (sessions == null) {
                continue;
            }
            if (text == null) {
                text = codec.encodeToString(signal.frame());
            }
            for (Session s : sessions) {
                s.offerSignal(text);
            }
        }
    }

    public int size() {
        return count.get();
    }

    /** Called on the publishing thread in per-conversation order; never blocks. */
    public void deliver(LogEvent event) {
        List<String> recipients = event.recipients();
        String text = null;
        for (String userId : recipients) {
            List<Session> sessions = byUser.get(userId);
            if (sessions == null) {
                continue;
            }
            if (text == null) {
                text = codec.encodeToString(Frames.event(event));
            }
            for (Session s : sessions) {
                s.offer(event, text);
            }
        }
    }

    /** Every session, for shutdown. */
    public Collection<Session> all() {
        return byUser.values().stream().flatMap(List::stream).toList();
    }
}
