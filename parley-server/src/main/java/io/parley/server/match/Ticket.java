package io.parley.server.match;

import java.util.List;

/**
 * A user asking to be matched, from the session {@code sessionId} that holds the user's matching lock.
 * {@code interests} (lower case, no commas) and {@code language} (lower case, or null) narrow the match until
 * {@code relaxed}; see {@link Matcher#join}.
 */
public record Ticket(String userId, String sessionId, List<String> interests, String language, boolean relaxed) {
    public Ticket {
        interests = List.copyOf(interests);
    }

    /** The same ticket with its criteria dropped (after {@code match.relax-after}). */
    public Ticket relax() {
        return new Ticket(userId, sessionId, interests, language, true);
    }

    /** Whether there is anything to relax. */
    public boolean narrow() {
        return !relaxed && (!interests.isEmpty() || language != null);
    }

    /**
     * The compatibility rule both implementations apply (the Redis script has it in Lua): a relaxed ticket matches
     * any; otherwise languages must agree when both are given, and interests must share one when both have some.
     * Symmetric. Blocks and cooldowns are checked apart from this.
     */
    public boolean compatible(Ticket other) {
        if (relaxed || other.relaxed) {
            return true;
        }
        if (language != null && other.language != null && !language.equals(other.language)) {
            return false;
        }
        if (interests.isEmpty() || other.interests.isEmpty()) {
            return true;
        }
        for (String i : interests) {
            if (other.interests.contains(i)) {
                return true;
            }
        }
        return false;
    }
}
