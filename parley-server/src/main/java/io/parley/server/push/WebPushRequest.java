package io.parley.server.push;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.regex.Pattern;

/**
 * One Web Push message as an HTTP request (RFC 8030 section 5): a POST to the subscription's endpoint with the
 * encrypted body ({@link WebPushCrypto}, {@code Content-Encoding: aes128gcm}), {@code TTL}, {@code Urgency}, an
 * optional {@code Topic} (the collapse key: a later message with the same topic replaces one not yet delivered, the
 * second guard against a double push after a crash) and the VAPID authorization of RFC 8292
 * ({@code Authorization: vapid t=<ES256 JWT>, k=<public key>}; the JWT's {@code aud} is the endpoint's origin,
 * {@code exp} 12 h ahead, {@code sub} the operator's contact).
 */
public final class WebPushRequest {
    /** RFC 8030 5.4: a topic is at most 32 characters of the URL- and filename-safe base64 alphabet. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    static final Duration JWT_LIFETIME = Duration.ofHours(12);

    private WebPushRequest() {}

    /** The decoded keys of a subscription ({@code keys.p256dh}, {@code keys.auth}). */
    public record Subscription(URI endpoint, byte[] p256dh, byte[] auth) {
        public static Subscription of(String endpoint, String p256dh, String auth) {
            Base64.Decoder d = Base64.getUrlDecoder();
            return new Subscription(
                    URI.create(endpoint), d.decode(p256dh.replace("=", "")), d.decode(auth.replace("=", "")));
        }
    }

    public static HttpRequest build(
            Subscription sub,
            byte[] payload,
            Duration ttl,
            String urgency,
            String topic,
            VapidKeys vapid,
            String subject,
            Clock clock) {
        return build(sub, payload, ttl, urgency, topic, authorization(sub.endpoint(), vapid, subject, clock));
    }

    /** As above, with the VAPID {@code Authorization} header given (signed once per origin: {@link VapidTokens}). */
    static HttpRequest build(
            Subscription sub, byte[] payload, Duration ttl, String urgency, String topic, String authorization) {
        if (topic != null && !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("a Web Push topic is 1 to 32 base64url characters: " + topic);
        }
        byte[] body = WebPushCrypto.encrypt(payload, sub.p256dh(), sub.auth());
        HttpRequest.Builder b = HttpRequest.newBuilder(sub.endpoint())
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "aes128gcm")
                .header("TTL", Long.toString(ttl.toSeconds()))
                .header("Urgency", urgency)
                .header("Authorization", authorization)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (topic != null) {
            b.header("Topic", topic);
        }
        return b.build();
    }

    /** The endpoint's origin, the VAPID token's {@code aud}. */
    static String origin(URI endpoint) {
        return endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
    }

    /** {@code vapid t=<jwt>, k=<key>} for the endpoint's origin. */
    static String authorization(URI endpoint, VapidKeys vapid, String subject, Clock clock) {
        String origin = origin(endpoint);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .audience(origin)
                .expirationTime(new Date(clock.millis() + JWT_LIFETIME.toMillis()))
                .subject(subject)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256)
                        .type(JOSEObjectType.JWT)
                        .build(),
                claims);
        try {
            jwt.sign(new ECDSASigner(vapid.privateKey()));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the VAPID token", e);
        }
        return "vapid t=" + jwt.serialize() + ", k=" + vapid.publicKeyBase64Url();
    }
}
