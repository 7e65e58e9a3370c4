package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/api.md: with auth.registration-enabled=false, register answers 403 forbidden (its code's status). */
class RegistrationDisabledTest {

    @Test
    void register_whenDisabled_isRefusedWith403Forbidden(@TempDir Path dir) {
        try (TestServer server = new TestServer(dir, Map.of("auth.registration-enabled", "false")).start()) {
            Rest.Response r = new Rest(server.httpUrl(), null)
                    .post(
                            "/api/v1/auth/register",
                            new JsonObject().put("username", "zoe").put("password", "correct horse"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.errorCode()).isEqualTo("forbidden");
        }
    }
}
