package io.parley.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

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
        assertThat(((ClientFrame.Sync) codec.decodeClient("{\"type\":\"sync\"}")).unlisted())
                .isEqualTo("replay");
    }

    @Test
    void serverFrames_roundTripThroughJson() {
        ServerFrame.Event e = new ServerFrame.Event(
                "c_1",
                7,
                "message",
                "2026-11-22T12:00:00Z",
                "u_1",
                "m_1",
                "x",
                "hi",
                null,
                null,
                null,
                null,
                "m_0",
                "parent text",
                null);
        String json = codec.encodeToString(e);
        assertThat(json).contains("\"type\":\"event\"").doesNotContain("memberId");
        assertThat(codec.decodeServer(json)).isEqualTo(e);
        ServerFrame.Ack a = new ServerFrame.Ack("x", "c_1", "m_1", 7, "2026-11-22T12:00:00Z", true);
        assertThat(codec.decodeServer(codec.encodeToString(a))).isEqualTo(a);
    }

    @Test
    void featureFrames_roundTrip() throws Exception {
        List<ClientFrame> frames = List.of(
                new ClientFrame.Send("c_1", "k1", "hi", "m_0"),
                new ClientFrame.Sync(Map.of("c_1", 5L), "replay", 1234L),
                new ClientFrame.Edit("r1", "c_1", "m_1", "new text"),
                new ClientFrame.Delete(null, "c_1", "m_1"),
                new ClientFrame.React("r2", "c_1", "m_1", "\uD83D\uDC4D", false),
                new ClientFrame.React("r3", "c_1", "m_1", "\u2764\uFE0F", true),
                new ClientFrame.Receipt("c_1", 9, true),
                new ClientFrame.Receipt("c_1", 10, false),
                new ClientFrame.Typing("c_1", false),
                new ClientFrame.PresenceQuery("q", List.of("u_1", "u_2")));
        for (ClientFrame f : frames) {
            assertThat(codec.decodeClient(codec.encode(f))).as(f.type()).isEqualTo(f);
        }
        assertThat(codec.decodeClient("{\"type\":\"typing\",\"conversationId\":\"c\"}"))
                .isEqualTo(new ClientFrame.Typing("c", true));
        List<ServerFrame> server = List.of(
                new ServerFrame.Ok("r1", "c_1", "m_1", 12L, false),
                new ServerFrame.Receipts("c_1", List.of(new ServerFrame.Receipt("u_1", 5, 3))),
                new ServerFrame.Typing("c_1", "u_1", true, 6000),
                new ServerFrame.Presence(
                        List.of(new ServerFrame.PresenceEntry("u_1", "offline", "2026-11-22T12:00:00Z")), null),
                new ServerFrame.Synced(Map.of("c_1", 4L), 99L));
        for (ServerFrame f : server) {
            assertThat(codec.decodeServer(codec.encodeToString(f))).isEqualTo(f);
        }
    }

    @Test
    void matchFrames_roundTrip_normaliseInterests_andRefuseBadCriteria() throws Exception {
        ClientFrame.Match join = new ClientFrame.Match("join", "j", List.of("chess", "old films"), "pt-br", true, null);
        assertThat(codec.decodeClient(codec.encode(join))).isEqualTo(join);
        for (String action : ClientFrame.Match.ACTIONS) {
            ClientFrame.Match m = new ClientFrame.Match(action, null, List.of(), null, false, null);
            assertThat(codec.decodeClient(codec.encode(m))).as(action).isEqualTo(m);
        }
        assertThat(codec.decodeClient(
                        "{\"type\":\"match_join\",\"interests\":[\" Chess\",\"chess\"],\"language\":\"EN\"}"))
                .isEqualTo(new ClientFrame.Match("join", null, List.of("chess"), "en", false, null));
        assertCode("{\"type\":\"match_join\",\"interests\":\"chess\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_join\",\"interests\":[\"a,b\"]}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_join\",\"interests\":[1]}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_join\",\"language\":\"english!\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_join\",\"takeover\":\"yes\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_report\",\"reason\":\"" + "x".repeat(501) + "\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"match_dance\"}", ErrorCode.UNKNOWN_TYPE);
        ServerFrame.Match matched = new ServerFrame.Match(
                "matched", "j", "c_1", "stranger-abc", "stranger-def", null, null, null, null, null);
        assertThat(codec.decodeServer(codec.encodeToString(matched))).isEqualTo(matched);
        assertThat(codec.encodeToString(matched)).doesNotContain("online").doesNotContain("null");
    }

    @Test
    void emoji_acceptsEmojiAndRefusesText() {
        for (String ok : List.of(
                "\uD83D\uDC4D",
                "\u2764\uFE0F",
                "\uD83D\uDC4D\uD83C\uDFFD",
                "1\uFE0F\u20E3",
                "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67",
                "\uD83C\uDDEB\uD83C\uDDF7")) {
            assertThat(FrameCodec.isEmoji(ok)).as(ok).isTrue();
        }
        for (String bad : List.of("", "a", ":+1:", "ok", "\u00e9", " \uD83D\uDC4D", "\uD83D\uDC4D".repeat(17), "<b>")) {
            assertThat(FrameCodec.isEmoji(bad)).as(bad).isFalse();
        }
        assertCode(
                "{\"type\":\"react\",\"conversationId\":\"c\",\"messageId\":\"m\",\"emoji\":\"lol\"}",
                ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"read\",\"conversationId\":\"c\"}", ErrorCode.MISSING_FIELD);
        assertCode("{\"type\":\"read\",\"conversationId\":\"c\",\"seq\":-1}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"typing\",\"conversationId\":\"c\",\"active\":\"yes\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"presence_query\",\"userIds\":\"u\"}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"edit\",\"conversationId\":\"c\",\"messageId\":\"m\"}", ErrorCode.MISSING_FIELD);
    }

    @Test
    void rejections_carryPreciseCodes() {
        assertCode("nope", ErrorCode.BAD_JSON);
        assertCode("\"str\"", ErrorCode.BAD_JSON);
        assertCode("{}", ErrorCode.MISSING_FIELD);
        assertCode("{\"type\":1}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"x\"}", ErrorCode.UNKNOWN_TYPE);
        assertCode("{\"type\":\"send\",\"conversationId\":\"c\",\"body\":\"b\"}", ErrorCode.MISSING_FIELD);
        assertCode(
                "{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"\",\"body\":\"b\"}",
                ErrorCode.INVALID_FIELD);
        assertCode(
                "{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"" + "x".repeat(129)
                        + "\",\"body\":\"b\"}",
                ErrorCode.INVALID_FIELD);
        assertCode(
                "{\"type\":\"send\",\"conversationId\":\"c\",\"clientMsgId\":\"m\",\"body\":1}",
                ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"sync\",\"cursors\":{\"c\":1.5}}", ErrorCode.INVALID_FIELD);
        assertCode("{\"type\":\"sync\",\"unlisted\":\"all\"}", ErrorCode.INVALID_FIELD);
    }

    @Test
    void rejectionOfASend_refersToItsClientMsgId() {
        assertThatThrownBy(() -> codec.decodeClient("{\"type\":\"send\",\"clientMsgId\":\"m9\",\"body\":\"b\"}"))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.ref()).isEqualTo("m9"));
    }

    private void assertCode(String text, ErrorCode code) {
        assertThatThrownBy(() -> codec.decodeClient(text))
                .isInstanceOfSatisfying(
                        ProtocolException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
