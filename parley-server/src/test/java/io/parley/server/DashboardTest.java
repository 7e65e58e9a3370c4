package io.parley.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/grafana's dashboard and deploy/prometheus's alert rules name only metrics a node serves, and
 * docs/operations.md's metric table lists exactly the parley_* metrics it serves. (promtool checks and tests the
 * rules themselves in .ci/run.)
 */
class DashboardTest {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Path OPERATIONS = Path.of("..", "docs", "operations.md");

    /** Documented in docs/operations.md as the future name of the push queue's gauge; only its alert uses it. */
    private static final String FUTURE = "parley_push_queue_depth";

    private static final Set<String> SUFFIXES = Set.of("", "_bucket", "_sum", "_count", "_max");

    @Test
    void dashboardAndAlertRules_nameOnlyServedMetrics_andTheDocsListThemAll(@TempDir Path dir) throws Exception {
        Set<String> served;
        try (TestServer server = new TestServer(dir, Map.of()).start()) {
            served = servedWithGcPauses(server);
        }

        JsonObject dashboard = new JsonObject(Files.readString(DEPLOY.resolve("grafana/parley.json")));
        assertThat(dashboard.getString("title")).isEqualTo("Parley");
        List<String> exprs = new ArrayList<>();
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonArray targets = ((JsonObject) p).getJsonArray("targets");
            assertThat(targets).as("targets of %s", p).isNotEmpty();
            targets.forEach(t -> exprs.add(((JsonObject) t).getString("expr")));
        }
        Set<String> dashboardMetrics = new TreeSet<>();
        exprs.forEach(e -> dashboardMetrics.addAll(metricsIn(e)));
        for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
            String definition = ((JsonObject) v).getString("definition");
            if (definition != null) {
                Matcher m = Pattern.compile("label_values\\((\\w+)").matcher(definition);
                assertThat(m.find()).as(definition).isTrue();
                dashboardMetrics.add(m.group(1));
            }
        }
        // What the issue asks the dashboard to show.
        assertThat(dashboardMetrics)
                .contains(
                        "parley_websocket_connections_active",
                        "parley_websocket_connections_capacity",
                        "parley_messages_delivered_total",
                        "parley_message_delivery_latency_seconds_bucket",
                        "parley_message_store_commit_seconds_bucket",
                        "parley_offline_sync_duration_seconds_bucket",
                        "parley_websocket_slow_consumers_total",
                        "jvm_memory_used_bytes",
                        "jvm_gc_pause_seconds_sum");
        assertThat(dashboardMetrics)
                .allSatisfy(m -> assertThat(served).as("served series").contains(m));

        Set<String> ruleMetrics = new TreeSet<>();
        ruleExprs(Files.readString(DEPLOY.resolve("prometheus/parley-alerts.yml")))
                .forEach(e -> ruleMetrics.addAll(metricsIn(e)));
        assertThat(ruleMetrics)
                .contains(
                        "parley_websocket_connections_active",
                        "parley_websocket_connections_capacity",
                        "parley_message_delivery_latency_seconds_bucket",
                        "parley_presence_update_lag_seconds_bucket",
                        "parley_offline_sync_duration_seconds_bucket",
                        "parley_search_index_lag_seconds_bucket",
                        FUTURE);
        ruleMetrics.remove(FUTURE);
        assertThat(ruleMetrics)
                .allSatisfy(m -> assertThat(served).as("served series").contains(m));

        String operations = Files.readString(OPERATIONS, StandardCharsets.UTF_8);
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(parley_[a-z0-9_]+)` \\|").matcher(operations);
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(operations).contains("`" + FUTURE + "`");
        for (String d : documented) {
            assertThat(SUFFIXES.stream().anyMatch(s -> served.contains(d + s)))
                    .as("documented %s is served", d)
                    .isTrue();
        }
        for (String s : served) {
            if (s.startsWith("parley_")) {
                assertThat(documented.stream()
                                .anyMatch(d -> SUFFIXES.contains(s.replaceFirst("^" + d, "")) && s.startsWith(d)))
                        .as("served %s is in docs/operations.md's table", s)
                        .isTrue();
            }
        }
    }

    /**
     * The metric names in a PromQL expression: what is left once strings, label matchers, ranges, grouping clauses,
     * variables, numbers and function names are taken out.
     */
    static Set<String> metricsIn(String expr) {
        String e = expr.replaceAll("\"[^\"]*\"", "")
                .replaceAll("\\{[^}]*\\}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ");
        Set<String> out = new TreeSet<>();
        Matcher m =
                Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(\\s*\\()?").matcher(e);
        while (m.find()) {
            if (m.group(2) == null
                    && !Set.of("and", "or", "unless", "bool", "offset").contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The {@code expr} of every rule: inline, or a folded block on the more indented lines after it. */
    static List<String> ruleExprs(String yaml) {
        List<String> out = new ArrayList<>();
        String[] lines = yaml.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            if (!t.startsWith("expr:")) {
                continue;
            }
            String rest = t.substring("expr:".length()).trim();
            if (!rest.startsWith(">") && !rest.startsWith("|")) {
                out.add(rest);
                continue;
            }
            int indent = lines[i].indexOf("expr:");
            StringBuilder b = new StringBuilder();
            while (i + 1 < lines.length
                    && (lines[i + 1].isBlank()
                            || lines[i + 1].length()
                                            - lines[i + 1].stripLeading().length()
                                    > indent)) {
                b.append(lines[++i].trim()).append(' ');
            }
            out.add(b.toString().trim());
        }
        assertThat(out).hasSize(6);
        return out;
    }

    /** The series names of a scrape, once the JVM has reported a GC pause (its timer appears with the first one). */
    private static Set<String> servedWithGcPauses(TestServer server) throws Exception {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        java.util.concurrent.atomic.AtomicReference<Set<String>> served =
                new java.util.concurrent.atomic.AtomicReference<>();
        // The pause timer is registered from the GC's notification (the JVM's own thread), which a requested
        // collection sends: ask for one, then poll the scrape until the timer is there.
        Poll.until(
                () -> {
                    Set<String> names = names(http, server);
                    if (names.contains("jvm_gc_pause_seconds_sum")) {
                        served.set(names);
                        return true;
                    }
                    System.gc();
                    return false;
                },
                Duration.ofSeconds(20),
                "a GC pause reported");
        return served.get();
    }

    private static Set<String> names(HttpClient http, TestServer server) {
        try {
            String text = http.send(
                            HttpRequest.newBuilder(URI.create(server.httpUrl() + "/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Set<String> names = new TreeSet<>();
            text.lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank())
                    .forEach(l -> names.add(l.replaceAll("[{ ].*", "")));
            return names;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
