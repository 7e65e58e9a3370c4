package io.parley.bench;

import java.util.concurrent.ConcurrentHashMap;
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
}
