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

    /**
     * A server-wide audit entry: {@code actorId} did {@code action} (ban, unban, grant_admin, revoke_admin,
     * revoke_session, member_muted, member_unmuted, message_reported) to {@code targetUserId}, in
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
