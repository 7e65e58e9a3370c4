package io.parley.client;

import io.parley.protocol.ServerFrame;
import java.util.List;

/**
 * The typed results of {@link ParleyRest}: one record per JSON shape of docs/api.md, with its field names. Times are
 * the server's ISO-8601 strings, as in frames. Events are {@link ServerFrame.Event}, the same type
 * {@link ParleyListener#onEvent} receives; receipts and presence reuse {@link ServerFrame.Receipt} and
 * {@link ServerFrame.PresenceEntry}.
 */
public final class Rest {
    private Rest() {}

    /** Register and login: the user and a bearer token for REST and WebSocket. */
    /**
     * A login's answer: {@code token} is a short-lived access token of device session {@code sessionId};
     * {@code refreshToken} is good for one {@link ParleyRest#refresh} (keep the new one it answers with).
     */
    public record Auth(
            String userId, String username, String token, String expiresAt, String refreshToken, String sessionId) {}

    /** {@code GET /me}, {@code GET /users/by-username/{username}}; {@code username} is null for external users. */
    public record User(String userId, String username) {}

    /** A conversation as its member sees it (their unread count and read cursor). */
    public record Conversation(
            String id,
            String type,
            String title,
            String createdBy,
            String createdAt,
            long lastSeq,
            long readSeq,
            long unreadCount,
            ServerFrame.Event lastMessage,
            List<Member> members) {}

    /** A member and their cursors ({@code deliveredSeq >= readSeq >= joinedSeq}). */
    public record Member(
            String userId,
            String username,
            String role,
            String joinedAt,
            long readSeq,
            long deliveredSeq,
            long joinedSeq) {}

    /** A message in its current state: edits applied; {@code body} null when deleted; {@code replyTo} null if none. */
    public record Message(
            String messageId,
            String conversationId,
            long seq,
            String senderId,
            String clientMsgId,
            String body,
            String createdAt,
            String editedAt,
            boolean deleted,
            Reply replyTo,
            List<Reaction> reactions) {}

    /** The message replied to; {@code snippet} is null when it was deleted. */
    public record Reply(String messageId, String snippet) {}

    public record Reaction(String emoji, int count, List<String> userIds) {}

    /**
     * A page of messages, ascending by seq. {@code hasMore}: more exist beyond the page in the cursor's direction;
     * {@code firstSeq}/{@code lastSeq} are null for an empty page.
     */
    public record MessagePage(List<Message> messages, boolean hasMore, int limit, Long firstSeq, Long lastSeq) {}

    /**
     * The messages around a seq ({@code ?around=}), ascending: {@code hasMoreBefore}/{@code hasMoreAfter} say whether
     * the conversation goes on beyond the page on each side.
     */
    public record AroundPage(
            List<Message> messages,
            boolean hasMoreBefore,
            boolean hasMoreAfter,
            int limit,
            Long firstSeq,
            Long lastSeq) {}

    /**
     * A search (docs/api.md, "Search"): {@code q} is required; every other field may be null. {@code after} and
     * {@code before} are ISO-8601 instants, dates (YYYY-MM-DD, UTC) or epoch milliseconds; {@code sort} is
     * "relevance" (the default) or "newest"; {@code cursor} is the {@code nextCursor} of the previous page.
     */
    public record Search(
            String q,
            String conversation,
            String from,
            String after,
            String before,
            String sort,
            String cursor,
            Integer limit) {
        public static Search of(String q) {
            return new Search(q, null, null, null, null, null, null, null);
        }

        public Search next(String nextCursor) {
            return new Search(q, conversation, from, after, before, sort, nextCursor, limit);
        }
    }

    /** One hit: where it is (open it with around), who sent it when, and its snippet with the matched ranges. */
    public record SearchResult(
            String conversationId,
            long seq,
            String messageId,
            String senderId,
            long createdAt,
            Long editedAt,
            String snippet,
            List<List<Integer>> highlights) {}

    /** A page of hits; {@code nextCursor} is null on the last page. */
    public record SearchPage(List<SearchResult> results, int limit, String nextCursor) {}

    /** A page of the raw log, as {@link MessagePage}. */
    public record EventPage(List<ServerFrame.Event> events, boolean hasMore, int limit, Long firstSeq, Long lastSeq) {}

    /** An edit, delete or reaction: {@code changed} false (and no event) when it was already so. */
    public record Change(String messageId, boolean changed, ServerFrame.Event event) {}

    /** Every version of a message, the original first. */
    public record EditHistory(String messageId, List<Version> versions) {}

    public record Version(long seq, String body, String at) {}

    /** Who received and who read a message (the sender and later joiners are in neither list). */
    public record MessageReceipts(String messageId, long seq, List<String> deliveredTo, List<String> readBy) {}

    /** Moderation log entries, newest first. */
    public record AuditPage(List<AuditEntry> entries, boolean hasMore) {}

    public record AuditEntry(
            long id, String actorId, String action, String targetMessageId, String targetUserId, Long seq, String at) {}

    /**
     * Which page of a history: the newest ({@link #latest}), the ones before a seq (scrolling up: pass the
     * {@code firstSeq} of the page you have), or after one (catching up: pass your {@code lastSeq}). A null limit
     * takes the server's default page size (50; at most 200).
     */
    public record Paging(Long before, Long after, Integer limit) {
        public Paging {
            if (before != null && after != null) {
                throw new IllegalArgumentException("give at most one of before and after");
            }
        }

        public static Paging latest() {
            return new Paging(null, null, null);
        }

        public static Paging before(long seq) {
            return new Paging(seq, null, null);
        }

        public static Paging after(long seq) {
            return new Paging(null, seq, null);
        }

        public Paging limit(int n) {
            return new Paging(before, after, n);
        }
    }
}
