package io.parley.server.chat;

import io.parley.protocol.ErrorCode;
import io.parley.protocol.FrameCodec;
import io.parley.protocol.ServerFrame;
import io.parley.server.bus.Bus;
import io.parley.server.bus.Signal;
import io.parley.server.config.Config;
import io.parley.server.presence.Presence;
import io.parley.server.store.Appended;
import io.parley.server.store.AuditEntry;
import io.parley.server.store.Changed;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.Created;
import io.parley.server.store.LogEntry;
import io.parley.server.store.Member;
import io.parley.server.store.MessageVersion;
import io.parley.server.store.MessageView;
import io.parley.server.store.NewMessage;
import io.parley.server.store.ReceiptUpdate;
import io.parley.server.store.Role;
import io.parley.server.store.StoreException;
import io.parley.server.wire.Pseudonyms;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The domain rules of conversations and messages, shared by the WebSocket gateway and the REST API: validation,
 * authorization (membership, roles) and the mapping of store failures to documented error codes. Every method
 * returns a future that fails with {@link ChatException} for a refused request; other failures mean the store is
 * unavailable. Futures complete on store threads.
 */
public final class ChatService {
    private final ChatStore store;
    private final Config.Limits limits;
    private final Config config;
    private final Bus bus;
    private final Presence presence;
    private final ReceiptBatcher receipts;
    private final Clock clock;
    private final Feed feed;
    private final Users users;
    private final Mutes mutes;
    private final Screening screening;
    private final Appends appends;
    private final Pseudonyms pseudonyms;

    public ChatService(
            ChatStore store,
            Config config,
            Bus bus,
            Presence presence,
            ReceiptBatcher receipts,
            Pseudonyms pseudonyms,
            Clock clock) {
        this(store, config, bus, presence, receipts, pseudonyms, clock, Mutes.NONE, Screening.NONE);
    }

    /** As below, nothing held. */
    public ChatService(
            ChatStore store,
            Config config,
            Bus bus,
            Presence presence,
            ReceiptBatcher receipts,
            Pseudonyms pseudonyms,
            Clock clock,
            Mutes mutes) {
        this(store, config, bus, presence, receipts, pseudonyms, clock, mutes, Screening.NONE);
    }

    /**
     * {@code mutes}: a muted member's sends, edits and reactions fail with {@link ErrorCode#MUTED}, nothing stored.
     * {@code screening}: decides whether a valid send is appended or held for review.
     */
    public ChatService(
            ChatStore store,
            Config config,
            Bus bus,
            Presence presence,
            ReceiptBatcher receipts,
            Pseudonyms pseudonyms,
            Clock clock,
            Mutes mutes,
            Screening screening) {
        this(store, config, bus, presence, receipts, pseudonyms, clock, mutes, screening, store::appendMessage);
    }

    /** As above; {@code appends}: where a send that is not held is appended (a cluster routes it to one node). */
    public ChatService(
            ChatStore store,
            Config config,
            Bus bus,
            Presence presence,
            ReceiptBatcher receipts,
            Pseudonyms pseudonyms,
            Clock clock,
            Mutes mutes,
            Screening screening,
            Appends appends) {
        this.appends = appends;
        this.mutes = mutes;
        this.screening = screening;
        this.store = store;
        this.limits = config.limits();
        this.config = config;
        this.bus = bus;
        this.presence = presence;
        this.receipts = receipts;
        this.clock = clock;
        this.feed = new Feed(store, pseudonyms);
        this.users = new Users(store);
        this.pseudonyms = pseudonyms;
    }

    /** How the members of stranger conversations appear to each other: every face showing one masks through it. */
    public Pseudonyms pseudonyms() {
        return pseudonyms;
    }

    /** A stranger conversation's membership, roles and title are the matching service's: no member changes them. */
    private static <T> CompletableFuture<T> refuseStranger(String conversationId, String what) {
        return Pseudonyms.isStranger(conversationId)
                ? CompletableFuture.failedFuture(
                        ChatException.forbidden("a stranger conversation's members cannot " + what))
                : null;
    }

    /** The catch-up reads of a session (the only reads that skip this class's checks). */
    public Feed feed() {
        return feed;
    }

