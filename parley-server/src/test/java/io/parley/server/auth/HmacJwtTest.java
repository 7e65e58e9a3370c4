package io.parley.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

class HmacJwtTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    final Clock clock = Clock.fixed(Instant.parse("2026-11-22T12:00:00Z"), ZoneOffset.UTC);
    final HmacJwt jwt = new HmacJwt(SECRET, "parley", null, clock);

    @Test
    void issuedToken_verifiesToItsSubject() throws Exception {
        String token = jwt.issue("u_1", Duration.ofHours(1));
        assertThat(jwt.verify(token).userId()).isEqualTo("u_1");
    }

    @Test
    void expiredToken_isRejected() {
        String token = jwt.issue("u_1", Duration.ofMinutes(1));
        HmacJwt later = new HmacJwt(SECRET, "parley", null, Clock.offset(clock, Duration.ofMinutes(2)));
        assertThatThrownBy(() -> later.verify(token)).hasMessageContaining("expired");
    }

    @Test
    void externalTokenWithoutExp_isRejected() throws Exception {
        SignedJWT t = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject("ext-1").issuer("parley").build());
        t.sign(new MACSigner(SECRET));
        assertThatThrownBy(() -> jwt.verify(t.serialize())).hasMessageContaining("exp");
    }

    @Test
    void externalToken_withMatchingClaims_isAccepted_andWrongIssuerOrAudienceRejected() throws Exception {
        SignedJWT t = new SignedJWT(
                new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder()
                        .subject("ext-1")
                        .issuer("my-backend")
                        .audience("chat")
                        .expirationTime(new Date(clock.millis() + 60_000))
                        .build());
        t.sign(new MACSigner(SECRET));
        assertThat(new HmacJwt(SECRET, "my-backend", "chat", clock)
                        .verify(t.serialize())
                        .userId())
                .isEqualTo("ext-1");
        assertThatThrownBy(() -> new HmacJwt(SECRET, "other", null, clock).verify(t.serialize()))
                .hasMessageContaining("issuer");
        assertThatThrownBy(() -> new HmacJwt(SECRET, "my-backend", "api", clock).verify(t.serialize()))
                .hasMessageContaining("audience");
    }

    @Test
    void tamperedToken_isRejected() {
        String token = jwt.issue("u_1", Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String forgedPayload = java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                        ("{\"sub\":\"admin\",\"iss\":\"parley\",\"exp\":" + (clock.millis() / 1000 + 3600) + "}")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThatThrownBy(() -> jwt.verify(parts[0] + "." + forgedPayload + "." + parts[2]))
                .hasMessageContaining("signature");
        assertThatThrownBy(() -> jwt.verify("")).hasMessageContaining("missing");
        assertThatThrownBy(() -> jwt.verify("a.b")).hasMessageContaining("malformed");
    }
}
