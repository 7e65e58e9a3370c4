package io.parley.server.moderation;

import io.parley.server.config.Config;
import io.parley.server.limits.RateLimiter;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A sender's reputation for one send, 0 to 100 (docs/operations.md, "Server admins and moderation"): 100, less
 * {@link Config.Moderation#NEW_ACCOUNT_PENALTY} for an account younger than {@code moderation.new-account-age}, less
 * {@link Config.Moderation#SEND_RATE_PENALTY} for a sender over {@code moderation.send-rate} (this send counted), less
 * {@link Config.Moderation#LINK_PENALTY} for a message with links whose links per word exceed
 * {@code moderation.max-link-density}, less {@link Config.Moderation#REPORT_PENALTY} per report the sender received
 * (at most {@link Config.Moderation#MAX_REPORT_PENALTY}). Below {@code moderation.hold-below}: held.
 * <p>
 * Cheap on the send path: the account's creation time is read from the store once per user and kept (an account
 * old enough is remembered as such); the send rate is a token bucket per user in the node's rate limiter (the
 * {@code limits.RateLimiter} seam, bucket {@link #SEND_RATE_BUCKET} keyed by the user id: in Redis when the node has
 * one, so the rate counts the user's sends on every node of the cluster, and this node's own buckets otherwise and
 * while Redis does not answer); a send for which the bucket has no token left is over the rate (a refused send takes
 * no token, so a sender flooding at twice the rate has about half of their sends over it); the report counts are a
 * map replaced by {@link #reports} (the moderation queue reads them every {@link ModerationQueue#REPORTS_REFRESH}).
 * Thread-safe.
 */
final class Reputation {
    /** A held send's score and why, or a passing one's score. */
    record Verdict(int score, boolean held, String reason) {}

    /** The rate limiter's bucket of the send-rate signal ({@code moderation.send-rate}), keyed by the user id. */
    static final String SEND_RATE_BUCKET = "moderation-send";

    /** Above this many users the caches start over (each entry is re-read once): the memory bound. */
    static final int MAX_USERS = 200_000;

    private static final long OLD = Long.MIN_VALUE;

    private final Config.Moderation settings;
    private final Clock clock;
    private final Function<String, CompletableFuture<Optional<Long>>> createdAt;
    /** User id to the account's creation time, or {@link #OLD} once it is older than the new-account age. */
    private final ConcurrentHashMap<String, Long> accounts = new ConcurrentHashMap<>();

    private final RateLimiter sendRate;
    private volatile Map<String, Integer> reports = Map.of();

    /**
     * {@code createdAt}: a user's account creation time (epoch ms) from the store; empty for an unknown user.
     * {@code sendRate}: the node's rate limiter, whose {@link #SEND_RATE_BUCKET} buckets count the sends.
     */
    Reputation(
            Config.Moderation settings,
            Clock clock,
            Function<String, CompletableFuture<Optional<Long>>> createdAt,
            RateLimiter sendRate) {
        this.settings = settings;
        this.clock = clock;
        this.createdAt = createdAt;
        this.sendRate = sendRate;
    }

    /**
     * Judges one send of {@code userId}, taking a token of its send-rate bucket. Completes at once but for a user's
     * first send and while the bucket is in Redis (then on the limiter's thread, in the order of the sends).
     */
    CompletableFuture<Verdict> judge(String userId, String body) {
        CompletableFuture<Long> taken = settings.sendRate().unlimited()
                ? RateLimiter.TAKEN
                : sendRate.acquire(SEND_RATE_BUCKET, settings.sendRate(), userId);
        return taken.thenCompose(wait -> judge(userId, body, wait > 0));
    }

    private CompletableFuture<Verdict> judge(String userId, String body, boolean overRate) {
        long now = clock.millis();
        Long known = accounts.get(userId);
        if (known != null) {
            return CompletableFuture.completedFuture(verdict(userId, body, known, overRate, now));
        }
        return createdAt.apply(userId).thenApply(created -> {
            long at = created.orElse(now);
            if (accounts.size() >= MAX_USERS) {
                accounts.clear();
            }
            accounts.put(userId, at);
            return verdict(userId, body, at, overRate, now);
        });
    }

    private Verdict verdict(String userId, String body, long created, boolean overRate, long now) {
        int score = 100;
        StringBuilder why = new StringBuilder();
        if (created != OLD) {
            if (now - created < settings.newAccountAge().toMillis()) {
                score -= Config.Moderation.NEW_ACCOUNT_PENALTY;
                why.append(", new account (-")
                        .append(Config.Moderation.NEW_ACCOUNT_PENALTY)
                        .append(')');
            } else {
                accounts.put(userId, OLD);
            }
        }
        if (overRate) {
            score -= Config.Moderation.SEND_RATE_PENALTY;
            why.append(", over ")
                    .append(settings.sendRate().burst())
                    .append(" sends in ")
                    .append(settings.sendRate().period().toSeconds())
                    .append(" s (-")
                    .append(Config.Moderation.SEND_RATE_PENALTY)
                    .append(')');
        }
        double density = linkDensity(body);
        if (density > 0 && density > settings.maxLinkDensity()) {
            score -= Config.Moderation.LINK_PENALTY;
            why.append(", ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", density))
                    .append(" links per word (-")
                    .append(Config.Moderation.LINK_PENALTY)
                    .append(')');
        }
        int reported = reportsOf(userId);
        if (reported > 0) {
            int penalty = Math.min(Config.Moderation.MAX_REPORT_PENALTY, reported * Config.Moderation.REPORT_PENALTY);
            score -= penalty;
            why.append(", ")
                    .append(reported)
                    .append(" reports (-")
                    .append(penalty)
                    .append(')');
        }
        boolean held = score < settings.holdBelow();
        String reason = held ? "reputation " + score + " < " + settings.holdBelow() + ": " + why.substring(2) : null;
        return new Verdict(score, held, reason);
    }

    /** Replaces the report counts (the store's: reports received per user). */
    void reports(Map<String, Integer> counts) {
        reports = Map.copyOf(counts);
    }

    int reportsOf(String userId) {
        Map<String, Integer> r = reports;
        return r.isEmpty() ? 0 : r.getOrDefault(userId, 0);
    }

    /**
     * Links per word: whitespace-separated words that start with {@code http://}, {@code https://} or {@code www.}
     * (ASCII case ignored), over all words. One pass, no allocation.
     */
    static double linkDensity(String body) {
        int words = 0;
        int links = 0;
        int n = body.length();
        int i = 0;
        while (i < n) {
            while (i < n && Character.isWhitespace(body.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            words++;
            if (startsWith(body, i, "http://") || startsWith(body, i, "https://") || startsWith(body, i, "www.")) {
                links++;
            }
            while (i < n && !Character.isWhitespace(body.charAt(i))) {
                i++;
            }
        }
        return words == 0 ? 0 : (double) links / words;
    }

    private static boolean startsWith(String s, int at, String prefix) {
        return s.regionMatches(true, at, prefix, 0, prefix.length());
    }
}
