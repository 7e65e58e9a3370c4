package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.server.config.Config;
import io.parley.server.config.ConfigException;
import io.parley.server.store.PushDevice;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FcmProvider} against {@link LocalGoogle}: a token endpoint that verifies the service account's RS256
 * assertion and an FCM v1 endpoint that verifies the bearer token and the message. The provider's clock is a
 * {@link ManualScheduler}'s, so token reuse and refresh are driven by advancing it.
 */
class FcmProviderTest {
    /** 3 unread here, 11 over all of the user's conversations (the badge). */
    private static final PushMessage MESSAGE = new PushMessage("c_42", "Ada", "see you at 5", 3, 17, false, 11);

    private static final PushMessage CLEAR = new PushMessage("c_42", "", "", 0, 17, true, 8);

    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private KeyPair accountKey;
    private LocalGoogle google;
    private FcmProvider fcm;

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        accountKey = g.generateKeyPair();
        google = new LocalGoogle((RSAPublicKey) accountKey.getPublic(), time.clock());
        fcm = provider(accountKey, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        fcm.close();
        google.close();
    }

    private FcmProvider provider(KeyPair key, Duration timeout) throws Exception {
        Path file = dir.resolve("service-account-" + System.nanoTime() + ".json");
        Files.writeString(
                file,
                new JsonObject()
                        .put("type", "service_account")
                        .put("project_id", LocalGoogle.PROJECT)
                        .put("private_key_id", "k1")
                        .put("private_key", pem(key))
                        .put("client_email", LocalGoogle.EMAIL)
                        .put("token_uri", google.tokenUri())
                        .encodePrettily(),
                StandardCharsets.UTF_8);
        Config.Fcm config = new Config.Fcm(file, URI.create(google.origin()), null, timeout);
        return new FcmProvider(config, GoogleServiceAccount.read(file), HttpClient.newBuilder(), time.clock());
    }

    private static String pem(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'})
                        .encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    private PushResult send(FcmProvider p, String token, PushMessage m) throws Exception {
        return p.send(new PushDevice("d1", "u1", "s1", PushDevice.Platform.FCM, token, 0), m)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void send_notification_isDeliveredWithAnExchangedTokenAndTheV1Message() throws Exception {
        PushResult r = send(fcm, "ok", MESSAGE);

        assertThat(google.refusals).isEmpty();
        assertThat(r).isEqualTo(PushResult.delivered(200));
        assertThat(google.exchanges).hasValue(1);
        JsonObject m = google.messages.get(0).getJsonObject("message");
        assertThat(m.getString("token")).isEqualTo("ok");
        assertThat(m.getJsonObject("notification").getMap())
                .isEqualTo(java.util.Map.of("title", "Ada", "body", "see you at 5"));
        JsonObject android = m.getJsonObject("android");
        assertThat(android.getString("collapse_key")).isEqualTo("c_42");
        assertThat(android.getJsonObject("notification").getString("tag")).isEqualTo("c_42");
        assertThat(android.getJsonObject("notification").getInteger("notification_count"))
                .as("the badge: the user's unread total, not this conversation's count")
                .isEqualTo(11);
        assertThat(m.getJsonObject("data").getMap())
                .containsEntry("type", "message")
                .containsEntry("conversationId", "c_42")
                .containsEntry("latestSeq", "17")
                .containsEntry("count", "3")
                .containsEntry("badge", "11");
    }

    @Test
    void send_clear_isADataOnlyMessage() throws Exception {
        assertThat(send(fcm, "ok", CLEAR).kind()).isEqualTo(PushResult.Kind.DELIVERED);

        JsonObject m = google.messages.get(0).getJsonObject("message");
        assertThat(m.containsKey("notification")).isFalse();
        assertThat(m.getJsonObject("android").containsKey("notification")).isFalse();
        assertThat(m.getJsonObject("data").getString("type")).isEqualTo("clear");
        assertThat(m.getJsonObject("data").getString("conversationId")).isEqualTo("c_42");
        assertThat(m.getJsonObject("data").getString("badge"))
                .as("the lower total after the read")
                .isEqualTo("8");
    }

    @Test
    void accessToken_isReusedUntilShortlyBeforeItsExpiry_thenExchangedAgain() throws Exception {
        send(fcm, "ok", MESSAGE);
        time.advance(Duration.ofMinutes(54));
        send(fcm, "ok", MESSAGE);
        assertThat(google.exchanges).hasValue(1);

        time.advance(Duration.ofMinutes(1));
        send(fcm, "ok", MESSAGE);

        assertThat(google.refusals).isEmpty();
        assertThat(google.exchanges).hasValue(2);
        assertThat(google.bearers).containsExactly("ya29.test-1", "ya29.test-1", "ya29.test-2");
    }

    @Test
    void send_whoseTokenExpiredEarly_getsA401_refreshesOnce_andIsDelivered() throws Exception {
        send(fcm, "ok", MESSAGE);
        google.expire("ya29.test-1");

        PushResult r = send(fcm, "ok", MESSAGE);

        assertThat(r.kind()).isEqualTo(PushResult.Kind.DELIVERED);
        assertThat(google.exchanges).hasValue(2);
        assertThat(google.bearers).containsExactly("ya29.test-1", "ya29.test-1", "ya29.test-2");
    }

    @Test
    void send_refusedAgainAfterTheRefresh_failsWith401_withoutAThirdTry() throws Exception {
        google.refuseAll = true;

        PushResult r = send(fcm, "ok", MESSAGE);

        assertThat(r.kind()).isEqualTo(PushResult.Kind.FAILED);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.reason()).contains("UNAUTHENTICATED");
        assertThat(google.bearers).hasSize(2);
        assertThat(google.exchanges).hasValue(2);
    }

    @Test
    void answers_becomeVerdicts_goneRetryWithRetryAfterAndFailedWithTheErrorStatus() throws Exception {
        PushResult gone = send(fcm, "gone", MESSAGE);
        assertThat(gone.kind()).isEqualTo(PushResult.Kind.GONE);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.reason()).isEqualTo("UNREGISTERED");

        PushResult busy = send(fcm, "busy", MESSAGE);
        assertThat(busy.kind()).isEqualTo(PushResult.Kind.RETRY);
        assertThat(busy.status()).isEqualTo(429);
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(30));

