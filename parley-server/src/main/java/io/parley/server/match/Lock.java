package io.parley.server.match;

/**
 * The answer of {@link Matcher#lock}: {@code held} says whether the asking session holds the lock now;
 * {@code previous} is the session that held it before when that was another one (taken over), else null.
 */
public record Lock(boolean held, String previous) {}
