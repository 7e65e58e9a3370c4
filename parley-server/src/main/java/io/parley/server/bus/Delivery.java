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
 */
public record Delivery(EventHeader header, String removedMember, List<String> recipients, byte[] frame) {

    /** The same event and bytes for another set of recipients (a receiving node's own). */
    public Delivery forRecipients(List<String> here) {
        return new Delivery(header, removedMember, here, frame);
    }
}