    /** User lookups by id or username. */
    public Users users() {
        return users;
    }

    /**
     * Validates the body, then appends (durable when the future completes; idempotent per sender + clientMsgId), or,
     * when screening holds it, stores it in the moderation queue ({@link Appended#held} set, no event).
     */
    public CompletableFuture<Appended> send(String userId, String conversationId, String clientMsgId, String body) {
        return send(userId, conversationId, clientMsgId, body, null);
    }

    /** As {@link #send(String, String, String, String)}, as a reply to {@code replyTo} (nullable). */
    public CompletableFuture<Appended> send(
            String userId, String conversationId, String clientMsgId, String body, String replyTo) {
        ChatException bad = checkBody(body);
        if (bad == null) {
            bad = checkMuted(userId, conversationId);
        }
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        long now = clock.millis();
        NewMessage m = new NewMessage(conversationId, userId, clientMsgId, body, Ids.messageId(now), now, replyTo);
        return mapped(screening.send(m, () -> appends.append(m)));
    }

    private ChatException checkMuted(String userId, String conversationId) {
        return mutes.muted(conversationId, userId)
                ? new ChatException(ErrorCode.MUTED, "you are muted in this conversation")
                : null;
    }

    private ChatException checkBody(String body) {
        if (body.isBlank()) {
            return new ChatException(ErrorCode.BODY_EMPTY, "message body is empty");
        }
        int chars = body.codePointCount(0, body.length());
        if (chars > limits.maxBodyChars()) {
            return new ChatException(
                    ErrorCode.BODY_TOO_LONG,
                    "message body has " + chars + " characters; the limit is " + limits.maxBodyChars());
        }
        return null;
    }

    // ---- message changes -------------------------------------------------------------------------------------------

    /** The sender changes the text within the edit window; an edit to the same text changes nothing. */
    public CompletableFuture<Changed> edit(String userId, String conversationId, String messageId, String body) {
        ChatException bad = checkBody(body);
        if (bad == null) {
            bad = checkMuted(userId, conversationId);
        }
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        return mapped(store.editMessage(
                conversationId,
                userId,
                messageId,
                body,
                clock.millis(),
                config.messages().editWindow().toMillis()));
    }

    /** The sender, or an owner or admin of a group (moderation, audited), deletes a message. */
    public CompletableFuture<Changed> delete(String userId, String conversationId, String messageId) {
        return mapped(store.deleteMessage(conversationId, userId, messageId, clock.millis()));
    }

    public CompletableFuture<Changed> react(
            String userId, String conversationId, String messageId, String emoji, boolean add) {
        if (!FrameCodec.isEmoji(emoji)) {
            return CompletableFuture.failedFuture(ChatException.invalid("emoji must be one emoji (no text)"));
        }
        ChatException muted = checkMuted(userId, conversationId);
        if (muted != null) {
            return CompletableFuture.failedFuture(muted);
        }
        return mapped(store.react(conversationId, userId, messageId, emoji, add, clock.millis()));
    }

