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
        public String type() { return "auth"; }
    }

    /**
     * Resume: the client says what it has seen. {@code cursors} maps conversation id to the last seq the client holds
     * (0 or absent: nothing). {@code unlisted} says what to do with conversations the user is a member of but that are
     * not in {@code cursors}: {@code "replay"} (default) replays them from seq 1, {@code "skip"} replays nothing and only
     * reports their last seq in the {@code synced} frame.
     */
    record Sync(Map<String, Long> cursors, String unlisted) implements ClientFrame {
        public static final String REPLAY = "replay";
        public static final String SKIP = "skip";
        public String type() { return "sync"; }
    }

    /** Send a message. The server answers with an {@code ack} only after the message is durably committed. */
    record Send(String conversationId, String clientMsgId, String body) implements ClientFrame {
        public String type() { return "send"; }
    }

    /** Application-level heartbeat; the server answers {@code pong} with the same id. */
    record Ping(String id) implements ClientFrame {
        public String type() { return "ping"; }
    }
}
