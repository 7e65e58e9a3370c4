package io.parley.server.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.time.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/** The indexer's runs over a backlog held by a fake index: batch sizes, where a run stops, what it reports. */
class IndexerTest {
    /** A backlog of {@code queued} messages, each last changed at 1,000 ms; records the batch sizes asked for. */
    private static final class FakeIndex implements SearchIndex {
        long queued;
        final List<Integer> asked = new ArrayList<>();
        boolean failNext;

        FakeIndex(long queued) {
            this.queued = queued;
        }

        @Override
        public CompletableFuture<Integer> indexQueued(int max, LongConsumer changedAt) {
            asked.add(max);
            if (failNext) {
                failNext = false;
                return CompletableFuture.failedFuture(new IllegalStateException("store restarting"));
            }
            int n = (int) Math.min(max, queued);
            queued -= n;
            for (int i = 0; i < n; i++) {
                changedAt.accept(1_000);
            }
            return CompletableFuture.completedFuture(n);
        }

        @Override
        public CompletableFuture<List<Hit>> search(Request request) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Long> backlog() {
            return CompletableFuture.completedFuture(queued);
        }

        @Override
        public CompletableFuture<Long> queueAll() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aBacklogThatKeepsBatchesFull_growsThemUpToTheirLimit_thenTheRunEndsOnAShortOne() {
        ManualScheduler scheduler = new ManualScheduler();
        FakeIndex index = new FakeIndex(10 * 100 * Indexer.MAX_GROWTH);
        List<Long> lags = new ArrayList<>();
        try (Indexer indexer =
                new Indexer(index, scheduler, Duration.ofMillis(200), 100, scheduler.clock(), lags::add)) {
            long taken = indexer.run();

            assertThat(taken).isEqualTo(10 * 100 * Indexer.MAX_GROWTH);
            assertThat(index.asked).startsWith(100, 200, 400, 800);
            assertThat(index.asked).allMatch(n -> n <= 100 * Indexer.MAX_GROWTH);
            assertThat(index.asked.get(index.asked.size() - 1))
                    .as("the last batch came back short (empty)")
                    .isEqualTo(100 * Indexer.MAX_GROWTH);
            assertThat(index.queued).isZero();
            assertThat(indexer.indexed()).isEqualTo(taken);
            assertThat(lags)
                    .hasSize((int) taken)
                    .allMatch(l -> l == scheduler.clock().millis() - 1_000);
        }
    }

    @Test
    void aShortBacklog_isOneBatchOfTheConfiguredSize_andTheNextRunStartsThereAgain() {
        ManualScheduler scheduler = new ManualScheduler();
        FakeIndex index = new FakeIndex(250);
        try (Indexer indexer = new Indexer(index, scheduler, Duration.ofMillis(200), 100, scheduler.clock(), l -> {})) {
            assertThat(indexer.run()).isEqualTo(250);
            assertThat(index.asked).containsExactly(100, 200);
            index.queued = 30;
            index.asked.clear();
            scheduler.advance(Duration.ofMillis(200));
            assertThat(index.asked).as("the scheduled run").containsExactly(100);
            assertThat(index.queued).isZero();
        }
    }

    @Test
    void aFailedBatch_endsTheRun_andTheNextRunResumes() {
        ManualScheduler scheduler = new ManualScheduler();
        FakeIndex index = new FakeIndex(150);
        index.failNext = true;
        try (Indexer indexer = new Indexer(index, scheduler, Duration.ofMillis(200), 100, scheduler.clock(), l -> {})) {
            assertThat(indexer.run()).isZero();
            assertThat(index.queued).isEqualTo(150);
            assertThat(indexer.run()).isEqualTo(150);
            assertThat(index.queued).isZero();
        }
    }
}
