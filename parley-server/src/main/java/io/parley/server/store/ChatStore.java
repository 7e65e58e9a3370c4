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

    /**
     * Sets a user's display name, or clears it with null; completes with the user as now stored, once durable. Fails
     * with {@link StoreException.UnknownUser} when there is no such user. The caller validates the name.
     */
    CompletableFuture<User> setDisplayName(String userId, String displayName);

    /**
     * Records when users were last seen (user id -> epoch ms: when their last session closed), each unless a later time
     * is stored; unknown users change nothing. One transaction; completes once durable.
     */
    CompletableFuture<Void> recordLastSeen(java.util.Map<String, Long> seen);

    /** The stored last-seen times of these users; users with none, and unknown users, are absent. */
    CompletableFuture<java.util.Map<String, Long>> lastSeen(java.util.Collection<String> userIds);

    /**
     * Up to {@code limit} users with a username whose username or display name starts with {@code prefix}, ignoring
     * ASCII case; {@code %}, {@code _} and {@code !} in the prefix match themselves. Ordered by username.
     */
    CompletableFuture<List<User>> searchUsers(String prefix, int limit);

    /**
     * The stored password hash of a built-in account, for login, and whether the account is banned. Empty when no such
     * username or no password.
     */
    CompletableFuture<Optional<Credentials>> findCredentials(String username);

    /**
     * Replaces the password hash of a user (an operator's reset; a provisioned user gains a password this way only if
     * it has a username). Fails with {@link StoreException.UnknownUser} when there is no such user.
     */
    CompletableFuture<Void> setPasswordHash(String userId, String passwordHash);

    /**
     * Bans ({@code banned}) or unbans a user. Returns true when that changed something, false when the user already
     * was so (a second ban keeps the first ban's time). Fails with {@link StoreException.UnknownUser} when there is no
     * such user. What a ban means (no login, tokens refused) is up to the callers: see {@link #bannedUsers}.
     */
    CompletableFuture<Boolean> setBanned(String userId, boolean banned, long nowMillis);

    /** The ids of every banned user: read often by every node, so cheap while few users are banned. */
    CompletableFuture<java.util.Set<String>> bannedUsers();

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
    CompletableFuture<Created> createGroup(
            String newId, String ownerId, String title, List<String> memberIds, long nowMillis);

    /**
     * Creates a stranger conversation (talk to a stranger): a group of the two, owned by {@code userA}, as
     * {@link #createGroup} does, and in the same transaction each member's pseudonym in it ({@link #strangerAliases}).
     */
    CompletableFuture<Created> createStranger(
            String newId, String userA, String aliasA, String userB, String aliasB, String title, long nowMillis);

    /** The pseudonyms of a stranger conversation's members by user id; empty for any other or unknown conversation. */
    CompletableFuture<Map<String, String>> strangerAliases(String conversationId);

    /** Stores that {@code userId} blocked {@code blockedId} in matching, for good; storing it again changes nothing. */
    CompletableFuture<Void> addMatchBlock(String userId, String blockedId, long nowMillis);

    /** Every stored matching block: for each user, whom they blocked. Read once at start. */
    CompletableFuture<Map<String, java.util.Set<String>>> matchBlocks();

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
    CompletableFuture<List<LogEntry.MemberAdded>> addMembers(
            String conversationId, String actorId, List<String> userIds, long nowMillis);

    /**
     * Removes a member (the actor may be the member: leaving). Appends member_removed, delivered to the remaining
     * members and to the removed one. {@link StoreException.NotFound} when either is not a member.
     */
    CompletableFuture<LogEntry.MemberRemoved> removeMember(
            String conversationId, String actorId, String memberId, long nowMillis);

    /** Changes a member's role and appends member_role. */
    CompletableFuture<LogEntry.RoleChanged> setRole(
            String conversationId, String actorId, String memberId, Role role, long nowMillis);

    /**
     * Sets the conversation's title and appends conversation_renamed, both in one transaction: when the future
     * completes, the new title and the event are durable together, and readers see both or neither.
     * {@link StoreException.NotFound} when the actor is not a member. Who may rename is the caller's rule.
     */
    CompletableFuture<LogEntry.ConversationRenamed> rename(
            String conversationId, String actorId, String title, long nowMillis);

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
    CompletableFuture<List<LogEntry>> eventsAfter(String conversationId, long afterSeq, int limit);

    /** Events with {@code seq < beforeSeq}, the newest {@code limit} of them, returned ascending. */
    CompletableFuture<List<LogEntry>> eventsBefore(String conversationId, long beforeSeq, int limit);

    /** Conversation id to last seq, for every conversation {@code userId} is a member of. */
    CompletableFuture<Map<String, Long>> lastSeqs(String userId);

    /**
     * Moves the member's read cursor forward to {@code seq} (never backward; capped at the last seq) and returns it.
     * Same as {@link #updateReceipts} with one read update, for callers that want the resulting value.
     */
    CompletableFuture<Long> markRead(String conversationId, String userId, long seq);

    // ---- message changes -----------------------------------------------------------------------------------------

    /**
     * Appends message_edited with the new body, if {@code actorId} sent the message, it is not deleted and it is at
     * most {@code editWindowMillis} old at {@code nowMillis}. Fails with {@link StoreException.MessageNotFound} (no
     * such message in the conversation, or deleted), {@link StoreException.Forbidden} (someone else's message),
     * {@link StoreException.EditWindowClosed}; {@link StoreException.NotFound} when the actor is not a member. An edit
     * to the body the message already has changes nothing ({@link Changed#event()} null).
     */
    CompletableFuture<Changed> editMessage(
            String conversationId,
            String actorId,
            String messageId,
            String body,
            long nowMillis,
            long editWindowMillis);

    /**
     * Soft-deletes a message: appends message_deleted and removes its text from every stored place (the message, its
     * edits, the snippets of replies to it, its reactions), keeping its seq. The sender may delete; in a group the
     * owner and admins may delete anyone's message, which is recorded in the audit log. Deleting a deleted message
     * changes nothing. Failures as for {@link #editMessage}.
     */
    CompletableFuture<Changed> deleteMessage(String conversationId, String actorId, String messageId, long nowMillis);

    /**
     * Adds ({@code add}) or removes the actor's {@code emoji} reaction to a message (one per user, emoji and message),
     * appending reaction_added or reaction_removed; nothing changes when it is already so. Reacting to a deleted
     * message fails with {@link StoreException.MessageNotFound}.
     */
    CompletableFuture<Changed> react(
            String conversationId, String actorId, String messageId, String emoji, boolean add, long nowMillis);

    /**
     * Messages (kind message only) with {@code seq < beforeSeq}, the newest {@code limit}, ascending; or with
     * {@code afterSeq} (non-null) the oldest {@code limit} with {@code seq > afterSeq}. Membership is the caller's.
     */
    CompletableFuture<List<MessageView>> messages(String conversationId, Long beforeSeq, Long afterSeq, int limit);

    /** One message in its current state (deleted ones too), without reactions; empty when not in the conversation. */
    CompletableFuture<Optional<MessageView>> message(String conversationId, String messageId);

    /** The replies to {@code messageId}, ascending, with {@code seq > afterSeq}, at most {@code limit}. */
    CompletableFuture<List<MessageView>> replies(String conversationId, String messageId, long afterSeq, int limit);

    /** The versions of a message's text, oldest first; empty when no such message or it was deleted. */
    CompletableFuture<List<MessageVersion>> editHistory(String conversationId, String messageId);

    /** Moderation entries of a conversation with {@code id < beforeId}, newest first, at most {@code limit}. */
    CompletableFuture<List<AuditEntry>> auditLog(String conversationId, long beforeId, int limit);

    // ---- receipts and contacts -----------------------------------------------------------------------------------

    /**
     * Applies receipt updates in one transaction. Cursors only move forward and are capped at the conversation's last
     * seq; delivered is raised to at least read. Updates of non-members are ignored. Returns the changes that moved a
     * cursor, with recipients: all members, or only the member in conversations with more than
     * {@code maxFanoutMembers} members.
     */
    CompletableFuture<List<ReceiptChange>> updateReceipts(
            List<ReceiptUpdate> updates, long nowMillis, int maxFanoutMembers);

    /**
     * The receipt cursors, changed after {@code sinceMillis}, of the members of every conversation of {@code userId}
     * (only the user's own in conversations with more than {@code maxFanoutMembers} members).
     */
    CompletableFuture<List<ReceiptChange>> receiptsSince(String userId, long sinceMillis, int maxFanoutMembers);

    /**
     * For each user, the other users who share a conversation of at most {@code maxConversationSize} members with
     * them (users with none are absent).
     */
    CompletableFuture<Map<String, java.util.Set<String>>> contacts(
            java.util.Collection<String> userIds, int maxConversationSize);

    /** True when the store can serve requests (for /health/ready). */
    CompletableFuture<Boolean> ping();

    /** Stops accepting writes, commits what is queued, and releases connections. Idempotent. */
    @Override
    void close();
}
