package io.parley.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class FormattersTest {
    private static final Instant AT = Instant.parse("2026-05-01T09:30:00Z");

    private static LogRecord structured(Object... kv) {
        LogRecord r = new LogRecord(Level.INFO, "auth_failure");
        r.setLoggerName("io.parley.auth");
        r.setInstant(AT);
        r.setParameters(new Object[] {new Fields(kv)});
        return r;
    }

    @Test
    void json_isOneLine_withUtcTimestamp_fieldsTyped_andEverythingEscaped() {
        String line = new JsonFormatter()
                .format(structured(
                        "reason", "bad \"sig\"\nnext line\u0001", "count", 3, "ratio", 0.5, "ok", true, "user", null));
        assertThat(line).endsWith("}\n");
        assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
        JsonObject j = new JsonObject(line);
        assertThat(j.getString("ts")).isEqualTo("2026-05-01T09:30:00.000Z");
        assertThat(j.getString("level")).isEqualTo("info");
        assertThat(j.getString("logger")).isEqualTo("io.parley.auth");
        assertThat(j.getString("msg")).isEqualTo("auth_failure");
        JsonObject f = j.getJsonObject("fields");
        assertThat(f.getString("reason")).isEqualTo("bad \"sig\"\nnext line\u0001");
        assertThat(f.getValue("count")).isEqualTo(3);
        assertThat(f.getValue("ratio")).isEqualTo(0.5);
        assertThat(f.getValue("ok")).isEqualTo(true);
        assertThat(f.containsKey("user")).isTrue();
        assertThat(f.getValue("user")).isNull();
    }

    @Test
    void json_ofAPlainRecord_fillsItsParameters_andCarriesTheException() {
        LogRecord r = new LogRecord(Level.WARNING, "batch of {0} failed");
        r.setLoggerName("com.example");
        r.setInstant(AT.plusMillis(7));
        r.setParameters(new Object[] {12});
        r.setThrown(new IllegalStateException("boom"));
        JsonObject j = new JsonObject(new JsonFormatter().format(r));
        assertThat(j.getString("ts")).isEqualTo("2026-05-01T09:30:00.007Z");
        assertThat(j.getString("level")).isEqualTo("warn");
        assertThat(j.getString("msg")).isEqualTo("batch of 12 failed");
        assertThat(j.containsKey("fields")).isFalse();
        JsonObject e = j.getJsonObject("error");
        assertThat(e.getString("type")).isEqualTo("java.lang.IllegalStateException");
        assertThat(e.getString("message")).isEqualTo("boom");
        assertThat(e.getString("stack")).contains("FormattersTest");
    }

    @Test
    void levels_mapToTheConfigNames() {
        assertThat(Lines.level(Level.SEVERE)).isEqualTo("error");
        assertThat(Lines.level(Level.FINE)).isEqualTo("debug");
        assertThat(Lines.level(Level.FINEST)).isEqualTo("trace");
        for (String name : new String[] {"error", "warn", "info", "debug", "trace"}) {
            assertThat(Lines.level(Lines.julLevel(name))).isEqualTo(name);
        }
    }

    @Test
    void text_isReadable_withQuotedValuesWhereNeeded() {
        String line = new TextFormatter().format(structured("kind", "token", "reason", "token expired", "n", 2));
        assertThat(line)
                .isEqualTo("2026-05-01T09:30:00.000Z INFO  io.parley.auth: auth_failure kind=token "
                        + "reason=\"token expired\" n=2\n");
    }
}
