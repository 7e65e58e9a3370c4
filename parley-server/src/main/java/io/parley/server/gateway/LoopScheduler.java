package io.parley.server.gateway;

import io.parley.server.time.Scheduler;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;

/**
 * The {@link Scheduler} of the WebSocket face, over Vert.x timers: a timer costs an entry in the event loop's own
 * timer queue, no thread and no cross-thread hand-off, which matters for a deadline per connection. A timer set on an
 * event loop fires on that loop; set from another thread it fires on some loop, so callers that need a given loop
 * hand the task over themselves (the gateway always does, so it runs the same under a manual scheduler in tests).
 * Periodic timers are Vert.x's (fixed rate); the gateway's periodic task is a short heartbeat tick, for which fixed
 * rate and fixed delay are the same.
 */
public final class LoopScheduler implements Scheduler {
    private final Vertx vertx;
    private final Clock clock;

    public LoopScheduler(Vertx vertx, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable after(Duration delay, Runnable task) {
        long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
        return () -> vertx.cancelTimer(id);
    }

    @Override
    public Cancellable every(Duration period, Runnable task) {
        long id = vertx.setPeriodic(Math.max(1, period.toMillis()), t -> task.run());
        return () -> vertx.cancelTimer(id);
    }
}
