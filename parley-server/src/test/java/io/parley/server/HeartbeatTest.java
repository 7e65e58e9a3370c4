package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.protocol.CloseCodes;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Liveness: a peer that completes the handshake and then goes silent (never answers pings: a half-open connection)
 * is closed with 4004 after the idle timeout, and its session is freed.
 */
class HeartbeatTest {

    @Test
    void silentPeer_isPingedThenClosedWith4004_andItsSessionFreed(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(
                                dir, Map.of("ws.heartbeat-interval", "200ms", "ws.idle-timeout", "700ms"))
                        .start();
                RawSocket peer = new RawSocket(server.port(), "/ws?token=" + TestServer.token("silent"))) {
            int pings = 0;
            RawSocket.Frame f;
            while ((f = peer.read()).opcode() != 0x8) {
                if (f.opcode() == 0x9) {
                    pings++;
                }
            }
            assertThat(f.closeCode()).isEqualTo(CloseCodes.IDLE_TIMEOUT);
            assertThat(pings).isGreaterThanOrEqualTo(1);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.server().sessionCount() != 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(server.server().sessionCount()).isZero();
        }
    }
}
