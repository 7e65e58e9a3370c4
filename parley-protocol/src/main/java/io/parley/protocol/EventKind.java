package io.parley.protocol;

/** Kinds of entries in a conversation's ordered log, with their wire names. */
public enum EventKind {
    /** A new message: actorId (sender), messageId, clientMsgId, body. */
    MESSAGE("message"),
    /** The conversation was created by actorId; title for groups. */
    CONVERSATION_CREATED("conversation_created"),
    /** memberId joined with role (added by actorId, or created with the conversation). */
    MEMBER_ADDED("member_added"),
    /** memberId was removed by actorId, or left (actorId == memberId). */
    MEMBER_REMOVED("member_removed"),
    /** memberId's role changed to role, by actorId. */
    MEMBER_ROLE("member_role"),
    /** actorId (the sender) edited messageId; body is the new text. */
    MESSAGE_EDITED("message_edited"),
    /** messageId was deleted by actorId (the sender, or an owner/admin moderating); its content is gone. */
    MESSAGE_DELETED("message_deleted"),
    /** actorId reacted to messageId with emoji. */
    REACTION_ADDED("reaction_added"),
    /** actorId took back their emoji reaction to messageId. */
    REACTION_REMOVED("reaction_removed"),
    /**
     * The status of an attachment of messageId: pending (scanning) when the message is sent, then ready or rejected;
     * the attachment itself is in the event's {@code attachment} field (absent once the message was deleted).
     */
    ATTACHMENT("attachment"),
    /** actorId (an owner or admin of the group) changed the conversation's title to title. */
    CONVERSATION_RENAMED("conversation_renamed"),
    /**
     * memberId was muted by actorId (the owner, an admin or a server admin) until {@code until} (absent: until
     * unmuted): their sends, edits and reactions are refused with {@code muted}.
     */
    MEMBER_MUTED("member_muted"),
    /** memberId's mute was lifted by actorId. */
    MEMBER_UNMUTED("member_unmuted");

    private final String wire;

    EventKind(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static EventKind fromWire(String wire) {
        for (EventKind k : values()) {
            if (k.wire.equals(wire)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown event kind: " + wire);
    }
}
