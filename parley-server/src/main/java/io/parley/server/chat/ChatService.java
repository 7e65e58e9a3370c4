package io.parley.server.chat;

import io.parley.protocol.ErrorCode;
import io.parley.server.config.Config;
import io.parley.server.store.Appended;
import io.parley.server.store.ChatStore;
import io.parley.server.store.ConversationKind;
import io.parley.server.store.ConversationSummary;
import io.parley.server.store.Created;
import io.parley.server.store.LogEvent;
import io.parley.server.store.Member;
import io.parley.server.store.NewMessage;
import io.parley.server.store.Role;
import io.parley.server.store.StoreException;

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
    private final Clock clock;

    public ChatService(ChatStore store, Config.Limits limits, Clock clock) {
        this.store = store;
        this.limits = limits;
        this.clock = clock;
    }

    public ChatStore store() {
        return store;
    }

    /** Validates the body, then appends (durable when the future completes; idempotent per sender + clientMsgId). */
    public CompletableFuture<Appended> send(String userId, String conversationId, String clientMsgId, String body) {
        if (body.isBlank()) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.BODY_EMPTY, 400, "message body is empty"));
        }
        int chars = body.codePointCount(0, body.length());
        if (chars > limits.maxBodyChars()) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.BODY_TOO_LONG, 400,
                    "message body has " + chars + " characters; the limit is " + limits.maxBodyChars()));
        }
        long now = clock.millis();
        return mapped(store.appendMessage(new NewMessage(conversationId, userId, clientMsgId, body,
                Ids.messageId(now), now)));
    }

    public CompletableFuture<Created> openDirect(String userId, String peerId) {
        if (peerId.equals(userId)) {
            return CompletableFuture.failedFuture(ChatException.invalid("a direct conversation needs another user"));
        }
        return mapped(store.getOrCreateDirect(Ids.conversationId(), userId, peerId, clock.millis()));
    }

    public CompletableFuture<Created> createGroup(String ownerId, String title, List<String> memberIds) {
        if (title == null || title.isBlank() || title.length() > 200) {
            return CompletableFuture.failedFuture(ChatException.invalid("title must be 1 to 200 characters"));
        }
        LinkedHashSet<String> members = new LinkedHashSet<>(memberIds);
        members.remove(ownerId);
        if (members.size() + 1 > limits.maxGroupSize()) {
            return CompletableFuture.failedFuture(ChatException.invalid(
                    "a group has at most " + limits.maxGroupSize() + " members"));
        }
        return mapped(store.createGroup(Ids.conversationId(), ownerId, title.strip(), List.copyOf(members), clock.millis()));
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
    public CompletableFuture<List<LogEvent>> addMembers(String actorId, String conversationId, List<String> userIds) {
        return store.findConversation(conversationId, actorId).thenCompose(o -> {
            ConversationSummary c = o.orElseThrow(ChatException::notFound);
            if (c.kind() == ConversationKind.DIRECT) {
                throw ChatException.forbidden("members of a direct conversation cannot change");
            }
            Role actorRole = roleIn(c, actorId);
            if (!actorRole.canManageMembers()) {
                throw ChatException.forbidden("only owners and admins add members");
            }
            long newOnes = userIds.stream().distinct().filter(u -> c.members().stream().noneMatch(m -> m.userId().equals(u))).count();
            if (c.members().size() + newOnes > limits.maxGroupSize()) {
                throw ChatException.invalid("a group has at most " + limits.maxGroupSize() + " members");
            }
            return store.addMembers(conversationId, actorId, List.copyOf(new LinkedHashSet<>(userIds)), clock.millis());
        }).exceptionallyCompose(ChatService::mapFailure);
    }

    /**
     * Removes a member, or leaves when {@code memberId} is the actor. Owners remove anyone; admins remove plain
     * members. The owner cannot leave a group that still has other members (ownership transfer comes later).
     */
    public CompletableFuture<LogEvent> removeMember(String actorId, String conversationId, String memberId) {
        return store.findConversation(conversationId, actorId).thenCompose(o -> {
            ConversationSummary c = o.orElseThrow(ChatException::notFound);
            if (c.kind() == ConversationKind.DIRECT) {
                throw ChatException.forbidden("members of a direct conversation cannot change");
            }
            Role actorRole = roleIn(c, actorId);
            Optional<Member> target = c.members().stream().filter(m -> m.userId().equals(memberId)).findFirst();
            if (target.isEmpty()) {
                throw new ChatException(ErrorCode.USER_NOT_FOUND, 404, "no such member");
            }
            if (actorId.equals(memberId)) {
                if (actorRole == Role.OWNER && c.members().size() > 1) {
                    throw ChatException.forbidden("the owner cannot leave a group that has other members");
                }
            } else if (!(actorRole == Role.OWNER || (actorRole == Role.ADMIN && target.get().role() == Role.MEMBER))) {
                throw ChatException.forbidden("only the owner removes admins; owners and admins remove members");
            }
            return store.removeMember(conversationId, actorId, memberId, clock.millis());
        }).exceptionallyCompose(ChatService::mapFailure);
    }

    /** The owner makes members admins or plain members again. */
    public CompletableFuture<LogEvent> setRole(String actorId, String conversationId, String memberId, Role role) {
        if (role == Role.OWNER) {
            return CompletableFuture.failedFuture(ChatException.invalid("role must be admin or member"));
        }
        return store.findConversation(conversationId, actorId).thenCompose(o -> {
            ConversationSummary c = o.orElseThrow(ChatException::notFound);
            if (roleIn(c, actorId) != Role.OWNER) {
                throw ChatException.forbidden("only the owner changes roles");
            }
            if (actorId.equals(memberId)) {
                throw ChatException.forbidden("the owner's role cannot change");
            }
            if (c.members().stream().noneMatch(m -> m.userId().equals(memberId))) {
                throw new ChatException(ErrorCode.USER_NOT_FOUND, 404, "no such member");
            }
            return store.setRole(conversationId, actorId, memberId, role, clock.millis());
        }).exceptionallyCompose(ChatService::mapFailure);
    }

    /**
     * A page of the log. Exactly one of {@code before}/{@code after} may be given; neither means the newest page.
     * Returns limit+1 events at most so that the caller can tell whether there are more.
     */
    public CompletableFuture<List<LogEvent>> history(String userId, String conversationId, Long before, Long after, int limit) {
        return requireMember(conversationId, userId).thenCompose(r -> {
            if (after != null) {
                return store.eventsAfter(conversationId, after, limit + 1);
            }
            return store.eventsBefore(conversationId, before == null ? Long.MAX_VALUE : before, limit + 1);
        }).exceptionallyCompose(ChatService::mapFailure);
    }

    public CompletableFuture<Long> markRead(String userId, String conversationId, long seq) {
        return requireMember(conversationId, userId)
                .thenCompose(r -> store.markRead(conversationId, userId, seq))
                .exceptionallyCompose(ChatService::mapFailure);
    }

    public CompletableFuture<Role> requireMember(String conversationId, String userId) {
        return mapped(store.roleOf(conversationId, userId)).thenApply(o -> o.orElseThrow(ChatException::notFound));
    }

    private static Role roleIn(ConversationSummary c, String userId) {
        return c.members().stream().filter(m -> m.userId().equals(userId)).map(Member::role).findFirst()
                .orElseThrow(ChatException::notFound);
    }

    private static <T> CompletableFuture<T> mapped(CompletableFuture<T> f) {
        return f.exceptionallyCompose(ChatService::mapFailure);
    }

    /** Store failures with a meaning for the user become ChatExceptions; anything else stays (unavailable). */
    static <T> CompletableFuture<T> mapFailure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof StoreException.UnknownUser u) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.USER_NOT_FOUND, 404, u.getMessage()));
        }
        if (cause instanceof StoreException.NotFound) {
            return CompletableFuture.failedFuture(ChatException.notFound());
        }
        if (cause instanceof StoreException.Conflict c) {
            return CompletableFuture.failedFuture(new ChatException(ErrorCode.CONFLICT, 409, c.getMessage()));
        }
        return CompletableFuture.failedFuture(cause);
    }
}
