package io.parley.server.gateway;

import io.parley.server.time.Scheduler;

import java.time.Clock;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * A {@link Scheduler} over a bare "run this after so many milliseconds" function, for callers that build sessions
 * without a node (the fanout benchmark). A session only sets one-shot timers, so periodic ones are refused; its
 * timers are never cancelled either, so cancel does nothing.
 */
final class OneShotTimers implements Scheduler {
    private final Clock clock;
    private final BiConsumer<Long, Runnable> timer;

    OneShotTimers(Clock clock, BiConsumer<Long, Runnable> timer) {
        this.clock = clock;
        this.timer = timer;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Cancellable after(Duration delay, Runnable task) {
        timer.accept(delay.toMillis(), task);
        return () -> { };
    }

    @Override
    public Cancellable every(Duration period, Runnable task) {
        throw new UnsupportedOperationException("a session sets one-shot timers only");
    }
}
