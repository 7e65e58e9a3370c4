package io.parley.bench;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** The run's counters over its whole length (per-window counts are in {@link Window}). Updated from any thread. */
final class Tally {
    final LongAdder attempted = new LongAdder();
    final LongAdder established = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder sent = new LongAdder();
    final LongAdder acked = new LongAdder();
    final LongAdder received = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder gaps = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder closedEarly = new LongAdder();
    final Histogram connectHist = new ConcurrentHistogram(3);
    /** Why connections closed before the end, by close code and reason. */
    final ConcurrentHashMap<String, LongAdder> closeCodes = new ConcurrentHashMap<>();
    /** Connections established, by the index of the node they went to (for RSS per connection per node). */
    final ConcurrentHashMap<Integer, LongAdder> establishedByNode = new ConcurrentHashMap<>();
    /**
     * System.nanoTime() of the first connection attempt and of the last connection established: CLOCK_MONOTONIC on
     * Linux, so the instants of several generator processes compare.
     */
    final AtomicLong firstAttemptNanos = new AtomicLong(Long.MAX_VALUE);

    final AtomicLong lastEstablishedNanos = new AtomicLong(Long.MIN_VALUE);

    /** From the first connection attempt to the last one established, in ms (-1: none established). */
    double connectEveryoneMillis() {
        long first = firstAttemptNanos.get();
        long last = lastEstablishedNanos.get();
        return last == Long.MIN_VALUE || first == Long.MAX_VALUE ? -1 : Math.max(0, last - first) / 1e6;
    }
}
