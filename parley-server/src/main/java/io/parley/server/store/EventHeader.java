package io.parley.server.store;

import io.parley.protocol.EventKind;
import java.util.Objects;

/**
 * What every entry of a conversation's log has, whatever its kind: where it is in the log (conversation, seq), what
 * kind it is, when it was committed and who did it. It is also all a node needs to route and order an event whose
 * frame is already encoded (see {@code bus.Delivery}): a node receiving from another never sees more.
 */
public record EventHeader(String conversationId, long seq, EventKind kind, long createdAt, String actorId) {
    public EventHeader {
        Objects.requireNonNull(conversationId, "conversationId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(actorId, "actorId");
    }
}
