package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parley.server.TestCa;
import io.parley.server.config.Config;
import io.parley.server.config.ConfigException;
import io.parley.server.store.PushDevice;
import io.parley.server.time.ManualScheduler;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ApnsProvider} against {@link LocalApns} (HTTP/2 over TLS with a CA made here, verifying the ES256 provider
 * token with the .p8 key's public key, the headers and the payload). Token reuse runs on a {@link ManualScheduler}'s
 * clock.
 */
class ApnsProviderTest {
    private static final String KEY_ID = "KEY1234567";
    private static final String TEAM_ID = "TEAM123456";
    private static final String TOPIC = "com.example.parley";
    /** 3 unread here, 11 over all of the user's conversations (the badge). */
    private static final PushMessage MESSAGE = new PushMessage("c_42", "Ada", "see you at 5", 3, 17, false, 11);

    @TempDir
    Path dir;

    private final ManualScheduler time = new ManualScheduler();
    private final TestCa ca = new TestCa("apns-test-ca");
    private LocalApns apple;
    private ApnsProvider apns;
    private Config.Apns config;

    @BeforeEach
    void start() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = g.generateKeyPair();
        Path p8 = dir.resolve("AuthKey_" + KEY_ID + ".p8");
        Files.writeString(
                p8,
                "-----BEGIN PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'})
                                .encodeToString(key.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n");
        apple = new LocalApns(ca, dir, (ECPublicKey) key.getPublic(), KEY_ID, TEAM_ID, TOPIC, time.clock());
        config = new Config.Apns(p8, KEY_ID, TEAM_ID, TOPIC, URI.create(apple.origin()), Duration.ofSeconds(10));
        apns = new ApnsProvider(
                config,
                ApnsProvider.readKey(config),
                HttpClient.newBuilder().sslContext(ca.sslContext()),
                time.clock());
    }

    @AfterEach
    void stop() throws Exception {
        apns.close();
        apple.close();
    }

    private static String token(String prefix) {
        return prefix + "0123456789abcdef".repeat(4).substring(2);
    }

    private PushResult send(String token, PushMessage m) throws Exception {
        return apns.send(new PushDevice("d1", "u1", "s1", PushDevice.Platform.APNS, token, 0), m)
                .get(20, TimeUnit.SECONDS);
    }

    @Test
    void alert_isDeliveredOverHttp2WithTheProviderTokenHeadersAndPayload() throws Exception {
        PushResult r = send(token("aa"), MESSAGE);

        assertThat(apple.refusals).isEmpty();
        assertThat(r).isEqualTo(PushResult.delivered(200));
        LocalApns.Seen s = apple.seen.get(0);
        assertThat(s.token()).isEqualTo(token("aa"));
        assertThat(s.headers())
                .containsEntry("apns-topic", TOPIC)
                .containsEntry("apns-push-type", "alert")
                .containsEntry("apns-priority", "10")
                .containsEntry("apns-collapse-id", "c_42");
        assertThat(Long.parseLong(s.headers().get("apns-expiration")))
                .isEqualTo(
                        time.clock().instant().plus(ApnsProvider.ALERT_EXPIRY).getEpochSecond());
        JsonObject aps = s.payload().getJsonObject("aps");
        assertThat(aps.getJsonObject("alert").getMap())
                .isEqualTo(java.util.Map.of("title", "Ada", "body", "see you at 5"));
        assertThat(aps.getInteger("badge"))
                .as("the user's unread total, not this conversation's count")
                .isEqualTo(11);
        assertThat(s.payload().getInteger("badge")).isEqualTo(11);
        assertThat(aps.getString("thread-id")).isEqualTo("c_42");
        assertThat(s.payload().getString("conversationId")).isEqualTo("c_42");
        assertThat(s.payload().getLong("latestSeq")).isEqualTo(17L);
    }

    @Test
    void clear_isABackgroundPushWithNothingToShow() throws Exception {
        PushResult r = send(token("aa"), new PushMessage("c_42", "", "", 0, 17, true, 8));

        assertThat(apple.refusals).isEmpty();
        assertThat(r.kind()).isEqualTo(PushResult.Kind.DELIVERED);
        LocalApns.Seen s = apple.seen.get(0);
        assertThat(s.headers()).containsEntry("apns-push-type", "background").containsEntry("apns-priority", "5");
        assertThat(s.payload().getString("type")).isEqualTo("clear");
        assertThat(s.payload().getJsonObject("aps").getMap()).isEqualTo(java.util.Map.of("content-available", 1));
        assertThat(s.payload().getInteger("badge"))
                .as("the lower total, for the app to set")
                .isEqualTo(8);
    }

    @Test
    void providerToken_isReusedFor50Minutes_thenMadeAgain() throws Exception {
        send(token("aa"), MESSAGE);
        time.advance(Duration.ofMinutes(49));
        send(token("aa"), MESSAGE);
        time.advance(Duration.ofMinutes(1));
        send(token("aa"), MESSAGE);

        assertThat(apple.refusals).isEmpty();
        assertThat(apple.seen).hasSize(3);
        assertThat(apple.seen.get(1).jwt()).isEqualTo(apple.seen.get(0).jwt());
        assertThat(apple.seen.get(2).jwt()).isNotEqualTo(apple.seen.get(0).jwt());
    }

    @Test
    void answers_becomeVerdicts() throws Exception {
        PushResult unregistered = send(token("bb"), MESSAGE);
        assertThat(unregistered.kind()).isEqualTo(PushResult.Kind.GONE);
        assertThat(unregistered.status()).isEqualTo(410);
        assertThat(unregistered.reason()).isEqualTo("Unregistered");

        PushResult badToken = send(token("cc"), MESSAGE);
        assertThat(badToken.kind()).isEqualTo(PushResult.Kind.GONE);
        assertThat(badToken.status()).isEqualTo(400);
        assertThat(badToken.reason()).isEqualTo("BadDeviceToken");

        PushResult busy = send(token("dd"), MESSAGE);
        assertThat(busy.kind()).isEqualTo(PushResult.Kind.RETRY);
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofSeconds(120));

        PushResult broken = send(token("ee"), MESSAGE);
        assertThat(broken.kind()).isEqualTo(PushResult.Kind.RETRY);
        assertThat(broken.status()).isEqualTo(500);
        assertThat(apple.refusals).isEmpty();
    }

    @Test
    void tokenSignedWithAnotherKey_isRefused_andTheSendFails() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        try (ApnsProvider wrong = new ApnsProvider(
                config,
                (java.security.interfaces.ECPrivateKey) g.generateKeyPair().getPrivate(),
                HttpClient.newBuilder().sslContext(ca.sslContext()),
                time.clock())) {
            PushResult r = wrong.send(
                            new PushDevice("d1", "u1", "s1", PushDevice.Platform.APNS, token("aa"), 0), MESSAGE)
                    .get(20, TimeUnit.SECONDS);

            assertThat(apple.refusals).containsExactly("bad ES256 signature");
            assertThat(r.kind()).isEqualTo(PushResult.Kind.FAILED);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.reason()).isEqualTo("InvalidProviderToken");
        }
    }

    @Test
    void aServerTheClientDoesNotTrust_isRetry_andATokenThatIsNotHex_isFailedUnsent() throws Exception {
        try (ApnsProvider untrusting =
                new ApnsProvider(config, ApnsProvider.readKey(config), HttpClient.newBuilder(), time.clock())) {
            PushResult r = untrusting
                    .send(new PushDevice("d1", "u1", "s1", PushDevice.Platform.APNS, token("aa"), 0), MESSAGE)
                    .get(20, TimeUnit.SECONDS);
            assertThat(r.kind()).isEqualTo(PushResult.Kind.RETRY);
            assertThat(r.status()).isZero();
        }
        PushResult notHex = send("../../admin", MESSAGE);
        assertThat(notHex.kind()).isEqualTo(PushResult.Kind.FAILED);
        assertThat(apple.seen).isEmpty();
        assertThat(apple.refusals).isEmpty();
    }

    @Test
    void create_withAKeyFileThatIsNoP8Key_isAStartErrorNamingTheKey() throws Exception {
        Path bad = dir.resolve("bad.p8");
        Files.writeString(bad, "not a key");
        Config.Apns c = new Config.Apns(bad, KEY_ID, TEAM_ID, TOPIC, config.endpoint(), Duration.ofSeconds(1));

        assertThatThrownBy(() -> ApnsProvider.create(c))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("push.apns.key-file");
    }
}
