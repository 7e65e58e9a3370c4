package io.parley.server.match;

/**
 * What {@link Matcher#join} did: {@code MATCHED} (a new pair with the oldest compatible waiting user: {@code pair}),
 * {@code PAIRED} (the user already had a pair, which is returned untouched: a reconnect within the grace), {@code
 * WAITING} (queued, or still queued with the new criteria), or {@code NOT_LOCKED} (the ticket's session does not hold
 * the user's matching lock: nothing was done).
 */
public record JoinResult(Outcome outcome, Pair pair) {
    public enum Outcome {
        MATCHED,
        PAIRED,
        WAITING,
        NOT_LOCKED
    }

    public static JoinResult waiting() {
        return new JoinResult(Outcome.WAITING, null);
    }

    public static JoinResult notLocked() {
        return new JoinResult(Outcome.NOT_LOCKED, null);
    }
}
