package io.parley.server.match;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The matching state of the whole deployment: who waits, who is paired with whom, which session of a user may
 * match. All methods are atomic with respect to each other across every node sharing the state, never block, and
 * fail their future (never a guess from stale state) when the state cannot be reached.
 * <p>
 * Contract:
 * <ul>
 *   <li><b>One session per user.</b> {@link #lock} gives the user's matching lock to one session; another session
 *   gets {@code held == false} unless it takes over. The lock lapses {@link Settings#lockTtl} after its last
 *   {@link #lock} or {@link #renew}; {@link #join} works only for the holder, so a second tab never makes a second
 *   queue entry or pair.</li>
 *   <li><b>Pairing.</b> {@link #join} in one step: returns the existing pair if the user has one; else takes the
 *   oldest waiting user (FIFO) who is valid (holds a lock, has no pair), compatible ({@link Ticket#compatible}), not
 *   blocked by either side and not in a skip cooldown with the user, and stores the pair for both; else queues the
 *   user (a user already queued keeps their place). Invalid entries met on the way are dropped. So no user is ever in
 *   two pairs, pairs are symmetric, and two compatible users are never both left waiting.</li>
 *   <li><b>Ending.</b> {@link #end} removes the pair for both sides at once; with {@code skip} the two are not paired
 *   again for {@link Settings#skipCooldown}; with {@code block} never again.</li>
 *   <li><b>Grace.</b> {@link #unlock} (the session closed) takes the user out of the queue; a pair survives
 *   {@link Settings#grace}, and a {@link #join} under a new lock within it gets it back ({@code PAIRED}).
 *   {@link #endIfAway} ends it when no session came back.</li>
 *   <li><b>Expiry.</b> Every entry of the state expires by itself (locks, queue, tickets, pairs, cooldowns) except
 *   blocks, which are permanent; live sessions keep theirs with {@link #renew}.</li>
 *   <li><b>Blocks are durable.</b> No pair is made before the blocks of {@link StoredBlocks} are in the state (a
 *   {@link #join} that cannot read them fails); blocks made by {@link #end} add to them.</li>
 *   <li><b>Counts.</b> {@link #counts} is cheap (no scan).</li>
 * </ul>
 */
public interface Matcher extends AutoCloseable {

    /**
     * The durable source of the blocks ({@code ChatStore.matchBlocks}): for each user, whom they blocked. A matcher
     * reads it before it pairs anyone for the first time (and, in Redis, again whenever Redis lost its copy), so a
     * block outlives a restart of the node and of Redis; the service stores each new block there itself.
     */
    interface StoredBlocks {
        CompletableFuture<Map<String, Set<String>>> load();
    }

    /** The times the state lives by. */
    record Settings(Duration lockTtl, Duration grace, Duration skipCooldown, Duration stateTtl, int maxScan) {}

    /** Takes the user's matching lock for {@code sessionId}, from another session too when {@code takeover}. */
    CompletableFuture<Lock> lock(String userId, String sessionId, boolean takeover);

    /** Refreshes the lock and the user's state; see {@link Renewal}. */
    CompletableFuture<Renewal> renew(String userId, String sessionId);

    /**
     * The session is gone: when it holds the lock, releases it, takes the user out of the queue and leaves the pair
     * (if any) for {@link Settings#grace}. Returns that pair, or empty.
     */
    CompletableFuture<Optional<Pair>> unlock(String userId, String sessionId);

    /** See the class's "Pairing"; {@code conversationId}, {@code alias} and {@code partnerAlias} name a new pair. */
    CompletableFuture<JoinResult> join(Ticket ticket, String conversationId, String alias, String partnerAlias);

    /** Takes the user out of the queue; true when they were in it. */
    CompletableFuture<Boolean> leave(String userId);

    /** Ends the user's pair for both sides; empty when there is none. */
    CompletableFuture<Optional<Pair>> end(String userId, boolean skip, boolean block);

    /** Ends the user's pair when no session of the user holds the lock (the grace ran out); else nothing. */
    CompletableFuture<Optional<Pair>> endIfAway(String userId);

    /** The user's pair, if any. */
    CompletableFuture<Optional<Pair>> pairOf(String userId);

    CompletableFuture<Counts> counts();

    @Override
    void close();
}
