package io.parley.server.store;

import io.parley.protocol.EventKind;
import java.util.Objects;

/**
 * One committed entry of a conversation's log: the shared {@link EventHeader} and one record per {@link EventKind},
 * each holding only the fields its kind has, so nothing is null because of the kind (what may be null is said per
 * record: a direct conversation has no title, a message that is no reply has no replyTo).
 *
 * <p>Every place that treats kinds differently goes through a {@link Visitor} (or, where it starts from an
 * {@link EventKind}, an exhaustive {@code switch} expression over the enum with no {@code default}), so a new kind is
 * a compile error until each of them handles it: a new record must be permitted here and needs a {@code visit}
 * method in {@link Visitor}, which every visitor must then implement; a new enum constant fails every exhaustive
 * switch over {@link EventKind} (the row mapping in {@code store.jdbc.Rows}). Java 17 has no pattern matching for
 * {@code switch}, hence the visitor.
 */
public sealed interface LogEntry {
    EventHeader header();

    <R> R accept(Visitor<R> visitor);

    default String conversationId() {
        return header().conversationId();
    }

    default long seq() {
        return header().seq();
    }

    default EventKind kind() {
        return header().kind();
    }

    default long createdAt() {
        return header().createdAt();
    }

    default String actorId() {
        return header().actorId();
    }

    /** One method per kind; implementing it is how a place says what it does with every kind. */
    interface Visitor<R> {
        R message(MessagePosted e);

        R conversationCreated(ConversationCreated e);

        R memberAdded(MemberAdded e);

        R memberRemoved(MemberRemoved e);

        R roleChanged(RoleChanged e);

        R messageEdited(MessageEdited e);

        R messageDeleted(MessageDeleted e);

        R reactionAdded(ReactionAdded e);

        R reactionRemoved(ReactionRemoved e);

        R attachment(AttachmentChanged e);

        R conversationRenamed(ConversationRenamed e);

        R memberMuted(MemberMuted e);

        R memberUnmuted(MemberUnmuted e);
    }

    /**
     * message: actorId sent it. {@code deleted} when the message was deleted later: then its {@code body} is gone
     * (null). {@code replyTo} and {@code replySnippet} are null when it is no reply.
     */
    record MessagePosted(
            EventHeader header,
            String messageId,
            String clientMsgId,
            String body,
            String replyTo,
            String replySnippet,
            boolean deleted)
            implements LogEntry {
        public MessagePosted {
            requireKind(header, EventKind.MESSAGE);
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(clientMsgId, "clientMsgId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.message(this);
        }
    }

    /** conversation_created by actorId; {@code title} is null for a direct conversation. */
    record ConversationCreated(EventHeader header, String title) implements LogEntry {
        public ConversationCreated {
            requireKind(header, EventKind.CONVERSATION_CREATED);
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.conversationCreated(this);
        }
    }

    /** member_added: memberId joined with role (added by actorId, or with the conversation). */
    record MemberAdded(EventHeader header, String memberId, Role role) implements LogEntry {
        public MemberAdded {
            requireKind(header, EventKind.MEMBER_ADDED);
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(role, "role");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.memberAdded(this);
        }
    }

    /** member_removed: memberId was removed by actorId, or left (actorId == memberId). */
    record MemberRemoved(EventHeader header, String memberId) implements LogEntry {
        public MemberRemoved {
            requireKind(header, EventKind.MEMBER_REMOVED);
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.memberRemoved(this);
        }
    }

    /** member_muted: memberId was muted by actorId until {@code untilMillis} (null: until unmuted). */
    record MemberMuted(EventHeader header, String memberId, Long untilMillis) implements LogEntry {
        public MemberMuted {
            requireKind(header, EventKind.MEMBER_MUTED);
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.memberMuted(this);
        }
    }

    /** member_unmuted: memberId's mute was lifted by actorId. */
    record MemberUnmuted(EventHeader header, String memberId) implements LogEntry {
        public MemberUnmuted {
            requireKind(header, EventKind.MEMBER_UNMUTED);
            Objects.requireNonNull(memberId, "memberId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.memberUnmuted(this);
        }
    }

    /** member_role: memberId's role became role, by actorId. */
    record RoleChanged(EventHeader header, String memberId, Role role) implements LogEntry {
        public RoleChanged {
            requireKind(header, EventKind.MEMBER_ROLE);
            Objects.requireNonNull(memberId, "memberId");
            Objects.requireNonNull(role, "role");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.roleChanged(this);
        }
    }

    /**
     * message_edited: actorId changed messageId's text to {@code body}; {@code deleted} (and body null) when the
     * message was deleted later.
     */
    record MessageEdited(EventHeader header, String messageId, String body, boolean deleted) implements LogEntry {
        public MessageEdited {
            requireKind(header, EventKind.MESSAGE_EDITED);
            Objects.requireNonNull(messageId, "messageId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.messageEdited(this);
        }
    }

    /** message_deleted: actorId (the sender, or an owner/admin moderating) deleted messageId. */
    record MessageDeleted(EventHeader header, String messageId) implements LogEntry {
        public MessageDeleted {
            requireKind(header, EventKind.MESSAGE_DELETED);
            Objects.requireNonNull(messageId, "messageId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.messageDeleted(this);
        }
    }

    /** reaction_added: actorId reacted to messageId with emoji. */
    record ReactionAdded(EventHeader header, String messageId, String emoji) implements LogEntry {
        public ReactionAdded {
            requireKind(header, EventKind.REACTION_ADDED);
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(emoji, "emoji");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.reactionAdded(this);
        }
    }

    /** reaction_removed: actorId took back their emoji reaction to messageId. */
    record ReactionRemoved(EventHeader header, String messageId, String emoji) implements LogEntry {
        public ReactionRemoved {
            requireKind(header, EventKind.REACTION_REMOVED);
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(emoji, "emoji");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.reactionRemoved(this);
        }
    }

    /**
     * attachment: the status of one attachment of messageId (pending when the message was sent, then ready or
     * rejected, by the scanner; actorId is the sender). {@code attachment} is null once the message was deleted.
     */
    record AttachmentChanged(EventHeader header, String messageId, AttachmentInfo attachment) implements LogEntry {
        public AttachmentChanged {
            requireKind(header, EventKind.ATTACHMENT);
            Objects.requireNonNull(messageId, "messageId");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.attachment(this);
        }
    }

    /** conversation_renamed: actorId changed the group's title to {@code title}. */
    record ConversationRenamed(EventHeader header, String title) implements LogEntry {
        public ConversationRenamed {
            requireKind(header, EventKind.CONVERSATION_RENAMED);
            Objects.requireNonNull(title, "title");
        }

        @Override
        public <R> R accept(Visitor<R> v) {
            return v.conversationRenamed(this);
        }
    }

    private static void requireKind(EventHeader header, EventKind kind) {
        if (header.kind() != kind) {
            throw new IllegalArgumentException(
                    "a " + kind.wire() + " entry with a " + header.kind().wire() + " header");
        }
    }
}
