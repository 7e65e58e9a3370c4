package io.parley.server.bus;

import io.parley.protocol.EventKind;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.store.EventHeader;
import java.time.Duration;
import java.util.List;

/** What the capability interfaces of {@link BusContract} share: the nodes under test and how events are made. */
public interface BusFixture {
    /** Long enough for a Redis round trip on a loaded machine; an in-process bus delivers before publish returns. */
    Duration WAIT = Duration.ofSeconds(10);

    /**
     * A node on this test's bus whose deliveries go to {@code sink}. Nodes made within one test share the bus (for
     * Redis: one key prefix, a connection pair each); the test closes them.
     */
    Bus node(RecordingSink sink);

    /** Closes the subscription {@link #node} (or {@link #resubscribe}) made for {@code node}. */
    void unsubscribe(Bus node);

    /** Subscribes {@code node} again, after {@link #unsubscribe}. */
    void resubscribe(Bus node, RecordingSink sink);

    /** A committed message as the commit hands it to the bus: header, recipients, a frame (the bus never reads it). */
    static Delivery message(String conversationId, long seq, String sender, List<String> recipients) {
        EventHeader h = new EventHeader(conversationId, seq, EventKind.MESSAGE, 1_700_000_000_000L + seq, sender);
        byte[] frame = new FrameCodec()
                .encode(new ServerFrame.Event(
                        conversationId,
                        seq,
                        "message",
                        "t",
                        sender,
                        "m" + seq,
                        "k" + seq,
                        "body " + seq,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));
        return new Delivery(h, null, recipients, frame);
    }

    static Signal typing(String conversationId, String from, List<String> recipients) {
        return new Signal(recipients, new ServerFrame.Typing(conversationId, from, true, 5000));
    }
}
