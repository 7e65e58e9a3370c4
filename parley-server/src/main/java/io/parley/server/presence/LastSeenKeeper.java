package io.parley.server.presence;

import io.parley.server.time.Scheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the embedded default's last seen durable (issue 19 item 5): the times {@link LocalPresence} gives users who go
 * offline are written to a {@link LastSeenStore} every {@code every}, all of a period's in one write, and what is
 * unwritten when the node stops is written by {@link #close()}; {@link LocalPresence} reads a user's stored time when
 * it has none of its own (after a restart). A node killed with -9 loses the times of at most the last period, and the
 * users online at that moment keep the time they had before.
 * <p>
 * Close it before the store it writes to (the node's lifecycle does: it is created after the store).
 */
public final class LastSeenKeeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("io.parley.presence");
    /** How long {@link #close()} waits for the last write. */
    private static final long CLOSE_SECONDS = 5;

    private final LastSeenStore store;
    private final Object lock = new Object();
    private Map<String, Long> unsaved = new HashMap<>();
    private final Scheduler.Cancellable flushing;

    public LastSeenKeeper(LocalPresence presence, LastSeenStore store, Scheduler scheduler, Duration every) {
        this.store = store;
        presence.restoreFrom(store);
        presence.listen(state -> {
            if (!state.online() && state.lastSeen() != null) {
                synchronized (lock) {
                    unsaved.merge(state.userId(), state.lastSeen(), Math::max);
                }
            }
        });
        this.flushing = scheduler.every(every, this::flush);
    }

    /** Writes what went offline since the last write; the returned future completes when it is durable. */
    java.util.concurrent.CompletableFuture<Void> flush() {
        Map<String, Long> batch;
        synchronized (lock) {
            if (unsaved.isEmpty()) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
            batch = unsaved;
            unsaved = new HashMap<>();
        }
        return store.record(batch).whenComplete((v, err) -> {
            if (err != null) {
                // Kept for the next period: a store that is restarting loses nothing.
                synchronized (lock) {
                    batch.forEach((u, t) -> unsaved.merge(u, t, Math::max));
                }
                LOG.warn("writing the last seen of {} users failed; retried next period", batch.size(), err);
            }
        });
    }

    @Override
    public void close() {
        flushing.cancel();
        try {
            flush().get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the last seen of users who went offline just before the stop was not written", e);
        }
    }
}
