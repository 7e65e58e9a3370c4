package io.parley.server.store.jdbc;

import io.parley.server.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read side: a fixed pool of threads, each owning one connection with its own statement cache, so a read never
 * waits for a connection and statements are prepared once per thread.
 */
final class Readers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Readers.class);

    @FunctionalInterface
    interface Read<T> {
        T run(Sql sql) throws SQLException;
    }

    @FunctionalInterface
    interface ConnectionFactory {
        Connection open() throws SQLException;
    }

    private static final class Slot {
        Connection connection;
        final Map<String, PreparedStatement> statements = new HashMap<>();
    }

    private final ExecutorService executor;
    private final ConnectionFactory factory;
    private final ThreadLocal<Slot> slot = ThreadLocal.withInitial(Slot::new);
    private final List<Slot> slots = new CopyOnWriteArrayList<>();

    Readers(int threads, ConnectionFactory factory) {
        this.factory = factory;
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "parley-store-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    <T> CompletableFuture<T> read(Read<T> read) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    f.complete(read.run(this::statement));
                } catch (SQLException e) {
                    dropIfBroken(slot.get());
                    f.completeExceptionally(e);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new StoreException.Closed());
        }
        return f;
    }

    /** A broken connection (database restarted, network) is given up; the thread's next read opens a new one. */
    private void dropIfBroken(Slot s) {
        if (s.connection == null) {
            return;
        }
        try {
            if (s.connection.isValid(1)) {
                return;
            }
        } catch (SQLException e) {
            LOG.debug("connection check failed", e);
        }
        LOG.warn("a reader's database connection is broken; the next read reconnects");
        s.statements.clear();
        try {
            s.connection.close();
        } catch (SQLException e) {
            LOG.debug("closing a broken reader connection failed", e);
        }
        s.connection = null;
        slots.remove(s);
    }

    private PreparedStatement statement(String sql) throws SQLException {
        Slot s = slot.get();
        if (s.connection == null) {
            s.connection = factory.open();
            slots.add(s);
        }
        PreparedStatement ps = s.statements.get(sql);
        if (ps == null) {
            ps = s.connection.prepareStatement(sql);
            s.statements.put(sql, ps);
        }
        return ps;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Slot s : slots) {
            try {
                s.connection.close();
            } catch (SQLException e) {
                LOG.warn("closing reader connection failed", e);
            }
        }
    }
}
