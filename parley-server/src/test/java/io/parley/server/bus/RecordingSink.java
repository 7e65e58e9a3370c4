package io.parley.server.bus;

import io.parley.protocol.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node's sessions as a bus sees them: the users it has sessions of ({@link #hasUser}) and a record of what the bus
 * handed it, events and signals alike, whichever of the sink's methods the bus chose. Thread-safe: a bus may deliver
 * from its own threads (Redis), and {@link #await} waits for that against a deadline.
 */
public final class RecordingSink implements Sink {
    /** An event as delivered: enough to check order, duplicates and the recipients handed over. */
    public record Event(String conversationId, long seq, List<String> recipients) {}

    /** A signal as delivered: its recipients and its frame as text. */
    public record SignalFrame(List<String> recipients, String frame) {}

    private static final FrameCodec CODEC = new FrameCodec();

    private final Set<String> users;
    private final List<Event> events = new ArrayList<>();
    private final List<SignalFrame> signals = new ArrayList<>();
    private int resyncs;

    /** A node with sessions of these users. */
    public RecordingSink(String... users) {
        this.users = Set.of(users);
    }

    @Override
    public synchronized void deliver(Delivery event) {
        record(new Event(event.header().conversationId(), event.header().seq(), List.copyOf(event.recipients())));
    }

    @Override
    public synchronized void deliver(Signal signal) {
        signals.add(new SignalFrame(
                List.copyOf(signal.recipients()), new String(CODEC.encode(signal.frame()), StandardCharsets.UTF_8)));
        notifyAll();
    }

    @Override
    public synchronized void sendTo(List<String> userIds, byte[] frame) {
        signals.add(new SignalFrame(List.copyOf(userIds), new String(frame, StandardCharsets.UTF_8)));
        notifyAll();
    }

    @Override
    public boolean hasUser(String userId) {
        return users.contains(userId);
    }

    @Override
    public synchronized void resync() {
        resyncs++;
        notifyAll();
    }

    /** How often the bus told this node to resync. */
    public synchronized int resyncs() {
        return resyncs;
    }

    /** Waits until the bus has told this node to resync {@code n} times, up to {@code timeout}. */
    public synchronized void awaitResyncs(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (resyncs < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("fewer than " + n + " resyncs within " + timeout + "; got " + resyncs);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    private void record(Event e) {
        events.add(e);
        notifyAll();
    }

    public synchronized List<Event> events() {
        return List.copyOf(events);
    }

    public synchronized List<SignalFrame> signals() {
        return List.copyOf(signals);
    }

    /** Waits until an event of this conversation and seq has been delivered, up to {@code timeout}. */
    public Event awaitEvent(String conversationId, long seq, Duration timeout) throws InterruptedException {
        List<Event> got = await(
                l -> l.stream().anyMatch(e -> e.conversationId().equals(conversationId) && e.seq() == seq),
                timeout,
                conversationId + "#" + seq);
        return got.stream()
                .filter(e -> e.conversationId().equals(conversationId) && e.seq() == seq)
                .findFirst()
                .orElseThrow();
    }

    /** Waits until {@code done} holds for the events delivered so far, up to {@code timeout}; returns them. */
    public synchronized List<Event> await(Predicate<List<Event>> done, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("not delivered within " + timeout + ": " + what + "; got " + events);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(events);
    }

    /** Waits until {@code n} signals have been delivered, up to {@code timeout}; returns them. */
    public synchronized List<SignalFrame> awaitSignals(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (signals.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("fewer than " + n + " signals within " + timeout + "; got " + signals);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(signals);
    }
}
