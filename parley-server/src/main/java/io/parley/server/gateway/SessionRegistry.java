package io.parley.server.gateway;

import io.parley.protocol.FrameCodec;
import io.parley.server.store.LogEvent;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sessions of this node by user. {@link #deliver} is the sink of the bus: it encodes an event once and offers the
 * same text to every local session of every recipient.
 */
public final class SessionRegistry {
    private final Map<String, CopyOnWriteArrayList<Session>> byUser = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private final FrameCodec codec;

    public SessionRegistry(FrameCodec codec) {
        this.codec = codec;
    }

    void add(Session s) {
        byUser.computeIfAbsent(s.userId(), k -> new CopyOnWriteArrayList<>()).add(s);
        count.incrementAndGet();
    }

    void remove(Session s) {
        byUser.computeIfPresent(s.userId(), (k, list) -> {
            if (list.remove(s)) {
                count.decrementAndGet();
            }
            return list.isEmpty() ? null : list;
        });
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
