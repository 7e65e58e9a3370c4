package io.parley.server.store;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Server admins, bans with their audit entries, conversation mutes and message reports (issue 18; docs/api.md,
 * "Administration and moderation"), on the same database and writer as the {@link ChatStore} it belongs to.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Durability.</b> As {@link ChatStore}: a completed write future means committed; a failed one means nothing
 *       of that write is stored, its audit entry included.</li>
 *   <li><b>Audited in the same transaction.</b> Every write that changes something appends one {@link AdminAudit}
 *       entry (and, for the conversation-scoped ones, one {@link AuditEntry} of the conversation) in its own
 *       transaction; a write that changes nothing (a second grant, a second report) appends none.</li>
 *   <li><b>Bans.</b> {@link #ban} is {@link ChatStore#setBanned} (the ban's revocation log entry included) plus its
 *       audit entry.</li>
 *   <li><b>Membership.</b> Mutes and reports concern members: an unknown conversation, or a target, actor or reporter
 *       who is not a member, fails with {@link StoreException.NotFound}. Who may mute is the caller's rule.</li>
 *   <li><b>The moderation queue.</b> A held message ({@link #hold}) is durable when its future completes and is in
 *       no conversation's log (so in no sync, history, search or push) until {@link #decide} approves it, which
 *       appends it to the log with the next seq, in the decision's transaction. Idempotent per sender and
 *       clientMsgId across the queue and the log: see {@link #hold}.</li>
 *   <li><b>Threads.</b> No method blocks its caller; futures complete on the store's own threads.</li>
 * </ul>
 */
public interface ModerationStore {

    /**
     * Grants ({@code admin}) or revokes the server-admin role; true when that changed something. Fails with
     * {@link StoreException.UnknownUser} when there is no such user. {@code actorId}: who did it, for the audit entry
     * ({@code cli:<os user>}, {@code config}, or an admin's user id).
     */
    CompletableFuture<Boolean> setAdmin(String actorId, String userId, boolean admin, long nowMillis);

    /** The ids of every server admin. */
    CompletableFuture<Set<String>> admins();

    /** Bans or unbans as {@link ChatStore#setBanned}, with the audit entry ("ban" or "unban") when it changed. */
    CompletableFuture<Boolean> ban(String actorId, String userId, boolean banned, long nowMillis);

    /** Appends an audit entry for an action stored elsewhere (a session revoked by an operator). */
    CompletableFuture<Void> audit(AdminAudit entry);

    /** Audit entries with {@code id < beforeId}, newest first, at most {@code limit}. */
    CompletableFuture<List<AdminAudit>> auditLog(long beforeId, int limit);

    /**
     * Mutes {@code userId} in the conversation until {@code untilMillis} (null: until unmuted), replacing a mute it
     * had, and appends member_muted to the conversation's log (published to its members as every event is); audited
     * as "member_muted" with the event's seq. Returns the mute as stored.
     */
    CompletableFuture<Mute> mute(
            String conversationId, String actorId, String userId, Long untilMillis, long nowMillis);

    /**
     * Lifts the member's mute; true when there was one in force at {@code nowMillis}: then member_unmuted is appended
     * to the log and audited. A mute that had ended is dropped with no event.
     */
    CompletableFuture<Boolean> unmute(String conversationId, String actorId, String userId, long nowMillis);

    /** Every mute in force at {@code nowMillis} (without an end, or ending later). Few: read often by every node. */
    CompletableFuture<List<Mute>> mutes(long nowMillis);

    /**
     * Stores {@code reporterId}'s report of a message, once per reporter and message: returns the report as stored
     * (the first one when reported before, with {@code created} false). Fails with {@link StoreException.NotFound}
     * when the reporter is not a member, {@link StoreException.MessageNotFound} when the conversation has no such
     * message.
     */
    CompletableFuture<Report> report(
            String conversationId, String reporterId, String messageId, String reason, long nowMillis);

    /** Reports with {@code id < beforeId}, newest first, at most {@code limit}. */
    CompletableFuture<List<Report>> reports(long beforeId, int limit);

    /** How many reports each user's messages received, for the users who received any. */
    CompletableFuture<java.util.Map<String, Integer>> reportCounts();

    // ---- the moderation queue (V15) ---------------------------------------------------------------------------------

    /**
     * Holds a message for review instead of appending it (its sender's reputation is low: {@code reason} says why),
     * audited as "message_held" by {@code system:reputation}. Idempotent with the log: when the log already has the
     * sender's {@code clientMsgId}, returns that event ({@link Hold#posted}, nothing stored); when the queue has it,
     * returns that entry whatever its status, with {@code duplicate} true. Fails as {@link ChatStore#appendMessage}
     * does for a sender who is not a member ({@link StoreException.NotFound}) or a reply to a message the conversation
     * does not have ({@link StoreException.MessageNotFound}).
     */
    CompletableFuture<Hold> hold(NewMessage message, String reason);

    /**
     * Puts a stranger chat's report in the queue: {@code reportedId}'s conversation with {@code reporterId}, whose
     * recent messages are {@code messages} (one per line). Audited as "stranger_reported". Fails with
     * {@link StoreException.NotFound} when the reporter is not a member.
     */
    CompletableFuture<QueueItem> queueReport(
            String conversationId,
            String reporterId,
            String reportedId,
            String reason,
            String messages,
            long nowMillis);

    /** Queue entries with {@code id < beforeId} and this status (null: any), newest first, at most {@code limit}. */
    CompletableFuture<List<QueueItem>> queue(String status, long beforeId, int limit);

    /**
     * Approves ({@code approve}) or rejects a pending entry, audited ("message_approved", "message_rejected",
     * "report_approved", "report_rejected") in the same transaction. Approving a held message appends it to its
     * conversation's log with the next seq (published as every event is; {@link Decision#appended}); when its sender
     * meanwhile got it into the log another way (a retry that was not held), that event is the result and nothing is
     * appended twice. Empty when there is no such entry. Fails with {@link StoreException.Conflict} when the entry is
     * decided already, or a held message can no longer be appended (its sender is no longer a member, or the message
     * it answers is gone): reject it then.
     */
    CompletableFuture<java.util.Optional<Decision>> decide(
            long id, String actorId, boolean approve, String note, long nowMillis);

    /** Whether a queue entry holds a message ("held") or a stranger chat's report ("report"). */
    String HELD = "held";

    String REPORT = "report";

    /** The statuses of a queue entry. */
    String PENDING = "pending";

    String APPROVED = "approved";

    String REJECTED = "rejected";

    /**
     * One entry of the moderation queue. {@code kind} {@link #HELD}: {@code senderId}'s message ({@code clientMsgId},
     * the {@code messageId} it keeps once approved, {@code body}, {@code replyTo}) held for {@code reason}; kind
     * {@link #REPORT}: {@code reporterId} reported {@code senderId} for {@code reason}, {@code body} the recent
     * messages. {@code status} pending, approved or rejected; once decided, {@code decidedBy}, {@code decidedAt},
     * {@code note}, and for an approved held message the {@code seq} it got.
     */
    record QueueItem(
            long id,
            String kind,
            String conversationId,
            String senderId,
            String reporterId,
            String clientMsgId,
            String messageId,
            String body,
            String replyTo,
            String reason,
            String status,
            Long seq,
            String decidedBy,
            Long decidedAt,
            String note,
            long createdAt) {}

    /** What {@link #hold} did: exactly one of {@code item} (held now, or before: {@code duplicate}) and {@code posted}. */
    record Hold(QueueItem item, Appended posted, boolean duplicate) {}

    /** What {@link #decide} did; {@code appended}: the log's event of an approved held message, else null. */
    record Decision(QueueItem item, Appended appended) {}

    /**
     * A server-wide audit entry: {@code actorId} did {@code action} (ban, unban, grant_admin, revoke_admin,
     * revoke_session, member_muted, member_unmuted, message_reported, message_held, message_approved, message_rejected,
     * stranger_reported, report_approved, report_rejected) to {@code targetUserId}, in
     * {@code conversationId} and to {@code targetMessageId} where it applies; {@code detail}: the action's own data
     * (a mute's end, a report's reason, a session id), or null. {@code id} is 0 before it is stored.
     */
    record AdminAudit(
            long id,
            String actorId,
            String action,
            String targetUserId,
            String conversationId,
            String targetMessageId,
            String detail,
            long createdAt) {}

    /** A member muted in a conversation by {@code mutedBy} until {@code untilMillis} (null: until unmuted). */
    record Mute(String conversationId, String userId, Long untilMillis, String mutedBy, long createdAt) {
        /** Whether the mute is in force at {@code nowMillis}. */
        public boolean inForce(long nowMillis) {
            return untilMillis == null || untilMillis > nowMillis;
        }
    }

    /** A report of {@code senderId}'s message by {@code reporterId}; {@code created}: false when it was stored before. */
    record Report(
            long id,
            String conversationId,
            String messageId,
            String senderId,
            String reporterId,
            String reason,
            long createdAt,
            boolean created) {}
}
