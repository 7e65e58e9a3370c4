package io.parley.server.bus;

import io.parley.server.store.EventHeader;
import java.util.List;

/**
 * A committed event on its way to sessions: its header, who should get it, and its frame exactly as clients receive
 * it, encoded once at commit ({@code chat.EventPublisher}). The bus, the Redis envelope and the gateway carry these
 * bytes as they are: nobody re-encodes the event or parses the frame back, and every session of every recipient on a
 * node is sent the same array. The header is all a node needs to route and order the event ({@code seq} per
 * conversation); a node that got it from another node never sees more than this.
 *
 * @param removedMember for member_removed, the member removed (whose sessions then forget the conversation's
 *                      cursor); null for every other kind
 * @param recipients    on the publishing node the members at commit time; on a receiving node those with a session
 *                      there
 * @param senderAck     for a message on the node that committed it, the ack its sending session is owed; null
 *                      otherwise (other nodes never have that session's send in flight)
 */
public record Delivery(
        EventHeader header, String removedMember, List<String> recipients, byte[] frame, SenderAck senderAck) {

    /** A delivery without a sender's ack: every kind but a message, and every delivery that came from another node. */
    public Delivery(EventHeader header, String removedMember, List<String> recipients, byte[] frame) {
        this(header, removedMember, recipients, frame, null);
    }

    /** The same event and bytes for another set of recipients (a receiving node's own). */
    public Delivery forRecipients(List<String> here) {
        return new Delivery(header, removedMember, here, frame, senderAck);
    }

    /**
     * The ack frame of a committed message, for its sending session: the store hands the commit to the bus before it
     * completes the send's future, so the session's copy of the event can arrive first, and then the session sends
     * this ahead of it (docs/protocol.md: the sending session gets its event after its ack).
     */
    public record SenderAck(String clientMsgId, byte[] frame) {}
}
