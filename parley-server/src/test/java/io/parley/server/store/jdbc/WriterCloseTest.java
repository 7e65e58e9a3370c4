package io.parley.server.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.server.store.CommitListener;
import io.parley.server.store.StoreException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's stop: no write submitted around {@link Writer#close()} is left without an answer. */
class WriterCloseTest {

    /**
     * A submit that passed the closed check, then waited (descheduled) while close() ran to its end (flag, poison,
     * join, drain), enqueues its job into a queue nobody reads any more. It must still fail at once, not hang.
     */
    @Test
    void submit_racingACloseThatFinishesBetweenItsCheckAndItsEnqueue_failsInsteadOfHanging(@TempDir Path dir)
            throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch closeDone = new CountDownLatch(1);
        Thread[] submitter = new Thread[1];
        LinkedBlockingQueue<WriteJob<?>> queue = new LinkedBlockingQueue<>() {
            @Override
            public boolean add(WriteJob<?> job) {
                if (Thread.currentThread() == submitter[0]) {
                    held.countDown();
                    try {
                        assertThat(closeDone.await(10, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.add(job);
            }
        };
        String url = "jdbc:sqlite:" + dir.resolve("w.db");
        Writer writer =
                new Writer(SqlDialect.SQLITE, () -> DriverManager.getConnection(url), CommitListener.NONE, 16, queue);
        CompletableFuture<CompletableFuture<Integer>> submitted = new CompletableFuture<>();
        submitter[0] = new Thread(() -> submitted.complete(writer.submit(tx -> 1)), "racing-submit");
        submitter[0].start();
        assertThat(held.await(10, TimeUnit.SECONDS))
                .as("the submit reached its enqueue")
                .isTrue();
        writer.close();
        closeDone.countDown();

        CompletableFuture<Integer> write = submitted.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(StoreException.Closed.class);
        submitter[0].join(10_000);
    }
}
