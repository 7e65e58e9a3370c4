package io.parley.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.Map;

/**
 * Frames the server sends to a client over {@code /ws}; docs/protocol.md is the reference. Optional fields that are
 * null are left out of the JSON.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(ServerFrame.Welcome.class),
    @JsonSubTypes.Type(ServerFrame.Ack.class),
    @JsonSubTypes.Type(ServerFrame.Event.class),
    @JsonSubTypes.Type(ServerFrame.Synced.class),
    @JsonSubTypes.Type(ServerFrame.Error.class),
    @JsonSubTypes.Type(ServerFrame.Pong.class),
    @JsonSubTypes.Type(ServerFrame.Ok.class),
    @JsonSubTypes.Type(ServerFrame.Receipts.class),
    @JsonSubTypes.Type(ServerFrame.Typing.class),
    @JsonSubTypes.Type(ServerFrame.Presence.class),
    @JsonSubTypes.Type(ServerFrame.Match.class),
    @JsonSubTypes.Type(ServerFrame.Held.class),
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface ServerFrame {

    /** First frame after successful authentication. Times are milliseconds. */
    @JsonTypeName("welcome")
    record Welcome(
            String sessionId,
            String userId,
            long heartbeatIntervalMs,
            long idleTimeoutMs,
            int maxFrameBytes,
            int maxBodyChars)
            implements ServerFrame {}

    /**
     * The message with {@code clientMsgId} is durably stored at {@code seq}. {@code duplicate} is true when this
     * answers a retry of a message stored earlier (nothing new was stored).
     */
    @JsonTypeName("ack")
    record Ack(
            String clientMsgId, String conversationId, String messageId, long seq, String createdAt, boolean duplicate)
            implements ServerFrame {}

    /**
     * The message with {@code clientMsgId} is in the moderation queue, not in the conversation's log (docs/protocol.md,
     * "Held messages"). {@code status}: {@code held} (the answer to the send: durably stored for review, nobody else
     * sees it), {@code approved} (appended at {@code seq}; its {@code event} follows) or {@code rejected} (never
     * appended). {@code heldId} is the queue entry's id. {@code duplicate}: the answer to a retry of a message held
     * before (nothing new stored). The answer to a send, and a notice to the sender's sessions when an admin decides.
     */
    @JsonTypeName("held")
    record Held(
            String clientMsgId,
            String conversationId,
            String messageId,
            long heldId,
            String status,
            Long seq,
            String createdAt,
            boolean duplicate)
            implements ServerFrame {}

    /**
     * One entry of a conversation's ordered log. {@code kind} is one of {@link EventKind}'s wire names. Fields that
     * do not apply to the kind are absent. {@code until}: a member_muted event's end (ISO-8601), absent for a mute
     * until unmuted.
     */
    @JsonTypeName("event")
    record Event(
            String conversationId,
            long seq,
            String kind,
            String createdAt,
            String actorId,
            String messageId,
            String clientMsgId,
            String body,
            String memberId,
            String role,
            String title,
            String emoji,
            String replyTo,
            String replySnippet,
            Boolean deleted,
            Attachment attachment,
            String until)
            implements ServerFrame {
        /** An event of a kind without an attachment (every kind but {@code attachment}). */
        public Event(
                String conversationId,
                long seq,
                String kind,
                String createdAt,
                String actorId,
                String messageId,
                String clientMsgId,
                String body,
                String memberId,
                String role,
                String title,
                String emoji,
                String replyTo,
                String replySnippet,
                Boolean deleted) {
            this(
                    conversationId,
                    seq,
                    kind,
                    createdAt,
                    actorId,
                    messageId,
                    clientMsgId,
                    body,
                    memberId,
                    role,
                    title,
                    emoji,
                    replyTo,
                    replySnippet,
                    deleted,
                    null,
                    null);
        }

        /** An event of a kind without a mute's end (every kind but {@code member_muted}). */
        public Event(
                String conversationId,
                long seq,
                String kind,
                String createdAt,
                String actorId,
                String messageId,
                String clientMsgId,
                String body,
                String memberId,
                String role,
                String title,
                String emoji,
                String replyTo,
                String replySnippet,
                Boolean deleted,
                Attachment attachment) {
            this(
                    conversationId,
                    seq,
                    kind,
                    createdAt,
                    actorId,
                    messageId,
                    clientMsgId,
                    body,
                    memberId,
                    role,
                    title,
                    emoji,
                    replyTo,
                    replySnippet,
                    deleted,
                    attachment,
                    null);
        }
    }

    /**
     * The attachment of an {@code attachment} event (docs/protocol.md): its id, its {@code status} ({@code pending}
     * while it is scanned, then {@code ready} or {@code rejected}), the sanitised file name, the type sniffed from its
     * bytes, its size in bytes, and for images the pixel {@code width} and {@code height} and whether a
     * {@code thumbnail} exists. Absent from an attachment event whose message was deleted.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attachment(
            String id,
            String status,
            String name,
            String contentType,
            long size,
            Integer width,
            Integer height,
            Boolean thumbnail) {}

    /**
     * Caught-up marker after a {@code sync}: every event up to {@code conversations[id]} has been sent for every
     * conversation the user is a member of; live events follow with no gap.
     */
    @JsonTypeName("synced")
    record Synced(Map<String, Long> conversations, Long serverTime) implements ServerFrame {}

    /**
     * A frame was rejected; the connection stays open. {@code ref} names what was rejected (the clientMsgId of a
     * send, or the frame type) when known. {@code retryAfterMs}: with {@code rate_limited}, how long to wait before
     * sending the same frame again; absent otherwise.
     */
    @JsonTypeName("error")
    record Error(String code, String message, String ref, Long retryAfterMs) implements ServerFrame {
        public Error(String code, String message, String ref) {
            this(code, message, ref, null);
        }
    }

    /** Answer to a client {@code ping}. */
    @JsonTypeName("pong")
    record Pong(String id) implements ServerFrame {}

    /**
     * An {@code edit}, {@code delete}, {@code react} or {@code unreact} succeeded. {@code seq} is the log position of
     * the resulting event; absent (with {@code duplicate: true}) when nothing changed (already so).
     */
    @JsonTypeName("ok")
    record Ok(String ref, String conversationId, String messageId, Long seq, boolean duplicate)
            implements ServerFrame {}

    /** Receipt cursors of members of a conversation (each only moves forward). */
    @JsonTypeName("receipts")
    record Receipts(String conversationId, java.util.List<Receipt> receipts) implements ServerFrame {}

    record Receipt(String userId, long deliveredSeq, long readSeq) {}

    /** {@code userId} is typing in the conversation; forget it after {@code ttlMs} without a refresh. */
    @JsonTypeName("typing")
    record Typing(String conversationId, String userId, boolean active, long ttlMs) implements ServerFrame {}

    /** Presence of users: a batch of changes, or the answer to a {@code presence_query} ({@code ref}). */
    @JsonTypeName("presence")
    record Presence(java.util.List<PresenceEntry> users, String ref) implements ServerFrame {}

    /** {@code status} is "online" or "offline"; {@code lastSeen} (ISO-8601) per the server's privacy setting. */
    record PresenceEntry(String userId, String status, String lastSeen) {}

    /**
     * Talk to a stranger (docs/protocol.md, "Matching"). {@code event}: {@code waiting} (queued; {@code online} and
     * {@code waiting} counts), {@code matched} (a new pair: {@code conversationId}, {@code partner}, the partner's
     * pseudonym, and {@code you}, one's own), {@code rejoined} (this session got its pair back), {@code partner_away}
     * (the partner disconnected; the pair waits {@code graceMs}), {@code partner_back}, {@code partner_left}
     * ({@code reason}: ended, skipped, timeout), {@code ended} (one's own end, next or block), {@code left} (out of
     * the queue), {@code reported}, {@code taken_over} (session {@code sessionId} lost the matching session to
     * another tab). Absent fields do not apply.
     */
    @JsonTypeName("match")
    record Match(
            String event,
            String ref,
            String conversationId,
            String partner,
            String you,
            Long online,
            Long waiting,
            Long graceMs,
            String reason,
            String sessionId)
            implements ServerFrame {
        public static Match of(String event) {
            return new Match(event, null, null, null, null, null, null, null, null, null);
        }
    }
}
