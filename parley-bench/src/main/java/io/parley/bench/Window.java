package io.parley.bench;

import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** One measured window (a step of the throughput scenario, or the whole run). */
final class Window {
    final double rate;
    volatile long startNanos;
    volatile long endNanos;
    final LongAdder sentIn = new LongAdder();
    final LongAdder ackedIn = new LongAdder();
    final LongAdder deliveredIn = new LongAdder();
    /**
     * Deliveries owed for the sends of the window acked so far: per ack, the online members of its conversation (the
     * sender's own session included; offline members are owed nothing).
     */
    final LongAdder expectedIn = new LongAdder();

    final Histogram delivery = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    final Histogram ack = new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(60), 3);
    long cpuMillis;
    /** Transactions the shared PostgreSQL database committed during the window (-1: not PostgreSQL). */
    long storeCommits = -1;
    /** Pushes the bench's Web Push service received during the window (-1: no push devices). */
    long pushesIn = -1;

    /**
     * The servers' own delivery latency during the window and its drain: cumulative bucket counts by upper bound in
     * seconds (the difference of two /metrics reads; empty when not read).
     */
    SortedMap<Double, Double> serverDelivery = new TreeMap<>();
    /** The nodes' search index lag histogram over the window and its drain (empty when no node indexes). */
    SortedMap<Double, Double> indexLag = new TreeMap<>();
    /** The nodes' group commit times over the window and its drain. */
    SortedMap<Double, Double> commits = new TreeMap<>();

    long wallMillis;
    /** How long the drain was extended past drain.seconds for late acks and deliveries (see Bench.drainLate). */
    long lateDrainMillis;

    Window(double rate) {
        this.rate = rate;
    }

    boolean contains(long nanos) {
        return startNanos != 0 && nanos >= startNanos && (endNanos == 0 || nanos < endNanos);
    }

    /** Whether the window's end has passed: its instants are set ahead, the same in every generator process. */
    boolean over() {
        return endNanos != 0 && System.nanoTime() >= endNanos;
    }
}
