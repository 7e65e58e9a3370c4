package io.parley.server.chat;

import io.parley.protocol.FrameCodec;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Delivery;
import io.parley.server.store.Appended;
import io.parley.server.store.CommitListener;
import io.parley.server.store.Committed;
import io.parley.server.store.LogEntry;
import io.parley.server.wire.Frames;
import io.parley.server.wire.Pseudonyms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's commit listener: turns each committed entry into its {@link Delivery}, encoding the event frame here,
 * once per event, and hands it to the bus. Everything downstream (local sessions, the Redis envelope, other nodes'
 * sessions) sends these bytes as they are.
 * <p>
 * An entry of a stranger conversation is masked first ({@link Pseudonyms}): its frame names the members by their
 * pseudonyms. Ordinary conversations pay one prefix test. When a stranger conversation's pseudonyms are not cached
 * (another node created it), its deliveries wait for the store's answer, chained per conversation so they still
 * leave in commit order; should that read fail, they are not delivered live (the members see the gap in {@code seq}
 * and catch up through sync, which masks too) rather than delivered unmasked.
 */
public final class EventPublisher implements CommitListener {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.chat");

    private final FrameCodec codec;
    private final Bus bus;
    private final Pseudonyms pseudonyms;
    /** Per stranger conversation, the last delivery still waiting for its pseudonyms; guarded by itself. */
    private final Map<String, CompletableFuture<Void>> waiting = new HashMap<>();

    public EventPublisher(FrameCodec codec, Bus bus, Pseudonyms pseudonyms) {
        this.codec = codec;
        this.bus = bus;
        this.pseudonyms = pseudonyms;
    }

    /**
     * A write's events: each run of events of one ordinary conversation with the same recipients (a group's creation,
     * members added together) goes to the bus as one piece, so the recipients travel once for the run rather than once
     * per event (a group of n members made in one request is n + 1 events, each to n members). Stranger conversations
     * (two members) go event by event.
     */
    @Override
    public void committedAll(List<Committed> commits) {
        int i = 0;
        int n = commits.size();
        while (i < n) {
            Committed first = commits.get(i);
            String c = first.entry().header().conversationId();
            int end = i + 1;
            if (!Pseudonyms.isStranger(c)) {
                while (end < n && sameRun(first, commits.get(end))) {
                    end++;
                }
            }
            if (end - i == 1) {
                committed(first);
            } else {
                List<Delivery> run = new ArrayList<>(end - i);
                for (int k = i; k < end; k++) {
                    run.add(delivery(codec, commits.get(k)));
                }
                bus.publish(run);
            }
            i = end;
        }
    }

    private static boolean sameRun(Committed first, Committed next) {
        return first.entry()
                        .header()
                        .conversationId()
                        .equals(next.entry().header().conversationId())
                && (first.recipients() == next.recipients()
                        || first.recipients().equals(next.recipients()));
    }

    @Override
    public void committed(Committed commit) {
        String c = commit.entry().header().conversationId();
        if (!Pseudonyms.isStranger(c)) {
            bus.publish(delivery(codec, commit));
            return;
        }
        synchronized (waiting) {
            CompletableFuture<Void> tail = waiting.get(c);
            Pseudonyms.Aliases cached = pseudonyms.cached(c);
            if (tail == null && cached != null) {
                bus.publish(masked(commit, cached));
                return;
            }
            CompletableFuture<Void> next = (tail == null ? pseudonyms.of(c) : tail.thenCompose(x -> pseudonyms.of(c)))
                    .thenAccept(a -> bus.publish(masked(commit, a)))
                    .exceptionally(err -> {
                        LOG.warn(
                                "event {} of stranger conversation {} not delivered live (its members catch up by"
                                        + " sync): pseudonyms unavailable: {}",
                                commit.entry().seq(),
                                c,
                                err.toString());
                        return null;
                    });
            waiting.put(c, next);
            next.whenComplete((x, err) -> {
                synchronized (waiting) {
                    waiting.remove(c, next);
                }
            });
        }
    }

    private Delivery masked(Committed commit, Pseudonyms.Aliases a) {
        Delivery d = delivery(codec, commit);
        return new Delivery(d.header(), d.removedMember(), d.recipients(), a.mask(d.frame()), d.senderAck());
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
