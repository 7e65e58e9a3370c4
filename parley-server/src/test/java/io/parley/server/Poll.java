package io.parley.server;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The tests' one deadline poll, for what only real time moves: frames crossing a socket, another process (a child
 * JVM, Redis's clock), the JVM's own GC notification. A timer of Parley's is never waited for this way: its test
 * advances the manual clock instead.
 */
public final class Poll {
    private static final long STEP_MILLIS = 10;

    private Poll() {}

    /** Polls {@code condition} until it holds (true) or {@code timeout} passed (false). */
    public static boolean holdsWithin(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(STEP_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        return true;
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void until(BooleanSupplier condition, Duration timeout, String what) {
        if (!holdsWithin(condition, timeout)) {
            throw new AssertionError("not within " + timeout + ": " + what);
        }
    }
}
