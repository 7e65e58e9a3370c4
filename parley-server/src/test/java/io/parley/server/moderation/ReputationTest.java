package io.parley.server.moderation;

import static org.assertj.core.api.Assertions.assertThat;

import io.parley.server.config.Config;
import io.parley.server.limits.LocalRateLimiter;
import io.parley.server.time.ManualScheduler;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The reputation rules on a manual clock: each factor's penalty and threshold, the hold below
 * {@code moderation.hold-below}, the account's age read once per user, and the send rate's bucket refilling (the node's own limiter here; ReputationClusterTest: Redis).
 */
class ReputationTest {
    private final ManualScheduler time = new ManualScheduler();
    private final Map<String, Long> created = new HashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final LocalRateLimiter limiter = new LocalRateLimiter(time);

    /** hold-below 50, new accounts under 1 day, at most 5 sends a minute, 0.25 links per word. */
    private Reputation reputation() {
        return new Reputation(
                new Config.Moderation(true, 50, Duration.ofDays(1), new Config.Rate(5, Duration.ofMinutes(1)), 0.25),
                time.clock(),
                id -> {
                    reads.incrementAndGet();
                    return CompletableFuture.completedFuture(Optional.ofNullable(created.get(id)));
                },
                limiter);
    }

    private Reputation.Verdict judge(Reputation r, String user, String body) {
        return r.judge(user, body).join();
    }

    @Test
    void newAccount_alone_passesWith60_butWithLinksIsHeldWith30_andAfterADayTheSameMessagePasses() {
        long now = time.clock().millis();
        created.put("newbie", now - Duration.ofHours(1).toMillis());
        Reputation r = reputation();

        Reputation.Verdict plain = judge(r, "newbie", "hello there, how are you");
        Reputation.Verdict links = judge(r, "newbie", "buy http://spam.example now");

        assertThat(plain.score()).isEqualTo(60);
        assertThat(plain.held()).isFalse();
        assertThat(links.score()).isEqualTo(30);
        assertThat(links.held()).isTrue();
        assertThat(links.reason()).isEqualTo("reputation 30 < 50: new account (-40), 0.33 links per word (-30)");

        time.advance(Duration.ofHours(22));
        assertThat(judge(r, "newbie", "buy http://spam.example now").held()).isTrue();
        time.advance(Duration.ofHours(1));
        Reputation.Verdict older = judge(r, "newbie", "buy http://spam.example now");
        assertThat(older.score()).isEqualTo(70);
        assertThat(older.held()).isFalse();
        assertThat(reads).as("the account's creation time is read once").hasValue(1);
    }

    @Test
    void linkDensity_countsWordsStartingWithASchemeOrWww_overAllWords() {
        assertThat(Reputation.linkDensity("")).isZero();
        assertThat(Reputation.linkDensity("   ")).isZero();
        assertThat(Reputation.linkDensity("see https://a.example")).isEqualTo(0.5);
        assertThat(Reputation.linkDensity("WWW.a.example and HTTP://b.example x y"))
                .isEqualTo(0.4);
        assertThat(Reputation.linkDensity("no links: example.com is not counted"))
                .isZero();
        // At most the threshold is not over it: one link in four words is 0.25.
        created.put("old", 0L);
        assertThat(judge(reputation(), "old", "look at https://x.example please")
                        .score())
                .isEqualTo(100);
    }

    @Test
    void sendRate_overTheLimitCosts30_andTheBucketRefills() {
        created.put("fast", 0L);
        created.put("newfast", time.clock().millis());
        Reputation r = reputation();
        for (int i = 0; i < 5; i++) {
            assertThat(judge(r, "fast", "m" + i).score()).isEqualTo(100);
        }
        Reputation.Verdict sixth = judge(r, "fast", "m5");
        assertThat(sixth.score()).isEqualTo(70);
        assertThat(sixth.held()).isFalse();

        for (int i = 0; i < 5; i++) {
            judge(r, "newfast", "n" + i);
        }
        Reputation.Verdict flood = judge(r, "newfast", "n5");
        assertThat(flood.held()).isTrue();
        assertThat(flood.reason()).isEqualTo("reputation 30 < 50: new account (-40), over 5 sends in 60 s (-30)");

        time.advance(Duration.ofMinutes(2));
        assertThat(judge(r, "fast", "later").score()).as("the bucket refilled").isEqualTo(100);
        // A steady sender at the rate (one send every 12 s) is never over it.
        for (int i = 0; i < 10; i++) {
            time.advance(Duration.ofSeconds(12));
            assertThat(judge(r, "fast", "steady " + i).score()).isEqualTo(100);
        }
    }

    @Test
    void reports_cost10Each_atMost50_andFiveReportsWithLinksHold() {
        created.put("old", 0L);
        Reputation r = reputation();
        r.reports(Map.of("old", 2));
        assertThat(judge(r, "old", "hi").score()).isEqualTo(80);
        r.reports(Map.of("old", 9));
        Reputation.Verdict many = judge(r, "old", "hi");
        assertThat(many.score()).isEqualTo(50);
        assertThat(many.held()).as("50 is not below 50").isFalse();
        Reputation.Verdict withLinks = judge(r, "old", "http://a.example");
        assertThat(withLinks.held()).isTrue();
        assertThat(withLinks.reason()).isEqualTo("reputation 20 < 50: 1.00 links per word (-30), 9 reports (-50)");
        r.reports(Map.of());
        assertThat(judge(r, "old", "http://a.example").score()).isEqualTo(70);
    }

    @Test
    void anUnknownUser_countsAsANewAccount() {
        Reputation r = reputation();
        assertThat(judge(r, "ghost", "hi").score()).isEqualTo(60);
        assertThat(List.of(judge(r, "ghost", "hi").score())).containsExactly(60);
    }
}
