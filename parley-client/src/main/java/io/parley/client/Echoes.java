package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Messages of this client that were acked before their own event arrived, by conversation and seq, so that the event
 * (the sender's copy of what every member receives) is recognised as the echo of a message the application already
 * has as an {@link OutgoingMessage}, and is not handed to it a second time. An entry ends when its conversation's
 * events reach its seq: events come in seq order, so an entry whose seq has passed will not be matched any more.
 * Not thread-safe.
 */
final class Echoes {
    private final Map<String, TreeMap<Long, String>> byConversation = new HashMap<>();

    /** An ack of one of this client's messages whose event has not been seen. */
    void expect(ServerFrame.Ack ack) {
        byConversation
                .computeIfAbsent(ack.conversationId(), k -> new TreeMap<>())
                .put(ack.seq(), ack.clientMsgId());
    }

    /**
     * An event of the conversation, in seq order: true when it is the echo of an acked message (same seq and
     * clientMsgId). Forgets every entry up to its seq either way.
     */
    boolean take(ServerFrame.Event e) {
        TreeMap<Long, String> waiting = byConversation.get(e.conversationId());
        if (waiting == null) {
            return false;
        }
        String clientMsgId = waiting.get(e.seq());
        waiting.headMap(e.seq(), true).clear();
        if (waiting.isEmpty()) {
            byConversation.remove(e.conversationId());
        }
        return clientMsgId != null && clientMsgId.equals(e.clientMsgId());
    }

    int size() {
        return byConversation.values().stream().mapToInt(Map::size).sum();
    }
}
