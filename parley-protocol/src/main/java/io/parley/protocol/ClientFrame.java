package io.parley.protocol;

import java.util.Map;

/**
 * Frames a client sends to the server over {@code /ws}. Every frame is one JSON text message with a {@code type}
 * field; docs/protocol.md is the reference. Server-side decoding validates each field by hand
 * ({@link FrameCodec#decodeClient}) so that every rejection carries a precise {@link ErrorCode}.
 */
public sealed interface ClientFrame {

    /** The frame's {@code type} value on the wire. */
    String type();

    /** Authenticate when the token was not given as the {@code token} query parameter. Must be the first frame. */
    record Auth(String token) implements ClientFrame {
        @Override
        public String type() {
            return "auth";
        }
    }

    /**
     * Resume: the client says what it has seen. {@code cursors} maps conversation id to the last seq the client holds
     * (0 or absent: nothing). {@code unlisted} says what to do with conversations the user is a member of but that are
     * not in {@code cursors}: {@code "replay"} (default) replays them from seq 1, {@code "skip"} replays nothing and only
     * reports their last seq in the {@code synced} frame.
     */
    record Sync(Map<String, Long> cursors, String unlisted, Long receiptsSince) implements ClientFrame {
        public static final String REPLAY = "replay";
        public static final String SKIP = "skip";

        public Sync(Map<String, Long> cursors, String unlisted) {
            this(cursors, unlisted, null);
        }

        @Override
        public String type() {
            return "sync";
        }
    }

    /**
     * Send a message, optionally as a reply to {@code replyTo} (a message id of the same conversation). The server
     * answers with an {@code ack} only after the message is durably committed.
     */
    record Send(String conversationId, String clientMsgId, String body, String replyTo) implements ClientFrame {
        public Send(String conversationId, String clientMsgId, String body) {
            this(conversationId, clientMsgId, body, null);
        }

        @Override
        public String type() {
            return "send";
        }
    }

    /** Edit one's own message within the edit window. Answered with {@code ok} (ref) or {@code error}. */
    record Edit(String ref, String conversationId, String messageId, String body) implements ClientFrame {
        @Override
        public String type() {
            return "edit";
        }
    }

    /** Delete a message: one's own, or (owners and admins of a group) anyone's. Answered with {@code ok}. */
    record Delete(String ref, String conversationId, String messageId) implements ClientFrame {
        @Override
        public String type() {
            return "delete";
        }
    }

    /** Add ({@code remove == false}, type {@code react}) or remove (type {@code unreact}) an emoji reaction. */
    record React(String ref, String conversationId, String messageId, String emoji, boolean remove)
            implements ClientFrame {
        @Override
        public String type() {
            return remove ? "unreact" : "react";
        }
    }

    /** Receipt cursors: the client received ({@code delivered}) or read ({@code read}) everything up to {@code seq}. */
    record Receipt(String conversationId, long seq, boolean read) implements ClientFrame {
        @Override
        public String type() {
            return read ? "read" : "delivered";
        }
    }

    /** The user is typing in the conversation ({@code active}), or stopped. */
    record Typing(String conversationId, boolean active) implements ClientFrame {
        @Override
        public String type() {
            return "typing";
        }
    }

    /** Ask for the presence of users who share a conversation with the caller; answered with {@code presence}. */
    record PresenceQuery(String ref, java.util.List<String> userIds) implements ClientFrame {
        @Override
        public String type() {
            return "presence_query";
        }
    }

    /** Application-level heartbeat; the server answers {@code pong} with the same id. */
    record Ping(String id) implements ClientFrame {
        @Override
        public String type() {
            return "ping";
        }
    }

    /**
     * Talk to a stranger (docs/protocol.md, "Matching"): {@code action} is one of {@link #ACTIONS} and the wire type
     * is {@code "match_" + action}. {@code interests} (lower case, at most {@link FrameCodec#MAX_INTERESTS}) and
     * {@code language} only for {@code join}; {@code takeover} moves the user's one matching session to this
     * connection; {@code reason} only for {@code report}.
     */
    record Match(
            String action,
            String ref,
            java.util.List<String> interests,
            String language,
            boolean takeover,
            String reason)
            implements ClientFrame {
        public static final java.util.List<String> ACTIONS =
                java.util.List.of("join", "leave", "next", "end", "report", "block");

        public Match {
            interests = interests == null ? java.util.List.of() : java.util.List.copyOf(interests);
        }

        @Override
        public String type() {
            return "match_" + action;
        }
    }
}
