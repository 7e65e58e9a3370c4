package io.parley.server.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Durable storage of users, conversations, memberships and each conversation's ordered event log.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Durability.</b> When a future returned by a write method completes normally, the write is committed and
 *       survives a process crash (and, with the default synchronous setting, a power loss). When it completes
 *       exceptionally, nothing of that write is stored.</li>
 *   <li><b>Order.</b> Every event appended to a conversation gets the next {@code seq} of that conversation
 *       (1, 2, 3, ... with no gap and no duplicate), assigned in the transaction that commits it.</li>
 *   <li><b>Publication.</b> After a transaction commits and before the futures of its writes complete, the store
 *       hands each committed event to the {@link CommitListener} given at construction, in commit order (so in seq
 *       order within a conversation), from one thread at a time. A listener must not block.</li>
 *   <li><b>Idempotency.</b> {@link #appendMessage} with a (senderId, clientMsgId) pair already stored appends nothing
 *       and returns the original event with {@code duplicate = true}; nothing is published for it.</li>
 *   <li><b>Membership.</b> Writes to a conversation by a user who is not a member fail with
 *       {@link StoreException.NotFound} (an unknown conversation fails the same way). The check happens in the
 *       committing transaction.</li>
 *   <li><b>Threads.</b> No method blocks its caller; work runs on the store's own threads. Futures may complete on
 *       those threads: callers hop back to their own context.</li>
 * </ul>
 * Failures are {@link StoreException} subclasses; any other exception means the store is unavailable.
 */
public interface ChatStore extends AutoCloseable {

    // ---- users ---------------------------------------------------------------------------------------------------

    /** Creates a built-in account. Fails with {@link StoreException.Conflict} when the username is taken. */
    CompletableFuture<User> createUser(String id, String username, String passwordHash);

    /** Returns the user with this id, creating it (no username, no password) when absent. For external tokens. */
    CompletableFuture<User> provisionUser(String id);

    CompletableFuture<Optional<User>> findUser(String id);

    CompletableFuture<Optional<User>> findUserByUsername(String username);

    /** The stored password hash of a built-in account, for login. Empty when no such username or no password. */
    CompletableFuture<Optional<Credentials>> findCredentials(String username);

    // ---- conversations -------------------------------------------------------------------------------------------

    /**
     * Returns the one direct conversation of the two users, creating it with {@code newId} when there is none. The
     * same conversation comes back whichever user asks first, also under concurrent calls. Creating appends
     * conversation_created and one member_added per user. Fails with {@link StoreException.UnknownUser} when a user
     * does not exist.
     */
    CompletableFuture<Created> getOrCreateDirect(String newId, String userA, String userB, long nowMillis);

    /**
     * Creates a group owned by {@code ownerId} with the other members as {@link Role#MEMBER}. Appends
     * conversation_created and one member_added per member (owner first). Unknown users fail with
     * {@link StoreException.UnknownUser}.
     */
    CompletableFuture<Created> createGroup(String newId, String ownerId, String title, List<String> memberIds, long nowMillis);

    /** The conversation as seen by {@code userId}; empty when it does not exist or the user is not a member. */
    CompletableFuture<Optional<ConversationSummary>> findConversation(String conversationId, String userId);

    /** Every conversation {@code userId} is a member of, most recently active first. */
    CompletableFuture<List<ConversationSummary>> listConversations(String userId);

    /** The member's role, or empty when the conversation does not exist or the user is not a member. */
    CompletableFuture<Optional<Role>> roleOf(String conversationId, String userId);

    /** The members of a conversation, or {@link StoreException.NotFound} when {@code userId} is not one of them. */
    CompletableFuture<List<Member>> members(String conversationId, String userId);

    /**
     * Adds users as {@link Role#MEMBER}; those already members are skipped. Appends one member_added per added user.
     * Authorization (who may add) is the caller's; the actor must be a member. Returns the appended events.
     */
    CompletableFuture<List<LogEvent>> addMembers(String conversationId, String actorId, List<String> userIds, long nowMillis);

    /**
     * Removes a member (the actor may be the member: leaving). Appends member_removed, delivered to the remaining
     * members and to the removed one. {@link StoreException.NotFound} when either is not a member.
     */
    CompletableFuture<LogEvent> removeMember(String conversationId, String actorId, String memberId, long nowMillis);

    /** Changes a member's role and appends member_role. */
    CompletableFuture<LogEvent> setRole(String conversationId, String actorId, String memberId, Role role, long nowMillis);

    // ---- the log -------------------------------------------------------------------------------------------------

    /**
     * Appends a message to the conversation's log (see the class contract for durability, order, idempotency and
     * membership).
     */
    CompletableFuture<Appended> appendMessage(NewMessage message);

    /**
     * Events of a conversation with {@code seq > afterSeq}, ascending, at most {@code limit}. Caller is responsible for
     * having checked membership.
     */
    CompletableFuture<List<LogEvent>> eventsAfter(String conversationId, long afterSeq, int limit);

    /** Events with {@code seq < beforeSeq}, the newest {@code limit} of them, returned ascending. */
    CompletableFuture<List<LogEvent>> eventsBefore(String conversationId, long beforeSeq, int limit);

    /** Conversation id to last seq, for every conversation {@code userId} is a member of. */
    CompletableFuture<Map<String, Long>> lastSeqs(String userId);

    /** Moves the member's read cursor forward to {@code seq} (never backward; capped at the last seq). */
    CompletableFuture<Long> markRead(String conversationId, String userId, long seq);

    /** True when the store can serve requests (for /health/ready). */
    CompletableFuture<Boolean> ping();

    /** Stops accepting writes, commits what is queued, and releases connections. Idempotent. */
    @Override
    void close();
}