    /** Messages in their current state (edits applied, deleted ones as tombstones, reactions, reply snippets). */
    public CompletableFuture<List<MessageView>> messages(
            String userId, String conversationId, Long before, Long after, int limit) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> store.messages(conversationId, before, after, limit + 1))
                .exceptionallyCompose(ChatService::mapFailure);
    }

    public CompletableFuture<List<MessageView>> replies(
            String userId, String conversationId, String messageId, long after, int limit) {
        // A message of another conversation (or none) has no replies here: message_not_found, as on every other
        // message endpoint, rather than an empty page.
        return requireMember(conversationId, userId)
                .thenCompose(r -> store.message(conversationId, messageId))
                .thenCompose(m -> {
                    if (m.isEmpty()) {
                        throw messageNotFound();
                    }
                    return store.replies(conversationId, messageId, after, limit + 1);
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /** One message in its current state (a deleted one as its tombstone); message_not_found when there is none. */
    public CompletableFuture<MessageView> message(String userId, String conversationId, String messageId) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> store.message(conversationId, messageId))
                .thenApply(m -> m.orElseThrow(ChatService::messageNotFound))
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /** The versions of a message's text, original first; message_not_found when there is none (or it was deleted). */
    public CompletableFuture<List<MessageVersion>> editHistory(String userId, String conversationId, String messageId) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> store.editHistory(conversationId, messageId))
                .thenApply(versions -> {
                    if (versions.isEmpty()) {
                        throw messageNotFound();
                    }
                    return versions;
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /** The moderation log, for owners and admins. */
    public CompletableFuture<List<AuditEntry>> auditLog(
            String userId, String conversationId, long beforeId, int limit) {
        return requireMember(conversationId, userId)
                .thenCompose(role -> {
                    if (!role.canManageMembers()) {
                        throw ChatException.forbidden("only owners and admins read the audit log");
                    }
                    return store.auditLog(conversationId, beforeId, limit + 1);
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    // ---- receipts and typing ---------------------------------------------------------------------------------------

    /** A client's delivered/read cursor: checked now, written and fanned out within one receipts window. */
    public CompletableFuture<Void> receipt(String userId, String conversationId, long seq, boolean read) {
        return requireMember(conversationId, userId)
                .thenAccept(r -> receipts.submit(conversationId, userId, seq, read));
    }

    /** A message and the conversation's members with their receipt cursors: who received and who read it. */
    public record MessageMembers(MessageView message, List<Member> members) {}

    public CompletableFuture<MessageMembers> messageWithMembers(
            String userId, String conversationId, String messageId) {
        return mapped(store.members(conversationId, userId))
                .thenCompose(members -> mapped(store.message(conversationId, messageId))
                        .thenApply(m -> new MessageMembers(m.orElseThrow(ChatService::messageNotFound), members)));
    }

    /** The receipt cursors of every member of a conversation. */
    public CompletableFuture<List<Member>> receipts(String userId, String conversationId) {
        return members(userId, conversationId);
    }

    /**
     * Typing start ({@code active}) or stop: throttled per user and conversation; when granted, sent to the other
     * members' sessions (never stored). Completes with whether it was fanned out. Never in a conversation of more
     * than {@code typing.max-conversation-size} members: there one typist's signal would be thousands of frames, and
     * a hundred typists a storm.
     */
    public CompletableFuture<Boolean> typing(String userId, String conversationId, boolean active) {
        Config.Presence p = config.presence();
        return mapped(store.members(conversationId, userId))
                .thenCompose(members -> members.size() > p.typingMaxConversationSize()
                        ? CompletableFuture.completedFuture(false)
                        : presence.tryTyping(
                                        conversationId,
                                        userId,
                                        active,
                                        p.typingThrottle().toMillis(),
                                        p.typingTtl().toMillis())
                                .thenCombine(pseudonyms.of(conversationId), (granted, aliases) -> {
                                    if (granted) {
                                        List<String> others = members.stream()
                                                .map(Member::userId)
                                                .filter(u -> !u.equals(userId))
                                                .toList();
                                        bus.publish(new Signal(
                                                others,
                                                new ServerFrame.Typing(
                                                        conversationId,
                                                        aliases.of(userId),
                                                        active,
                                                        active ? p.typingTtl().toMillis() : 0)));
                                    }
                                    return granted;
                                }));
    }

    public CompletableFuture<Created> openDirect(String userId, String peerId) {
        if (peerId.equals(userId)) {
            return CompletableFuture.failedFuture(ChatException.invalid("a direct conversation needs another user"));
        }
        return mapped(store.getOrCreateDirect(Ids.conversationId(), userId, peerId, clock.millis()));
    }

    public CompletableFuture<Created> createGroup(String ownerId, String title, List<String> memberIds) {
        if (!validTitle(title)) {
            return CompletableFuture.failedFuture(ChatException.invalid(TITLE_RULE));
        }
        LinkedHashSet<String> members = new LinkedHashSet<>(memberIds);
        members.remove(ownerId);
        if (members.size() + 1 > limits.maxGroupSize()) {
            return CompletableFuture.failedFuture(
                    ChatException.invalid("a group has at most " + limits.maxGroupSize() + " members"));
        }
        return mapped(
                store.createGroup(Ids.conversationId(), ownerId, title.strip(), List.copyOf(members), clock.millis()));
    }

    public CompletableFuture<ConversationSummary> conversation(String userId, String conversationId) {
        return mapped(store.findConversation(conversationId, userId))
                .thenApply(o -> o.orElseThrow(ChatException::notFound));
    }

    public CompletableFuture<List<ConversationSummary>> conversations(String userId) {
        return mapped(store.listConversations(userId));
    }

    public CompletableFuture<List<Member>> members(String userId, String conversationId) {
        return mapped(store.members(conversationId, userId));
    }

    /** Owners and admins of a group add members. */
    public CompletableFuture<List<LogEntry.MemberAdded>> addMembers(
            String actorId, String conversationId, List<String> userIds) {
        CompletableFuture<List<LogEntry.MemberAdded>> refused = refuseStranger(conversationId, "add members");
        if (refused != null) {
            return refused;
        }
        return store.findConversation(conversationId, actorId)
                .thenCompose(o -> {
                    ConversationSummary c = o.orElseThrow(ChatException::notFound);
                    if (c.kind() == ConversationKind.DIRECT) {
                        throw ChatException.forbidden("members of a direct conversation cannot change");
                    }
                    Role actorRole = roleIn(c, actorId);
                    if (!actorRole.canManageMembers()) {
                        throw ChatException.forbidden("only owners and admins add members");
                    }
                    long newOnes = userIds.stream()
                            .distinct()
                            .filter(u -> c.members().stream()
                                    .noneMatch(m -> m.userId().equals(u)))
                            .count();
                    if (c.members().size() + newOnes > limits.maxGroupSize()) {
                        throw ChatException.invalid("a group has at most " + limits.maxGroupSize() + " members");
                    }
                    return store.addMembers(
                            conversationId, actorId, List.copyOf(new LinkedHashSet<>(userIds)), clock.millis());
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /**
     * Removes a member, or leaves when {@code memberId} is the actor. Owners remove anyone; admins remove plain
     * members. The owner cannot leave a group that still has other members (ownership transfer comes later).
     */
    public CompletableFuture<LogEntry.MemberRemoved> removeMember(
            String actorId, String conversationId, String memberId) {
        return store.findConversation(conversationId, actorId)
                .thenCompose(o -> {
                    ConversationSummary c = o.orElseThrow(ChatException::notFound);
                    if (c.kind() == ConversationKind.DIRECT) {
                        throw ChatException.forbidden("members of a direct conversation cannot change");
                    }
                    Role actorRole = roleIn(c, actorId);
                    Optional<Member> target = c.members().stream()
                            .filter(m -> m.userId().equals(memberId))
                            .findFirst();
                    if (target.isEmpty()) {
                        throw new ChatException(ErrorCode.USER_NOT_FOUND, "no such member");
                    }
                    if (actorId.equals(memberId)) {
                        if (actorRole == Role.OWNER && c.members().size() > 1) {
                            throw ChatException.forbidden("the owner cannot leave a group that has other members");
                        }
                    } else if (!(actorRole == Role.OWNER
                            || (actorRole == Role.ADMIN && target.get().role() == Role.MEMBER))) {
                        throw ChatException.forbidden(
                                "only the owner removes admins; owners and admins remove members");
                    }
                    return store.removeMember(conversationId, actorId, memberId, clock.millis());
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /** The owner makes members admins or plain members again. */
    public CompletableFuture<LogEntry.RoleChanged> setRole(
            String actorId, String conversationId, String memberId, Role role) {
        if (role == Role.OWNER) {
            return CompletableFuture.failedFuture(ChatException.invalid("role must be admin or member"));
        }
        CompletableFuture<LogEntry.RoleChanged> refused = refuseStranger(conversationId, "change roles");
        if (refused != null) {
            return refused;
        }
        return store.findConversation(conversationId, actorId)
                .thenCompose(o -> {
                    ConversationSummary c = o.orElseThrow(ChatException::notFound);
                    if (roleIn(c, actorId) != Role.OWNER) {
                        throw ChatException.forbidden("only the owner changes roles");
                    }
                    if (actorId.equals(memberId)) {
                        throw ChatException.forbidden("the owner's role cannot change");
                    }
                    if (c.members().stream().noneMatch(m -> m.userId().equals(memberId))) {
                        throw new ChatException(ErrorCode.USER_NOT_FOUND, "no such member");
                    }
                    return store.setRole(conversationId, actorId, memberId, role, clock.millis());
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /**
     * Renames a group: its owner and admins may (others: forbidden; a non-member: conversation_not_found); a direct
     * conversation has no title to change (forbidden). The title follows the rule of {@link #createGroup}.
     */
    public CompletableFuture<LogEntry.ConversationRenamed> rename(String actorId, String conversationId, String title) {
        if (!validTitle(title)) {
            return CompletableFuture.failedFuture(ChatException.invalid(TITLE_RULE));
        }
        CompletableFuture<LogEntry.ConversationRenamed> refused = refuseStranger(conversationId, "rename it");
        if (refused != null) {
            return refused;
        }
        return store.findConversation(conversationId, actorId)
                .thenCompose(o -> {
                    ConversationSummary c = o.orElseThrow(ChatException::notFound);
                    if (c.kind() == ConversationKind.DIRECT) {
                        throw ChatException.forbidden("a direct conversation cannot be renamed");
                    }
                    if (!roleIn(c, actorId).canManageMembers()) {
                        throw ChatException.forbidden("only owners and admins rename a group");
                    }
                    return store.rename(conversationId, actorId, title.strip(), clock.millis());
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    private static final String TITLE_RULE = "title must be 1 to 200 characters";

    private static boolean validTitle(String title) {
        return title != null && !title.isBlank() && title.length() <= 200;
    }

    /**
     * A page of the raw log. Exactly one of {@code before}/{@code after} may be given; neither means the newest page.
     * Returns limit+1 events at most so that the caller can tell whether there are more.
     */
    public CompletableFuture<List<LogEntry>> events(
            String userId, String conversationId, Long before, Long after, int limit) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> {
                    if (after != null) {
                        return store.eventsAfter(conversationId, after, limit + 1);
                    }
                    return store.eventsBefore(conversationId, before == null ? Long.MAX_VALUE : before, limit + 1);
                })
                .exceptionallyCompose(ChatService::mapFailure);
    }

    /** REST read: written at once (not batched) and fanned out; returns the resulting read cursor. */
    public CompletableFuture<Long> markRead(String userId, String conversationId, long seq) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> receipts.writeNow(List.of(new ReceiptUpdate(conversationId, userId, 0, seq))))
                .thenCompose(changes -> changes.isEmpty()
                        ? store.markRead(conversationId, userId, 0)
                        : CompletableFuture.completedFuture(changes.get(0).readSeq()))
                .exceptionallyCompose(ChatService::mapFailure);
    }

    public CompletableFuture<Role> requireMember(String conversationId, String userId) {
        return mapped(store.roleOf(conversationId, userId)).thenApply(o -> o.orElseThrow(ChatException::notFound));
    }

    private static ChatException messageNotFound() {
        return new ChatException(ErrorCode.MESSAGE_NOT_FOUND, "message not found");
    }

    private static Role roleIn(ConversationSummary c, String userId) {
        return c.members().stream()
                .filter(m -> m.userId().equals(userId))
                .map(Member::role)
                .findFirst()
                .orElseThrow(ChatException::notFound);
    }

    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> f) {
        return f.exceptionallyCompose(ChatService::mapFailure);
    }

    /** Store failures with a meaning for the user become ChatExceptions; anything else stays (unavailable). */
    public static <T> CompletableFuture<T> mapFailure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof StoreException.MessageNotFound) {
            return CompletableFuture.failedFuture(messageNotFound());
        }
        if (cause instanceof StoreException.Forbidden f) {
            return CompletableFuture.failedFuture(ChatException.forbidden(f.getMessage()));
        }
        if (cause instanceof StoreException.EditWindowClosed w) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.EDIT_WINDOW_CLOSED, w.getMessage()));
        }
        if (cause instanceof StoreException.UnknownUser u) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.USER_NOT_FOUND, u.getMessage()));
        }
        if (cause instanceof StoreException.NotFound) {
            return CompletableFuture.failedFuture(ChatException.notFound());
        }
        if (cause instanceof StoreException.Conflict c) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.CONFLICT, c.getMessage()));
        }
        return CompletableFuture.failedFuture(cause);
    }
}
