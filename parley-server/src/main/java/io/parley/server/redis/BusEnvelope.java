package io.parley.server.redis;

import io.parley.protocol.EventKind;
import io.parley.server.bus.Delivery;
import io.parley.server.store.EventHeader;
import java.util.ArrayList;
import java.util.List;

/**
 * What one bus message carries: its kind ({@code E} event, {@code S} signal), the publishing node, the header a
 * receiving node needs (for an event: conversation, seq, kind, time, actor, the removed member; for both: the
 * recipients), then the encoded frame exactly as clients receive it, made once at commit. A receiving node reads the
 * header only: it never parses the JSON, and it drops a message none of whose recipients has a session there before
 * touching the frame.
 *
 * <p>Strings are length-prefixed ({@code 5:alice}; {@code -:} is null), so ids may hold any character; numbers are
 * written the same way. The frame is the rest of the message.
 */
record BusEnvelope(
        char type,
        String node,
        String conversationId,
        long seq,
        EventKind kind,
        long createdAt,
        String actorId,
        String memberId,
        List<String> recipients,
        String frame) {

    static final char EVENT = 'E';
    static final char SIGNAL = 'S';
    /** A run of events of one conversation with one recipient list ({@link #batch}); parsed into its events. */
    static final char BATCH = 'B';

    /** The message for a delivery; {@code frame} is its frame's bytes as text (the same characters, not re-encoded). */
    static String event(String node, Delivery d, String frame) {
        EventHeader h = d.header();
        StringBuilder b =
                new StringBuilder(frame.length() + 64 + 16 * d.recipients().size());
        b.append(EVENT);
        field(b, node);
        field(b, h.conversationId());
        field(b, Long.toString(h.seq()));
        field(b, h.kind().wire());
        field(b, Long.toString(h.createdAt()));
        field(b, h.actorId());
        field(b, d.removedMember());
        recipients(b, d.recipients());
        return b.append(frame).toString();
    }

    /**
     * One message for a run of events of one conversation that share their recipients ({@code run.get(0)}'s): the
     * node, the conversation and the recipients once, then each event's header and length-prefixed frame, in order.
     * {@code frames.get(i)} is {@code run.get(i)}'s frame as text.
     */
    static String batch(String node, List<Delivery> run, List<String> frames) {
        Delivery first = run.get(0);
        int size = 64 + 16 * first.recipients().size();
        for (String f : frames) {
            size += f.length() + 48;
        }
        StringBuilder b = new StringBuilder(size);
        b.append(BATCH);
        field(b, node);
        field(b, first.header().conversationId());
        recipients(b, first.recipients());
        field(b, Integer.toString(run.size()));
        for (int i = 0; i < run.size(); i++) {
            Delivery d = run.get(i);
            EventHeader h = d.header();
            field(b, Long.toString(h.seq()));
            field(b, h.kind().wire());
            field(b, Long.toString(h.createdAt()));
            field(b, h.actorId());
            field(b, d.removedMember());
            field(b, frames.get(i));
        }
        return b.toString();
    }

    /**
     * Every event or signal a message carries, in order: one for an event or a signal, each of a batch's events (as
     * {@link #EVENT}s sharing one recipient list) for a batch. Throws IllegalArgumentException when it is not one.
     */
    static List<BusEnvelope> parseAll(String m) {
        if (m.isEmpty() || m.charAt(0) != BATCH) {
            return List.of(parse(m));
        }
        Reader r = new Reader(m);
        r.pos = 1;
        String node = r.field();
        String conversation = r.field();
        List<String> recipients = r.recipients();
        int n = Integer.parseInt(r.field());
        List<BusEnvelope> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = Long.parseLong(r.field());
            EventKind kind = EventKind.fromWire(r.field());
            long createdAt = Long.parseLong(r.field());
            String actor = r.field();
            String member = r.field();
            String frame = r.field();
            if (frame == null) {
                throw new IllegalArgumentException("a batched event without its frame");
            }
            out.add(new BusEnvelope(EVENT, node, conversation, seq, kind, createdAt, actor, member, recipients, frame));
        }
        if (r.pos != m.length()) {
            throw new IllegalArgumentException("trailing characters after a bus batch");
        }
        return out;
    }

    static String signal(String node, List<String> recipients, String frame) {
        StringBuilder b = new StringBuilder(frame.length() + 32 + 16 * recipients.size());
        b.append(SIGNAL);
        field(b, node);
        recipients(b, recipients);
        return b.append(frame).toString();
    }

    /** Reads a message; throws IllegalArgumentException when it is not one. */
    static BusEnvelope parse(String m) {
        Reader r = new Reader(m);
        char type = m.isEmpty() ? '?' : m.charAt(0);
        r.pos = 1;
        if (type == EVENT) {
            String node = r.field();
            String conversation = r.field();
            long seq = Long.parseLong(r.field());
            EventKind kind = EventKind.fromWire(r.field());
            long createdAt = Long.parseLong(r.field());
            String actor = r.field();
            String member = r.field();
            List<String> recipients = r.recipients();
            return new BusEnvelope(type, node, conversation, seq, kind, createdAt, actor, member, recipients, r.rest());
        }
        if (type == SIGNAL) {
            String node = r.field();
            List<String> recipients = r.recipients();
            return new BusEnvelope(type, node, null, 0, null, 0, null, null, recipients, r.rest());
        }
        throw new IllegalArgumentException("not a bus message (starts with '" + type + "')");
    }

    /** The delivery for a receiving node's sessions: the header, these (local) recipients, the frame's bytes. */
    Delivery toDelivery(List<String> localRecipients, byte[] frameBytes) {
        return new Delivery(
                new EventHeader(conversationId, seq, kind, createdAt, actorId), memberId, localRecipients, frameBytes);
    }

    private static void field(StringBuilder b, String s) {
        if (s == null) {
            b.append("-:");
        } else {
            b.append(s.length()).append(':').append(s);
        }
    }

    private static void recipients(StringBuilder b, List<String> recipients) {
        field(b, Integer.toString(recipients.size()));
        for (String r : recipients) {
            field(b, r);
        }
    }

    private static final class Reader {
        final String m;
        int pos;

        Reader(String m) {
            this.m = m;
        }

        String field() {
            int colon = m.indexOf(':', pos);
            if (colon < 0) {
                throw new IllegalArgumentException("truncated bus message");
            }
            if (colon == pos + 1 && m.charAt(pos) == '-') {
                pos = colon + 1;
                return null;
            }
            int len = Integer.parseInt(m, pos, colon, 10);
            int end = colon + 1 + len;
            if (len < 0 || end > m.length()) {
                throw new IllegalArgumentException("truncated bus message");
            }
            pos = end;
            return m.substring(colon + 1, end);
        }

        List<String> recipients() {
            int n = Integer.parseInt(field());
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(field());
            }
            return out;
        }

        String rest() {
            return m.substring(pos);
        }
    }
}
