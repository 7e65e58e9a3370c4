package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.client.ParleyClient;
import io.parley.client.ParleyListener;
import io.parley.protocol.CloseCodes;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java SDK over the JDK's WebSocket against a real node's admission: it sees 1013 and the server's delay. */
class SdkAdmissionTest {
    @Test
    void sdkRefusedByTheConnectRate_seesCloseCode1013WithTheServersRetryDelay(@TempDir Path dir) throws Exception {
        try (TestServer server =
                        new TestServer(dir, Map.of("ws.connect-rate", "1/1m", "ws.admission-window", "1s")).start();
                ParleyClient first = client(server, "alice", new CompletableFuture<>())) {
            first.connect().get(20, TimeUnit.SECONDS);
            CompletableFuture<String> closed = new CompletableFuture<>();
            try (ParleyClient second = client(server, "bob", closed)) {
                second.connect();
                String close = closed.get(20, TimeUnit.SECONDS);
                assertThat(close).startsWith(CloseCodes.TRY_AGAIN_LATER + " ");
                assertThat(CloseCodes.retryAfterMs(close.substring(close.indexOf(' ') + 1)))
                        .isBetween(1L, 61_000L);
            }
        }
    }

    private static ParleyClient client(TestServer server, String user, CompletableFuture<String> closed) {
        String token = TestServer.token(user);
        return ParleyClient.builder()
                .uri(URI.create(server.wsUrl()))
                .tokenSupplier(() -> token)
                .reconnectBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                .listener(new ParleyListener() {
                    @Override
                    public void onClosed(int code, String reason) {
                        closed.complete(code + " " + reason);
                    }
                })
                .build();
    }
}
