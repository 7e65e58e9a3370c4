package io.parley.server.match;

/**
 * The answer of {@link Matcher#renew}: whether the session still holds the lock, and the user's pair when it ended
 * because the partner's side is gone (its state expired: the partner's node died, or its grace ran out there).
 */
public record Renewal(boolean held, Pair ended) {}
