package io.parley.server.presence;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Who is online, across every node, and the typing throttle. The in-process implementation is
 * {@link LocalPresence}; the cluster one keeps the same state in Redis. Both pass the same contract tests.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Online</b> while at least one session of the user is connected and not expired, on any node.</li>
 *   <li><b>Offline</b> when the user's last session is {@link #disconnected} or expires; {@code lastSeen} is then the
 *       time of the disconnect, or of the expired session's last {@link #connected}/{@link #refresh}.</li>
 *   <li><b>TTL.</b> A session not refreshed for the configured TTL expires by itself, so the users of a node that
 *       died go offline without anyone telling.</li>
 *   <li><b>Changes.</b> Every listener (on every node) is told each transition of a user between online and offline,
 *       after it happened, with the new state. A listener must not block.</li>
 *   <li><b>Typing throttle.</b> {@link #tryTyping} grants a typing start at most once per interval per user and
 *       conversation, and a stop only after a granted start that was not stopped yet.</li>
 *   <li><b>Threads.</b> No method blocks; futures may complete on any thread.</li>
 * </ul>
 */
public interface Presence extends AutoCloseable {

    /** A session of the user connected (on this node). */
    CompletableFuture<Void> connected(String userId, String sessionId);

    /** The session ended. Unknown sessions are ignored. */
    CompletableFuture<Void> disconnected(String userId, String sessionId);

    /** Keeps these sessions (session id to user id) alive for another TTL. One call per node per refresh interval. */
    CompletableFuture<Void> refresh(Map<String, String> sessions);

    /** The state of each user; never-seen users are offline with no lastSeen. */
    CompletableFuture<Map<String, PresenceState>> lookup(Collection<String> userIds);

    /** Registers a listener for transitions (see the contract). */
    void listen(Consumer<PresenceState> listener);

    /**
     * Typing throttle: true when a typing start ({@code active}) or stop of this user in this conversation may fan out
     * now.
     */
    CompletableFuture<Boolean> tryTyping(
            String conversationId, String userId, boolean active, long intervalMillis, long ttlMillis);

    @Override
    void close();

    /** How often an implementation looks for expired sessions: a quarter of the TTL, between 10 ms and 1 s. */
    static long sweepPeriodMillis(long ttlMillis) {
        return Math.max(10, Math.min(1000, ttlMillis / 4));
    }
}