        PushResult broken = send(fcm, "broken", MESSAGE);
        assertThat(broken.kind()).isEqualTo(PushResult.Kind.RETRY);
        assertThat(broken.status()).isEqualTo(500);
        assertThat(broken.retryAfter()).isNull();

        PushResult bad = send(fcm, "bad", MESSAGE);
        assertThat(bad.kind()).isEqualTo(PushResult.Kind.FAILED);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.reason()).contains("INVALID_ARGUMENT");
        assertThat(google.exchanges).hasValue(1);
    }

    @Test
    void send_withoutAnAnswerWithinTheTimeout_isRetry() throws Exception {
        try (FcmProvider quick = provider(accountKey, Duration.ofMillis(300))) {
            PushResult r = send(quick, "slow", MESSAGE);

            assertThat(r.kind()).isEqualTo(PushResult.Kind.RETRY);
            assertThat(r.status()).isZero();
            assertThat(r.reason()).isEqualTo("timeout");
        }
    }

    @Test
    void assertion_signedWithAnotherKey_isRefusedByTheTokenEndpoint_andTheSendFails() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        try (FcmProvider wrong = provider(g.generateKeyPair(), Duration.ofSeconds(10))) {
            PushResult r = send(wrong, "ok", MESSAGE);

            assertThat(google.refusals).containsExactly("bad RS256 signature");
            assertThat(r.kind()).isEqualTo(PushResult.Kind.FAILED);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.reason()).isEqualTo("oauth2 invalid_grant");
            assertThat(google.messages).isEmpty();
        }
    }

    @Test
    void create_withABadServiceAccountFile_isAStartErrorNamingTheKey() throws Exception {
        Path file = dir.resolve("sa.json");
        Files.writeString(file, "{\"type\":\"service_account\",\"client_email\":\"a@b\"}");
        Config.Fcm config = new Config.Fcm(file, URI.create(google.origin()), null, Duration.ofSeconds(1));

        assertThatThrownBy(() -> FcmProvider.create(config))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("push.fcm.service-account-file")
                .hasMessageContaining("private_key");
        assertThatThrownBy(() -> FcmProvider.create(
                        new Config.Fcm(dir.resolve("missing.json"), URI.create(google.origin()), null, Duration.ZERO)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("cannot read push.fcm.service-account-file");
    }
}
