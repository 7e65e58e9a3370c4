package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push devices (issue 15 items 2 and 9): register for the current session, list, delete; bad input gets a documented
 * code and stores nothing; someone else's device is not found; revoking the session removes its devices.
 */
class DevicesTest {
    @TempDir
    Path dir;

    private TestServer server;
    private Rest anon;

    @BeforeEach
    void start() {
        server = new TestServer(dir.resolve("data"))
                .on(new io.parley.server.time.ManualScheduler())
                .start();
        anon = new Rest(server.httpUrl(), null);
        for (String u : new String[] {"alice", "bob"}) {
            assertThat(anon.post("/api/v1/auth/register", credentials(u)).status())
                    .isEqualTo(201);
        }
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private static JsonObject credentials(String name) {
        return new JsonObject().put("username", name).put("password", name + "-pass");
    }

    private Rest login(String name) {
        return new Rest(
                server.httpUrl(),
                anon.post("/api/v1/auth/login", credentials(name)).json().getString("token"));
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** A subscription with a real P-256 public key in the uncompressed form browsers give. */
    static JsonObject subscription(String endpoint) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        byte[] point = new byte[65];
        point[0] = 4;
        byte[] x = pub.getW().getAffineX().toByteArray();
        byte[] y = pub.getW().getAffineY().toByteArray();
        System.arraycopy(x, Math.max(0, x.length - 32), point, 1 + Math.max(0, 32 - x.length), Math.min(32, x.length));
        System.arraycopy(y, Math.max(0, y.length - 32), point, 33 + Math.max(0, 32 - y.length), Math.min(32, y.length));
        return new JsonObject()
                .put("endpoint", endpoint)
                .put("keys", new JsonObject().put("p256dh", b64(point)).put("auth", b64(new byte[16])));
    }

    private static JsonArray devices(Rest r) {
        return r.get("/api/v1/devices").json().getJsonArray("devices");
    }

    @Test
    void register_listAndDelete_eachPlatform_andTheSameTokenTwiceIsOneDevice() throws Exception {
        Rest alice = login("alice");
        JsonObject sub = subscription("https://push.example/abc");
        Rest.Response web = alice.post(
                "/api/v1/devices", new JsonObject().put("platform", "webpush").put("subscription", sub));
        assertThat(web.status()).as(web.toString()).isEqualTo(201);
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "fcm").put("token", "fcm:tok-1"))
                        .status())
                .isEqualTo(201);
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "apns").put("token", "ab".repeat(32)))
                        .status())
                .isEqualTo(201);
        Rest.Response again = alice.post(
                "/api/v1/devices", new JsonObject().put("platform", "webpush").put("subscription", sub));
        assertThat(again.json().getString("id")).isEqualTo(web.json().getString("id"));
        assertThat(devices(alice)).hasSize(3);

        assertThat(alice.delete("/api/v1/devices/" + web.json().getString("id")).status())
                .isEqualTo(204);
        assertThat(devices(alice)).hasSize(2);
    }

    @Test
    void badInput_getsADocumentedCode_andStoresNothing() throws Exception {
        Rest alice = login("alice");
        JsonObject good = subscription("https://push.example/x");
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "pigeon").put("token", "x"))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(alice.post("/api/v1/devices", new JsonObject().put("token", "x"))
                        .errorCode())
                .isEqualTo("missing_field");
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject()
                                        .put("platform", "webpush")
                                        .put("subscription", good.copy().put("endpoint", "ftp://x")))
                        .errorCode())
                .isEqualTo("invalid_field");
        JsonObject shortKey = good.copy();
        shortKey.getJsonObject("keys").put("p256dh", b64(new byte[10]));
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "webpush").put("subscription", shortKey))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "webpush").put("subscription", "x"))
                        .errorCode())
                .isEqualTo("invalid_field");
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "fcm").put("token", "a".repeat(1025)))
                        .errorCode())
                .as("oversize")
                .isEqualTo("invalid_field");
        assertThat(alice.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "apns").put("token", "not hex"))
                        .errorCode())
                .isEqualTo("invalid_field");
        Rest external = new Rest(server.httpUrl(), TestServer.token("someone"));
        assertThat(external.post(
                                "/api/v1/devices",
                                new JsonObject().put("platform", "fcm").put("token", "t"))
                        .errorCode())
                .as("a token without a session")
                .isEqualTo("bad_request");
        assertThat(devices(alice)).isEmpty();
    }

    @Test
    void someoneElsesDevice_isNotFound_andStays() {
        Rest alice = login("alice");
        Rest bob = login("bob");
        String id = alice.post(
                        "/api/v1/devices",
                        new JsonObject().put("platform", "fcm").put("token", "t1"))
                .json()
                .getString("id");

        Rest.Response r = bob.delete("/api/v1/devices/" + id);

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.errorCode()).isEqualTo("device_not_found");
        assertThat(devices(alice)).hasSize(1);
        assertThat(devices(bob)).isEmpty();
    }

    @Test
    void revokingTheSession_removesItsDevices() {
        Rest phone = login("alice");
        Rest laptop = login("alice");
        phone.post("/api/v1/devices", new JsonObject().put("platform", "fcm").put("token", "phone-token"));
        laptop.post("/api/v1/devices", new JsonObject().put("platform", "fcm").put("token", "laptop-token"));
        assertThat(devices(laptop)).hasSize(2);

        assertThat(phone.delete("/api/v1/sessions/current").status()).isEqualTo(204);

        JsonArray left = devices(laptop);
        assertThat(left).hasSize(1);
    }
}
