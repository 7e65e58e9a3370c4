package io.parley.server.push;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.parley.server.config.Config;
import io.parley.server.config.ConfigException;
import io.parley.server.store.PushDevice;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;

/**
 * Apple Push Notification service over HTTP/2 ({@code POST {endpoint}/3/device/{hex token}}) with token-based
 * authentication: an ES256 JWT ({@code kid} the key id, {@code iss} the team id, {@code iat}) signed with the
 * {@code .p8} key, made again after {@link #TOKEN_REUSE} (Apple refuses a token older than an hour and one renewed
 * more often than every 20 minutes).
 * <p>
 * Headers: {@code apns-topic} the bundle id; {@code apns-push-type} {@code alert} (priority 10), or
 * {@code background} (priority 5) for a {@code clear}; {@code apns-collapse-id} the conversation id;
 * {@code apns-expiration} when APNs stops trying. Payload: {@code aps.alert} title/body, {@code aps.badge} the user's unread
 * total ({@link PushMessage#badge}), {@code aps.thread-id} the conversation id, and {@code conversationId}/{@code
 * latestSeq}/{@code type}/{@code badge} for the app; a {@code clear} is {@code aps.content-available} with {@code
 * type=clear} and the new total in {@code badge} (Apple wants a background push's {@code aps} to hold only {@code
 * content-available}, so the app sets its badge from it).
 * <p>
 * Verdicts: 200 delivered; 410, or reason {@code Unregistered} or {@code BadDeviceToken}, gone; 429 and 5xx retry
 * (with Retry-After); any other answer failed with Apple's {@code reason}. A token that is not hex is failed before
 * anything is sent (it would be a path of Parley's choosing on Apple's host).
 */
public final class ApnsProvider implements PushProvider {
    static final Duration TOKEN_REUSE = Duration.ofMinutes(50);
    /** How long APNs keeps trying to reach an offline device: a message, a day; a clear, an hour. */
    static final Duration ALERT_EXPIRY = Duration.ofDays(1);

    static final Duration CLEAR_EXPIRY = Duration.ofHours(1);
    private static final Pattern HEX_TOKEN = Pattern.compile("[0-9a-fA-F]{32,200}");
    /** Apple's apns-collapse-id: at most 64 bytes. */
    private static final int MAX_COLLAPSE_ID = 64;

    private final Config.Apns config;
    private final ECPrivateKey key;
    private final ExecutorService executor = ProviderHttp.executor("parley-apns");
    private final HttpClient http;
    private final Clock clock;
    private String jwt;
    private Instant jwtIssued;

    /** {@code http}: the client's settings (tests add their trust); the provider adds HTTP/2 and its executor. */
    ApnsProvider(Config.Apns config, ECPrivateKey key, HttpClient.Builder http, Clock clock) {
        this.config = config;
        this.key = key;
        this.clock = clock;
        this.http = http.version(HttpClient.Version.HTTP_2)
                .connectTimeout(config.timeout())
                .executor(executor)
                .build();
    }

    /**
     * The provider {@code config} describes (it must be {@link Config.Apns#enabled}): reads the .p8 key now, so a bad
     * file is a start error ({@link ConfigException} naming the key).
     */
    public static ApnsProvider create(Config.Apns config) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("APNs is not configured (push.apns.key-file)");
        }
        return new ApnsProvider(config, readKey(config), HttpClient.newBuilder(), Clock.systemUTC());
    }

    static ECPrivateKey readKey(Config.Apns config) {
        String k = "push.apns.key-file";
        byte[] der = ProviderHttp.pkcs8(ProviderHttp.read(config.keyFile(), k), k);
        try {
            return (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new ConfigException(k + " " + config.keyFile() + " holds no EC P-256 key: " + e.getMessage());
        }
    }

    @Override
    public PushDevice.Platform platform() {
        return PushDevice.Platform.APNS;
    }

    @Override
    public CompletableFuture<PushResult> send(PushDevice device, PushMessage message) {
        if (!HEX_TOKEN.matcher(device.token()).matches()) {
            return CompletableFuture.completedFuture(
                    new PushResult(PushResult.Kind.FAILED, 0, null, "not a hex APNs device token"));
        }
        String providerToken;
        try {
            providerToken = token();
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e); // a bug (the key cannot sign): the future fails
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.endpoint() + "/3/device/" + device.token()))
                .timeout(config.timeout())
                .header("authorization", "bearer " + providerToken)
                .header("apns-topic", config.topic())
                .header("apns-push-type", message.clear() ? "background" : "alert")
                .header("apns-priority", message.clear() ? "5" : "10")
                .header(
                        "apns-expiration",
                        Long.toString(clock.instant()
                                .plus(message.clear() ? CLEAR_EXPIRY : ALERT_EXPIRY)
                                .getEpochSecond()))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload(message).encode()));
        if (message.conversationId().length() <= MAX_COLLAPSE_ID) {
            b.header("apns-collapse-id", message.conversationId());
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .handle((r, t) -> t != null ? ProviderHttp.transportFailure(t) : verdict(r));
    }

    private PushResult verdict(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s == 200) {
            return PushResult.delivered(s);
        }
        String reason;
        try {
            reason = new JsonObject(r.body()).getString("reason", "HTTP " + s);
        } catch (DecodeException | ClassCastException e) {
            reason = "HTTP " + s;
        }
        if (s == 410 || reason.equals("Unregistered") || reason.equals("BadDeviceToken")) {
            return new PushResult(PushResult.Kind.GONE, s, null, reason);
        }
        if (s == 429 || s >= 500) {
            return new PushResult(PushResult.Kind.RETRY, s, ProviderHttp.retryAfter(r, clock), reason);
        }
        return new PushResult(PushResult.Kind.FAILED, s, null, reason);
    }

    /** The provider token, made again once it is {@link #TOKEN_REUSE} old. */
    synchronized String token() {
        Instant now = clock.instant();
        if (jwt == null || !now.isBefore(jwtIssued.plus(TOKEN_REUSE))) {
            SignedJWT signed = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.ES256)
                            .keyID(config.keyId())
                            .build(),
                    new JWTClaimsSet.Builder()
                            .issuer(config.teamId())
                            .issueTime(Date.from(now))
                            .build());
            try {
                signed.sign(new ECDSASigner(key));
            } catch (JOSEException e) {
                throw new IllegalStateException("cannot sign the APNs provider token", e);
            }
            jwt = signed.serialize();
            jwtIssued = now;
        }
        return jwt;
    }

    /** The JSON APNs shows (alert) or hands to the app in the background (clear). */
    static JsonObject payload(PushMessage m) {
        JsonObject aps = new JsonObject();
        if (m.clear()) {
            aps.put("content-available", 1);
        } else {
            aps.put("alert", new JsonObject().put("title", m.title()).put("body", m.body()))
                    .put("badge", m.badge())
                    .put("sound", "default")
                    .put("thread-id", m.conversationId());
        }
        return new JsonObject()
                .put("aps", aps)
                .put("type", m.clear() ? "clear" : "message")
                .put("conversationId", m.conversationId())
                .put("latestSeq", m.latestSeq())
                .put("badge", m.badge());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
