package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when a node cannot have what it needs: a data dir another node holds (in this process or
 * another) and a port another process listens on. The refused start names the dir and its holder, or the address,
 * and the node that was there first keeps working.
 */
class StartRefusedTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path dir;

    @Test
    void secondNodeOnTheSameDataDir_isRefusedNamingDirAndHolder_andTheFirstKeepsItsLockAndWorks() throws Exception {
        Path data = dir.resolve("data");
        try (TestServer first = new TestServer(data).start()) {
            Path real = data.toRealPath();
            assertThatThrownBy(() -> new TestServer(data).start())
                    .rootCause()
                    .hasMessageContaining("data dir " + real + " is in use by another node of this process")
                    .hasMessageContaining("pid " + PID);

            // The refused node opened nothing on the lock file, so this process still holds it: another process
            // is refused too, and told this process's pid.
            ServerProcess.Refusal refusal = ServerProcess.startRefused(dir, env(data, ServerProcess.freePort()));
            assertThat(refusal.exitCode()).as(refusal.output()).isEqualTo(1);
            assertThat(refusal.output())
                    .contains("parley: failed to start: data dir " + real + " is in use by another process (pid " + PID
                            + ", started ");

            assertThat(register(first.httpUrl(), "alice").status()).isEqualTo(201);
        }
        try (TestServer again = new TestServer(data).start()) {
            assertThat(login(again.httpUrl(), "alice").status()).isEqualTo(200);
        }
    }

    @Test
    void secondProcessOnTheSameDataDir_exitsNamingDirAndFirstPid_andStartsOnceTheFirstStopped() throws Exception {
        Path data = dir.resolve("data");
        int port = ServerProcess.freePort();
        try (ServerProcess first = ServerProcess.start(dir, env(data, port))) {
            String base = "http://127.0.0.1:" + port;
            ServerProcess.Refusal refusal = ServerProcess.startRefused(dir, env(data, ServerProcess.freePort()));

            assertThat(refusal.exitCode()).as(refusal.output()).isEqualTo(1);
            assertThat(refusal.output())
                    .contains("parley: failed to start: data dir " + data.toRealPath()
                            + " is in use by another process (pid " + first.pid() + ", started ")
                    .contains("give this one a data.dir of its own");
            assertThat(new Rest(base, null).get("/health/ready").status()).isEqualTo(200);
            assertThat(register(base, "alice").status()).isEqualTo(201);
            assertThat(first.terminate()).as("%s", first.output).isTrue();
        }
        int port2 = ServerProcess.freePort();
        try (ServerProcess next = ServerProcess.start(dir, env(data, port2))) {
            assertThat(login("http://127.0.0.1:" + port2, "alice").status()).isEqualTo(200);
            assertThat(next.terminate()).as("%s", next.output).isTrue();
        }
        assertThat(Files.readString(data.resolve(DataDirLock.FILE_NAME))).startsWith("pid=");
    }

    @Test
    void takenPort_failsTheStartNamingTheAddress() throws Exception {
        try (TestServer first = new TestServer(dir.resolve("a")).start()) {
            int port = first.port();
            assertThatThrownBy(() -> new TestServer(dir.resolve("b")).startOn(port))
                    .hasStackTraceContaining("cannot listen on 127.0.0.1:" + port + ": Address already in use")
                    .hasStackTraceContaining("set http.port / PARLEY_HTTP_PORT");

            // The refused node released its data dir: a node starts there at once.
            try (TestServer b = new TestServer(dir.resolve("b")).start()) {
                assertThat(register(b.httpUrl(), "bob").status()).isEqualTo(201);
            }
            assertThat(register(first.httpUrl(), "carol").status()).isEqualTo(201);
        }
    }

    @Test
    void takenPort_theProcessPrintsTheAddressAndExits() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            ServerProcess.Refusal refusal = ServerProcess.startRefused(dir, env(dir.resolve("data"), port));

            assertThat(refusal.exitCode()).as(refusal.output()).isEqualTo(1);
            assertThat(refusal.output())
                    .contains(
                            "parley: failed to start: cannot listen on 127.0.0.1:" + port + ": Address already in use");
        }
    }

    private static Map<String, String> env(Path data, int port) {
        return Map.of(
                "PARLEY_HTTP_PORT",
                Integer.toString(port),
                "PARLEY_DATA_DIR",
                data.toString(),
                "PARLEY_AUTH_BCRYPT_COST",
                "4");
    }

    private static Rest.Response register(String base, String username) {
        return new Rest(base, null).post("/api/v1/auth/register", account(username));
    }

    private static Rest.Response login(String base, String username) {
        return new Rest(base, null).post("/api/v1/auth/login", account(username));
    }

    private static JsonObject account(String username) {
        return new JsonObject().put("username", username).put("password", username + "-password");
    }
}
