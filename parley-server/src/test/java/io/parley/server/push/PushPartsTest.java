package io.parley.server.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the pipeline: mentions, the backoff's bounds, the per-user rate and Web Push's answers. */
class PushPartsTest {
    @Test
    void aMention_isTheWholeUsername_caseInsensitive_notInsideAnotherWordOrAnAddress() {
        List<String> texts =
                List.of("hi @Bob", "@bob: look", "(@BOB)", "@bobby no", "mail bob@bob.org", "x@bob", "no mention");
        assertThat(PushPlanner.mentions(texts, "bob")).isEqualTo(3);
        assertThat(PushPlanner.mentions(List.of("hey @bob.smith"), "bob.smith")).isEqualTo(1);
        assertThat(PushPlanner.mentions(texts, null)).isZero();
    }

    @Test
    void backoff_doublesItsBound_upToTheCap_andNeverUndercutsRetryAfter() {
        // The random source returns the bound itself: the largest wait the jitter may pick.
        Backoff b = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), bound -> bound);
        assertThat(b.delayMillis(1, null)).isEqualTo(2_000);
        assertThat(b.delayMillis(2, null)).isEqualTo(4_000);
        assertThat(b.delayMillis(5, null)).isEqualTo(32_000);
        assertThat(b.delayMillis(6, null)).isEqualTo(60_000);
        assertThat(b.delayMillis(60, null)).isEqualTo(60_000);
        Backoff zero = new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(60), bound -> 0);
        assertThat(zero.delayMillis(3, null)).isZero();
        assertThat(zero.delayMillis(3, Duration.ofSeconds(7))).isEqualTo(7_000);
    }

    @Test
    void webPushAnswers_mapToTheirVerdicts_withRetryAfterInSecondsOrAsADate() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(WebPushProvider.result(201, null, clock).kind()).isEqualTo(PushResult.Kind.DELIVERED);
        assertThat(WebPushProvider.result(410, null, clock).kind()).isEqualTo(PushResult.Kind.GONE);
        assertThat(WebPushProvider.result(404, null, clock).kind()).isEqualTo(PushResult.Kind.GONE);
        assertThat(WebPushProvider.result(413, null, clock).kind()).isEqualTo(PushResult.Kind.FAILED);
        PushResult limited = WebPushProvider.result(429, "30", clock);
        assertThat(limited.kind()).isEqualTo(PushResult.Kind.RETRY);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(WebPushProvider.result(503, "Thu, 01 Jan 2026 00:02:00 GMT", clock)
                        .retryAfter())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(WebPushProvider.result(500, "soon", clock).retryAfter()).isNull();
        assertThat(WebPushProvider.topic("c_abc")).isEqualTo("c_abc");
        assertThat(WebPushProvider.topic("a conversation id that is far too long for a topic"))
                .matches("[A-Za-z0-9_-]{32}");
    }

    @Test
    void theContentLevel_decidesWhatLeavesTheServer() {
        PushStore.Latest latest = new PushStore.Latest(9, "Alice", "the secret plan");
        assertThat(planner(Config.PushContent.NONE).message("c_1", null, latest, 3, 9, 12))
                .isEqualTo(new PushMessage("c_1", "3 new messages", "", 3, 9, false, 12));
        assertThat(planner(Config.PushContent.NONE)
                        .message("c_1", null, latest, 1, 9, 12)
                        .title())
                .isEqualTo("New message");
        assertThat(planner(Config.PushContent.SENDER).message("c_1", null, latest, 3, 9, 12))
                .isEqualTo(new PushMessage("c_1", "Alice", "3 new messages", 3, 9, false, 12));
        assertThat(planner(Config.PushContent.FULL).message("c_1", null, latest, 1, 9, 12))
                .isEqualTo(new PushMessage("c_1", "Alice", "the secret plan", 1, 9, false, 12));
        assertThat(PushPlanner.text("x".repeat(300))).hasSize(201).endsWith("…");
    }

    private static PushPlanner planner(Config.PushContent content) {
        return new PushPlanner(
                null,
                new Config.Push(
                        true,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(60),
                        content,
                        12,
                        Duration.ofSeconds(2),
                        Duration.ofMinutes(10),
                        Config.Rate.UNLIMITED,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(10),
                        "mailto:ops@example.com",
                        Duration.ofHours(24)));
    }
}
