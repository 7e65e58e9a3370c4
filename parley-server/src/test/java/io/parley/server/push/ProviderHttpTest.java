package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Retry-After as the providers read it (RFC 9110 10.2.3: delay-seconds or an HTTP-date). */
class ProviderHttpTest {
    private static final Clock NOW = Clock.fixed(Instant.parse("2026-12-02T06:00:00Z"), ZoneOffset.UTC);

    @Test
    void retryAfter_readsSecondsAndDates_pastDatesAreZero_andNonsenseIsNone() {
        assertThat(ProviderHttp.retryAfter("120", NOW)).isEqualTo(Duration.ofSeconds(120));
        assertThat(ProviderHttp.retryAfter(" 0 ", NOW)).isEqualTo(Duration.ZERO);
        assertThat(ProviderHttp.retryAfter("Wed, 02 Dec 2026 06:01:30 GMT", NOW))
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(ProviderHttp.retryAfter("Wed, 02 Dec 2026 05:00:00 GMT", NOW))
                .isEqualTo(Duration.ZERO);
        assertThat(ProviderHttp.retryAfter("soon", NOW)).isNull();
        assertThat(ProviderHttp.retryAfter("-5", NOW)).isNull();
        assertThat(ProviderHttp.retryAfter((String) null, NOW)).isNull();
    }
}
