package io.parley.server.log;

import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;

/**
 * Sampled deliveries, at info on {@code io.parley.delivery}: for about 1 in {@code oneIn} messages a node fans out
 * ({@code log.delivered-sample}; 0: none), one {@code message_delivered} line once every local session of its
 * recipients has been handed it, with {@code conversation}, {@code seq}, {@code message_id}, {@code latency_ms}
 * (from the message's creation to then) and {@code recipients} (its recipients on this node) and {@code sessions}.
 * A delivery the sample skips costs one random number, and nothing at all when the logger is off.
 */
public final class DeliveryLog {
    private static final Log LOG = Log.named("io.parley.delivery");
    private static final DeliveryLog OFF = new DeliveryLog(0, Clock.systemUTC());

    private final int oneIn;
    private final Clock clock;

    /** {@code clock}: the node's, which message creation times are read from. */
    public DeliveryLog(int oneIn, Clock clock) {
        if (oneIn < 0) {
            throw new IllegalArgumentException("oneIn must be 0 or more: " + oneIn);
        }
        this.oneIn = oneIn;
        this.clock = clock;
    }

    public static DeliveryLog off() {
        return OFF;
    }

    /** Whether to log this delivery: true about once in {@code oneIn} calls, never when the logger is off. */
    public boolean sample() {
        return oneIn > 0 && (oneIn == 1 || ThreadLocalRandom.current().nextInt(oneIn) == 0) && LOG.enabled(Level.INFO);
    }

    public void delivered(
            String conversationId, long seq, String messageId, long createdAtMillis, int recipients, int sessions) {
        LOG.info(
                "message_delivered",
                "conversation",
                conversationId,
                "seq",
                seq,
                "message_id",
                messageId,
                "latency_ms",
                Math.max(0, clock.millis() - createdAtMillis),
                "recipients",
                recipients,
                "sessions",
                sessions);
    }
}
