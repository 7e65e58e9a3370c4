package io.parley.server.chat;

import io.parley.server.bus.Bus;
import io.parley.server.bus.Signal;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ReceiptChange;
import io.parley.server.store.ReceiptUpdate;
import io.parley.server.time.Scheduler;
import io.parley.server.wire.Frames;
import io.parley.server.wire.Pseudonyms;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces receipt cursors reported by clients ({@code delivered}, {@code read} frames): per member and
 * conversation only the highest values of a window are kept, written in one transaction at the end of the window
 * and then fanned out through the bus. A failed write keeps the updates for the next window. The receipts of a
 * stranger conversation name the member by pseudonym ({@link Pseudonyms}).
 */
public final class ReceiptBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.receipts");

    private record Key(String conversationId, String userId) {}

    private final ChatStore store;
    private final Bus bus;
    private final Pseudonyms pseudonyms;
    private final int maxFanout;
    private final Clock clock;
    private final Map<Key, long[]> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private final Scheduler.Cancellable timer;

    /** Flushes every window on {@code scheduler}'s thread, stamps writes with its clock; the scheduler stays the caller's. */
    public ReceiptBatcher(
            ChatStore store, Bus bus, Pseudonyms pseudonyms, long windowMillis, int maxFanout, Scheduler scheduler) {
        this.store = store;
        this.bus = bus;
        this.pseudonyms = pseudonyms;
        this.maxFanout = maxFanout;
        this.clock = scheduler.clock();
        this.timer = scheduler.every(Duration.ofMillis(windowMillis), this::flush);
    }

    /** Records a cursor report (membership already checked); it is written and fanned out within one window. */
    public void submit(String conversationId, String userId, long seq, boolean read) {
        pending.merge(new Key(conversationId, userId), read ? new long[] {0, seq} : new long[] {seq, 0}, (a, b) ->
                new long[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])});
    }

    /** Writes the given updates now and fans out what moved (REST read). */
    public CompletableFuture<List<ReceiptChange>> writeNow(List<ReceiptUpdate> updates) {
        return store.updateReceipts(updates, clock.millis(), maxFanout).thenApply(changes -> {
            publish(changes);
            return changes;
        });
    }

    void flush() {
        if (pending.isEmpty() || !flushing.compareAndSet(false, true)) {
            return;
        }
        List<ReceiptUpdate> batch = new ArrayList<>();
        for (Key k : List.copyOf(pending.keySet())) {
            long[] v = pending.remove(k);
            if (v != null) {
                batch.add(new ReceiptUpdate(k.conversationId(), k.userId(), v[0], v[1]));
            }
        }
        writeNow(batch).whenComplete((changes, err) -> {
            flushing.set(false);
            if (err != null) {
                LOG.warn("{} receipt updates postponed to the next window: {}", batch.size(), err.toString());
                for (ReceiptUpdate u : batch) {
                    submit(u.conversationId(), u.userId(), u.deliveredSeq(), false);
                    submit(u.conversationId(), u.userId(), u.readSeq(), true);
                }
            }
        });
    }

    private void publish(List<ReceiptChange> changes) {
        for (ReceiptChange c : changes) {
            if (!Pseudonyms.isStranger(c.conversationId())) {
                bus.publish(new Signal(c.recipients(), Frames.receipts(c.conversationId(), List.of(c))));
                continue;
            }
            pseudonyms.of(c.conversationId()).whenComplete((a, err) -> {
                if (err != null) {
                    // Stored already; the members read it with their next sync or GET .../receipts.
                    LOG.warn(
                            "receipt of {} not fanned out: pseudonyms unavailable: {}",
                            c.conversationId(),
                            err.toString());
                    return;
                }
                ReceiptChange shown = new ReceiptChange(
                        c.conversationId(), a.of(c.userId()), c.deliveredSeq(), c.readSeq(), c.recipients());
                bus.publish(new Signal(c.recipients(), Frames.receipts(c.conversationId(), List.of(shown))));
            });
        }
    }

    /** Writes what is pending (best effort, bounded wait) and stops the timer. */
    @Override
    public void close() {
        timer.cancel();
        flushing.set(false);
        flush();
    }
}
