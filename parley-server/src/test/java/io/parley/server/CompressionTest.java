package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server declines WebSocket compression: a client offering permessage-deflate (as browsers do) or the older
 * deflate-frame gets a 101 without Sec-WebSocket-Extensions, and plain, uncompressed frames (RSV1 clear).
 */
class CompressionTest {

    @Test
    void compressionOffers_areDeclined_andFramesAreUncompressed(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir).start();
                RawSocket ws = new RawSocket(
                        server.port(),
                        "/ws",
                        0,
                        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                                + "Sec-WebSocket-Extensions: x-webkit-deflate-frame\r\n")) {
            assertThat(ws.handshake().toLowerCase(Locale.ROOT))
                    .startsWith("http/1.1 101")
                    .doesNotContain("sec-websocket-extensions");
            ws.sendText(new JsonObject()
                    .put("type", "auth")
                    .put("token", TestServer.token("zed"))
                    .encode());
            RawSocket.Frame welcome = ws.read();
            assertThat(welcome.opcode()).isEqualTo(0x1);
            assertThat(welcome.rsv()).isZero();
            JsonObject frame = new JsonObject(new String(welcome.payload(), StandardCharsets.UTF_8));
            assertThat(frame.getString("type")).isEqualTo("welcome");
            assertThat(frame.getString("userId")).isEqualTo("zed");
        }
    }
}
