package io.parley.server.push;

import io.parley.server.config.Config;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The per-user push rate ({@code push.rate}), a token bucket per user on this node (GCRA: one theoretical arrival
 * time per user): a push over the rate waits until the bucket has a token again, it is not dropped. Used by the
 * push workers' one thread only.
 */
final class UserRate {
    private final Config.Rate rate;
    private final long emissionMillis;
    private final long toleranceMillis;
    private final Map<String, Long> tat = new HashMap<>();

    UserRate(Config.Rate rate) {
        this.rate = rate;
        this.emissionMillis = rate.unlimited() ? 0 : Math.max(1, rate.period().toMillis() / rate.burst());
        this.toleranceMillis = emissionMillis * Math.max(0, rate.burst() - 1);
    }

    /** 0 when {@code userId} may have a push at {@code now} (and takes its token); else how long to wait, in ms. */
    long take(String userId, long now) {
        if (rate.unlimited()) {
            return 0;
        }
        long t = Math.max(tat.getOrDefault(userId, now), now);
        long allowAt = t - toleranceMillis;
        if (allowAt > now) {
            return allowAt - now;
        }
        tat.put(userId, t + emissionMillis);
        return 0;
    }

    /** Forgets the users whose buckets are full again (called once per round: the map stays small). */
    void prune(long now) {
        for (Iterator<Long> it = tat.values().iterator(); it.hasNext(); ) {
            if (it.next() <= now) {
                it.remove();
            }
        }
    }
}
