package io.parley.protocol;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameCodecTest {
    final FrameCodec codec = new FrameCodec();

    @Test
    void send_roundTripsThroughClientEncoding() throws Exception {
        ClientFrame.Send s = new ClientFrame.Send("c_1", "m-1", "héllo \"world\" 👋");
        assertThat(codec.decodeClient(codec.encode(s))).isEqualTo(s);
    }

    @Test
    void sync_roundTrips_andDefaultsUnlistedToReplay() throws Exception {
        ClientFrame.Sync s = new ClientFrame.Sync(Map.of("c_1", 5L, "c_2", 0L), "skip");
        assertThat(codec.decodeClient(codec.encode(s))).isEqualTo(s);
        assertThat(((ClientFrame.Sync) codec.decodeClient("{\"type\":\"sync\"}")).unlisted()).isEqualTo("replay");
    }

    @Test
    void serverFrames_roundTripThroughJson() {
        ServerFrame.Event e = new ServerFrame.Event("c_1", 7, "message", "2026-11-22T12:00:00Z", "u_1", "m_1", "x",
                "hi", null, null, null);
        String json = codec.encodeToString(e);
        assertThat(json).contains("\"type\":\"event\"").doesNotContain("memberId");
        assertThat(codec.decodeServer(json)).isEqualTo(e);
        ServerFrame.Ack a = new ServerFrame.Ack("x", "c_1", "m_1", 7, "2026-11-22T12:00:00Z", true);
        assertThat(codec.decodeServer(codec.encodeToString(a))).isEqualTo(a);
    }

    @Test
    void rejections_carryPreciseCodes() {
        assertCode("nope", ErrorCode.BAD_JSON);
        assertCode("\"str\"", ErrorCode.BAD_JSON);
        assertCode("{}", ErrorCode.MISSING_FIELD);
        assertCode("{\"type\":1}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"x\"}", ErrorCode.UNKNOWN_TYPE);
        assertCode("{\"type\":\"send\",\"conversationId\":\"c\",\"body\":\"b\"}", ErrorCode.MISSING_FIELD);
        assertCode("{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"\",\"body\":\"b\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"" + "x".repeat(129) + "\",\"body\":\"b\"}",
                ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":1}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"sync\",\"cursors\":{\"c\":1.5}}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"sync\",\"unlisted\":\"all\"}", ErrorCode.INVALID_FIELD);
    }

    @Test
    void rejectionOfASend_refersToItsClientMsgId() {
        assertThatThrownBy(() -> codec.decodeClient("{\"type\":\"send\",\"clientMsgId\":\"m9\",\"body\":\"b\"}"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.ref()).isEqualTo("m9"));
    }

    private void assertCode(String text, ErrorCode code) {
        assertThatThrownBy(() -> codec.decodeClient(text))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
