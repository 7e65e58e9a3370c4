package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.SignedJWT;
import io.parley.server.time.ManualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VapidTokensTest {
    private final ManualScheduler time = new ManualScheduler();
    private final VapidKeys keys = VapidKeys.generate();
    private final VapidTokens tokens = new VapidTokens(keys, "mailto:ops@example.org", time.clock());

    private static SignedJWT jwt(String header) throws Exception {
        String t = header.substring("vapid t=".length(), header.indexOf(", k="));
        return SignedJWT.parse(t);
    }

    @Test
    void oneOriginsToken_isSignedOnce_andReusedForHalfItsLifetime_thenSignedAgain() throws Exception {
        URI a1 = URI.create("https://push.example.net/sub/1");
        URI a2 = URI.create("https://push.example.net/sub/2");
        String first = tokens.authorization(a1);
        assertThat(tokens.authorization(a2))
                .as("another subscription at the same service")
                .isEqualTo(first);

        time.advance(WebPushRequest.JWT_LIFETIME.dividedBy(2).minusSeconds(1));
        assertThat(tokens.authorization(a1)).isEqualTo(first);
        // Reused at its last moment it is still valid for half of the lifetime.
        assertThat(jwt(first).getJWTClaimsSet().getExpirationTime().getTime()
                        - time.clock().millis())
                .isGreaterThan(WebPushRequest.JWT_LIFETIME.dividedBy(2).toMillis());

        time.advance(Duration.ofSeconds(1));
        String second = tokens.authorization(a1);
        assertThat(second).isNotEqualTo(first);
        SignedJWT renewed = jwt(second);
        assertThat(renewed.verify(new ECDSAVerifier(keys.publicKey()))).isTrue();
        assertThat(renewed.getJWTClaimsSet().getAudience()).isEqualTo(List.of("https://push.example.net"));
        assertThat(renewed.getJWTClaimsSet().getExpirationTime().getTime()
                        - time.clock().millis())
                .as("a new token, valid for the whole lifetime (exp has whole seconds)")
                .isBetween(WebPushRequest.JWT_LIFETIME.toMillis() - 1_000, WebPushRequest.JWT_LIFETIME.toMillis());
    }

    @Test
    void eachOrigin_hasItsOwnToken() throws Exception {
        String a = tokens.authorization(URI.create("https://push.example.net/x"));
        String b = tokens.authorization(URI.create("https://other.example.org:8443/x"));
        assertThat(b).isNotEqualTo(a);
        assertThat(jwt(b).getJWTClaimsSet().getAudience()).isEqualTo(List.of("https://other.example.org:8443"));
    }
}
