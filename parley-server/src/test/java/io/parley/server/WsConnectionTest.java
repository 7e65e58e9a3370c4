package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's own WebSocket layer (WsConnection on Netty's frame codec), from a bare socket: fragmented messages,
 * interleaved control frames, frames pipelined behind an auth frame, UTF-8 checking, the close handshake from the
 * client's side, and what a request that is not an upgrade gets. Each failure case leaves the server serving others.
 */
class WsConnectionTest {
    private static final int TEXT = 0x1;
    private static final int CONTINUATION = 0x0;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private static Path dir;
    private static TestServer server;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("parley-wsconn");
        server = new TestServer(dir).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawSocket connect(String user) throws IOException {
        RawSocket s = new RawSocket(server.port(), "/ws?token=" + TestServer.token(user));
        assertThat(json(s.read()).getString("type")).isEqualTo("welcome");
        return s;
    }

    private static JsonObject json(RawSocket.Frame f) {
        assertThat(f.opcode()).isEqualTo(TEXT);
        return new JsonObject(new String(f.payload(), StandardCharsets.UTF_8));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The connection still answers an application ping. */
    private static void assertAnswers(RawSocket s, String id) throws IOException {
        s.sendText("{\"type\":\"ping\",\"id\":\"" + id + "\"}");
        JsonObject pong = json(s.read());
        assertThat(pong.getString("type")).isEqualTo("pong");
        assertThat(pong.getString("id")).isEqualTo(id);
    }

    @Test
    void fragmentedMessage_isReassembled_andAPingBetweenFragmentsIsAnswered() throws Exception {
        try (RawSocket s = connect("frag")) {
            byte[] whole = utf8("{\"type\":\"ping\",\"id\":\"f1\"}");
            s.sendFrame(false, TEXT, Arrays.copyOfRange(whole, 0, 5));
            s.sendFrame(true, PING, utf8("hb"));
            s.sendFrame(false, CONTINUATION, Arrays.copyOfRange(whole, 5, 12));
            s.sendFrame(true, CONTINUATION, Arrays.copyOfRange(whole, 12, whole.length));
            RawSocket.Frame pong = s.read();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(new String(pong.payload(), StandardCharsets.UTF_8)).isEqualTo("hb");
            JsonObject answer = json(s.read());
            assertThat(answer.getString("type")).isEqualTo("pong");
            assertThat(answer.getString("id")).isEqualTo("f1");
            assertAnswers(s, "after");
        }
    }

    @Test
    void framesSentRightBehindTheAuthFrame_areHandledInOrderAfterIt() throws Exception {
        try (RawSocket s = new RawSocket(server.port(), "/ws")) {
            // One TCP write: auth, then three requests the server must hold until authentication is done.
            s.writeFrame(
                    true,
                    TEXT,
                    utf8(new JsonObject()
                            .put("type", "auth")
                            .put("token", TestServer.token("eager"))
                            .encode()));
            for (String id : new String[] {"a", "b", "c"}) {
                s.writeFrame(true, TEXT, utf8("{\"type\":\"ping\",\"id\":\"" + id + "\"}"));
            }
            s.flush();
            RawSocket.Frame first = s.read();
            assertThat(first.opcode())
                    .as(new String(first.payload(), StandardCharsets.UTF_8))
                    .isEqualTo(TEXT);
            assertThat(json(first).getString("type")).isEqualTo("welcome");
            for (String id : new String[] {"a", "b", "c"}) {
                assertThat(json(s.read()).getString("id")).isEqualTo(id);
            }
        }
    }

    @Test
    void invalidUtf8_closesWith1007_andOthersAreServed() throws Exception {
        try (RawSocket s = connect("bad-utf8");
                RawSocket other = connect("bystander")) {
            s.sendFrame(true, TEXT, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
            RawSocket.Frame close = s.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(CloseCodes.INVALID_DATA);
            s.sendFrame(true, CLOSE, new byte[] {0x03, (byte) 0xEF}); // the client's answer (1007) ends it at once
            assertThat(s.closedByServer()).isTrue();
            assertAnswers(other, "still");
        }
    }

    @Test
    void fragmentsAddingUpPastTheFrameLimit_closeWith1009() throws Exception {
        try (RawSocket s = connect("big")) {
            byte[] part = new byte[40_000];
            Arrays.fill(part, (byte) 'x');
            s.sendFrame(false, TEXT, part);
            s.sendFrame(true, CONTINUATION, part);
            assertThat(s.readUntilClose().closeCode()).isEqualTo(CloseCodes.TOO_BIG);
        }
    }

    @Test
    void continuationWithoutAMessage_closesWith1002() throws Exception {
        try (RawSocket s = connect("stray")) {
            s.sendFrame(true, CONTINUATION, utf8("{}"));
            assertThat(s.readUntilClose().closeCode()).isEqualTo(CloseCodes.PROTOCOL_ERROR);
        }
    }

    @Test
    void clientClose_isAnsweredWithItsCode_andTheServerEndsTheTcpConnection() throws Exception {
        try (RawSocket s = connect("leaver")) {
            s.sendFrame(true, CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
            RawSocket.Frame close = s.readUntilClose();
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(s.closedByServer()).isTrue();
        }
    }

    @Test
    void upgradeWithoutKey_isRefusedWith400_beforeAnyWebSocketExists() throws Exception {
        assertThat(rawUpgrade("Sec-WebSocket-Version: 13\r\n").get(0)).startsWith("HTTP/1.1 400");
    }

    @Test
    void unknownWebSocketVersion_isRefusedWith426_namingVersion13() throws Exception {
        java.util.List<String> head =
                rawUpgrade("Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n" + "Sec-WebSocket-Version: 99\r\n");
        assertThat(head.get(0)).startsWith("HTTP/1.1 426");
        assertThat(head)
                .anySatisfy(
                        h -> assertThat(h.toLowerCase(java.util.Locale.ROOT)).isEqualTo("sec-websocket-version: 13"));
    }

    /** Sends an upgrade request to /ws with {@code headers} (CRLF-ended lines) and returns the response's head. */
    private static java.util.List<String> rawUpgrade(String headers) throws IOException {
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream()
                    .write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" + "Connection: Upgrade\r\n"
                                    + headers + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(raw.getInputStream(), StandardCharsets.US_ASCII));
            java.util.List<String> head = new java.util.ArrayList<>();
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                head.add(line);
            }
            assertThat(head).as("response head").isNotEmpty();
            return head;
        }
    }

    @Test
    void plainGetOnWs_isRefusedWith400() throws Exception {
        HttpURLConnection c =
                (HttpURLConnection) URI.create(server.httpUrl() + "/ws").toURL().openConnection();
        try {
            assertThat(c.getResponseCode()).isEqualTo(400);
            String body = new String(c.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(new JsonObject(body).getJsonObject("error").getString("code"))
                    .isEqualTo("bad_request");
        } finally {
            c.disconnect();
        }
    }
}
