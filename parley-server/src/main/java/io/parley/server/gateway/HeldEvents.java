package io.parley.server.gateway;

import io.parley.server.bus.Delivery;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Live events that reached a session ahead of a missing seq, per conversation, waiting for it. In a cluster, events
 * of one conversation committed on different nodes may arrive out of order by a millisecond or so; holding the later
 * one briefly (up to {@link #WAIT_MILLIS}) avoids a store read for every such swap. Owned by one {@link EventStream} and
 * used on its event loop only; the stream decides what happens when the wait runs out.
 */
final class HeldEvents {
    /** Longest wait for a missing seq before the session catches up from the store. */
    static final long WAIT_MILLIS = 200;

    private record Held(Delivery pending, long since) {}

    private final Map<String, TreeMap<Long, Held>> byConversation = new HashMap<>();

    /** Holds an event; true if it is the first one waiting in its conversation (the caller starts the timer). */
    boolean hold(Delivery p, long now) {
        TreeMap<Long, Held> waiting = byConversation.computeIfAbsent(p.header().conversationId(), k -> new TreeMap<>());
        boolean first = waiting.isEmpty();
        waiting.putIfAbsent(p.header().seq(), new Held(p, now));
        return first;
    }

    /** Removes and returns the held event with seq {@code seq} of the conversation if it is the next one, else null. */
    Delivery takeIfNext(String conversationId, long seq) {
        TreeMap<Long, Held> waiting = byConversation.get(conversationId);
        if (waiting == null) {
            return null;
        }
        Map.Entry<Long, Held> first = waiting.firstEntry();
        if (first == null || first.getKey() != seq) {
            return null;
        }
        waiting.pollFirstEntry();
        if (waiting.isEmpty()) {
            byConversation.remove(conversationId);
        }
        return first.getValue().pending();
    }

    /** When the oldest event held for the conversation arrived, or -1 if none is held. */
    long oldestSince(String conversationId) {
        TreeMap<Long, Held> waiting = byConversation.get(conversationId);
        if (waiting == null || waiting.isEmpty()) {
            return -1;
        }
        return waiting.values().stream().mapToLong(Held::since).min().getAsLong();
    }

    /** Moves every held event, in seq order per conversation, into {@code out} and forgets them. */
    void drainTo(Collection<Delivery> out) {
        for (TreeMap<Long, Held> waiting : byConversation.values()) {
            waiting.values().forEach(h -> out.add(h.pending()));
        }
        byConversation.clear();
    }

    void clear() {
        byConversation.clear();
    }
}
