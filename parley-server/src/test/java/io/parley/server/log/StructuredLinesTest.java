package io.parley.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The structured lines other parts write, as JSON, caught by a handler on their logger. */
class StructuredLinesTest {

    /** Runs {@code body} with a handler on {@code logger} at {@code level}; returns the lines it wrote, as JSON. */
    private static List<JsonObject> capture(String logger, Level level, Runnable body) {
        Logger l = Logger.getLogger(logger);
        Level before = l.getLevel();
        List<JsonObject> lines = new ArrayList<>();
        JsonFormatter json = new JsonFormatter();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(new JsonObject(json.format(r)));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        l.setLevel(level);
        l.addHandler(h);
        try {
            body.run();
        } finally {
            l.removeHandler(h);
            l.setLevel(before);
        }
        return lines;
    }

    @Test
    void adminAction_hasActorActionTargetAndItsOwnFields() {
        List<JsonObject> lines =
                capture("io.parley.admin", Level.INFO, () -> AdminLog.action("cli", "ban", "u_42", "reason", "spam"));
        assertThat(lines).singleElement().satisfies(j -> {
            assertThat(j.getString("level")).isEqualTo("info");
            assertThat(j.getString("msg")).isEqualTo("admin_action");
            assertThat(j.getJsonObject("fields").encode())
                    .isEqualTo("{\"actor\":\"cli\",\"action\":\"ban\",\"target\":\"u_42\",\"reason\":\"spam\"}");
        });
    }

    @Test
    void requestLines_areDebug_soOffAtInfo() {
        assertThat(capture("io.parley.access", Level.INFO, () -> {
                    assertThat(AccessLog.enabled()).isFalse();
                    AccessLog.request("GET", "/api/v1/me", 200, 1.25, "bob", "127.0.0.1");
                }))
                .isEmpty();
        assertThat(capture("io.parley.access", Level.FINE, () -> {
                    assertThat(AccessLog.enabled()).isTrue();
                    AccessLog.request("GET", "/api/v1/me", 200, 1.25, "bob", "127.0.0.1");
                }))
                .singleElement()
                .satisfies(j -> assertThat(j.getJsonObject("fields").getDouble("duration_ms"))
                        .isEqualTo(1.25));
    }

    @Test
    void deliverySample_oneInN_noneAtZero_noneWhenTheLoggerIsOff() {
        Clock clock = Clock.fixed(Instant.parse("2026-05-01T09:30:00.250Z"), ZoneOffset.UTC);
        capture("io.parley.delivery", Level.INFO, () -> {
            assertThat(new DeliveryLog(1, clock).sample()).isTrue();
            assertThat(IntStream.range(0, 1000).filter(i -> new DeliveryLog(0, clock).sample()))
                    .isEmpty();
            long hits = IntStream.range(0, 100_000)
                    .filter(i -> new DeliveryLog(100, clock).sample())
                    .count();
            assertThat(hits).isBetween(700L, 1300L);
        });
        capture(
                "io.parley.delivery",
                Level.WARNING,
                () -> assertThat(new DeliveryLog(1, clock).sample()).isFalse());
        List<JsonObject> lines = capture(
                "io.parley.delivery",
                Level.INFO,
                () -> new DeliveryLog(1, clock)
                        .delivered(
                                "c_1",
                                7,
                                "m_9",
                                Instant.parse("2026-05-01T09:30:00.200Z").toEpochMilli(),
                                3,
                                4));
        assertThat(lines.get(0).getJsonObject("fields").encode())
                .isEqualTo("{\"conversation\":\"c_1\",\"seq\":7,\"message_id\":\"m_9\",\"latency_ms\":50,"
                        + "\"recipients\":3,\"sessions\":4}");
    }
}
