package io.parley.server.chat;

import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Delivery;
import io.parley.server.store.Appended;
import io.parley.server.store.CommitListener;
import io.parley.server.store.Committed;
import io.parley.server.store.LogEntry;
import io.parley.server.wire.Frames;

/**
 * The store's commit listener: turns each committed entry into its {@link Delivery}, encoding the event frame here,
 * once per event, and hands it to the bus. Everything downstream (local sessions, the Redis envelope, other nodes'
 * sessions) sends these bytes as they are.
 */
public final class EventPublisher implements CommitListener {
    private final FrameCodec codec;
    private final Bus bus;

    public EventPublisher(FrameCodec codec, Bus bus) {
        this.codec = codec;
        this.bus = bus;
    }

    @Override
    public void committed(Committed commit) {
        bus.publish(delivery(codec, commit));
    }

    /** The delivery of a commit: its header, its recipients, and its frame encoded once. */
    public static Delivery delivery(FrameCodec codec, Committed commit) {
        LogEntry e = commit.entry();
        String removed = e instanceof LogEntry.MemberRemoved r ? r.memberId() : null;
        Delivery.SenderAck ack = e instanceof LogEntry.MessagePosted m
                ? new Delivery.SenderAck(m.clientMsgId(), codec.encode(Frames.ack(new Appended(m, false))))
                : null;
        return new Delivery(e.header(), removed, commit.recipients(), codec.encode(Frames.event(e)), ack);
    }
}
