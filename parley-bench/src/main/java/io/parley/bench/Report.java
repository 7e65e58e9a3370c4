package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/** The end of a run: the JSON document, the human summary and the latency chart, from what the run counted. */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchConfig c;
    private final Tally t;
    private final List<Window> windows;

    Report(BenchConfig c, Tally t, List<Window> windows) {
        this.c = c;
        this.t = t;
        this.windows = windows;
    }

    /**
     * The nodes' resident memory (KiB) at start, after set-up and with everyone connected, node by node (empty: not
     * read); at its peak, summed over the nodes at their highest reading ({@code peak}) and each node's highest.
     */
    record Rss(long[] idle, long[] setUp, long[] connected, long peak, long[] peakEach) {}

    /** One generator process's share of the reported window: its connections, sends, deliveries and their p99. */
    record Generator(int process, long pid, long connections, long sent, long received, double deliveryP99Ms) {}

    /** The sum of the nodes' figures; -1 when there are none (not read). */
    static long total(long[] each) {
        long sum = 0;
        for (long x : each) {
            sum += x;
        }
        return each.length == 0 ? -1 : sum;
    }

    /**
     * The members who never connected ({@code offline.fraction}), the push devices they registered, and what the
     * bench's Web Push service received over the whole run: pushes, their bytes, requests refused (-1 for the three:
     * no push devices).
     */
    record OfflineUsers(long users, long devices, long pushes, long pushBytes, long pushesRefused) {}

    /**
     * Writes the JSON document, the summary and the chart for {@code best} (the highest passing step; null: the last
     * window), prints where, and returns the result.
     */
    Bench.Result write(
            Window best,
            long unacked,
            Rss rss,
            long receivedTotal,
            double serverDelivered,
            OfflineUsers offline,
            List<Generator> processes)
            throws IOException {
        long rssIdle = total(rss.idle());
        long rssSetUp = total(rss.setUp());
        long rssConnected = total(rss.connected());
        long peakRss = rss.peak();
        Window w = best != null ? best : windows.get(windows.size() - 1);
        long expected = w.expectedIn.sum();
        long lost = Math.max(0, expected - w.deliveredIn.sum());
        double seconds = w.wallMillis / 1000.0;
        ObjectNode j = JSON.createObjectNode();
        j.put("scenario", c.name())
                .put("date", Instant.now().toString())
                .put("nodes", c.nodes())
                .put("users", c.users())
                .put("usersOffline", offline.users())
                .put("groupSize", c.groupSize())
                .put("ratePerUser", w.rate)
                .put("bodyBytes", c.bodyBytes())
                .put("durationSeconds", seconds);
        j.putObject("connections")
                .put("attempted", t.attempted.sum())
                .put("established", t.established.sum())
                .put("failed", t.failed.sum())
                .put("closedEarly", t.closedEarly.sum())
                .put("connectP50Ms", t.connectHist.getValueAtPercentile(50) / 1000.0)
                .put("connectP99Ms", t.connectHist.getValueAtPercentile(99) / 1000.0)
                .put("connectEveryoneMs", t.connectEveryoneMillis());
        ObjectNode codes = ((ObjectNode) j.path("connections")).putObject("closedEarlyByCode");
        t.closeCodes.forEach((k, v) -> codes.put(k, v.sum()));
        j.putObject("messages")
                .put("sent", w.sentIn.sum())
                .put("acked", w.ackedIn.sum())
                .put("deliveriesExpected", expected)
                .put("deliveriesReceived", w.deliveredIn.sum())
                .put("lost", lost)
                .put("drainExtendedMs", w.lateDrainMillis)
                .put("duplicates", t.duplicates.sum())
                .put("gaps", t.gaps.sum())
                .put("unackedAtEnd", unacked)
                .put("errors", t.errors.sum())
                .put("sendsPerSecond", w.ackedIn.sum() / seconds)
                .put("deliveriesPerSecond", w.deliveredIn.sum() / seconds);
        latency(j.putObject("deliveryLatencyMs"), w.delivery);
        latency(j.putObject("ackLatencyMs"), w.ack);
        ObjectNode s = j.putObject("server");
        s.put("rssIdleKiB", rssIdle)
                .put("rssConnectedKiB", rssConnected)
                .put("rssPeakKiB", peakRss)
                .put(
                        "rssPerConnectionKiB",
                        rssIdle > 0 && t.established.sum() > 0
                                ? (double) (rssConnected - rssIdle) / t.established.sum()
                                : -1)
                .put("rssAfterSetUpKiB", rssSetUp)
                .put(
                        "rssPerConnectionAfterSetUpKiB",
                        rssSetUp > 0 && t.established.sum() > 0
                                ? (double) (rssConnected - rssSetUp) / t.established.sum()
                                : -1)
                .put("cpuPercent", w.cpuMillis >= 0 ? 100.0 * w.cpuMillis / Math.max(1, w.wallMillis) : -1)
                .put(
                        "cpuMicrosPerDelivery",
                        w.cpuMillis >= 0 && w.deliveredIn.sum() > 0 ? 1000.0 * w.cpuMillis / w.deliveredIn.sum() : -1)
                .put("deliveryLatencyP50AtMostMs", ServerLatency.atMost(w.serverDelivery, 50))
                .put("deliveryLatencyP99AtMostMs", ServerLatency.atMost(w.serverDelivery, 99))
                .put("deliveriesTimed", ServerLatency.count(w.serverDelivery))
                .put("searchIndexLagP50AtMostMs", ServerLatency.atMost(w.indexLag, 50))
                .put("searchIndexLagP99AtMostMs", ServerLatency.atMost(w.indexLag, 99))
                .put("messagesIndexed", ServerLatency.count(w.indexLag))
                .put("commitP50AtMostMs", ServerLatency.atMost(w.commits, 50))
                .put("commitP99AtMostMs", ServerLatency.atMost(w.commits, 99))
                .put("commits", ServerLatency.count(w.commits))
                .put("messagesDeliveredByServer", serverDelivered)
                .put("messagesReceivedByBench", receivedTotal);
        ArrayNode byNode = s.putArray("byNode");
        for (int i = 0; i < rss.connected().length; i++) {
            long n = t.establishedByNode.getOrDefault(i, new LongAdder()).sum();
            byNode.addObject()
                    .put("node", i)
                    .put("connections", n)
                    .put("rssIdleKiB", at(rss.idle(), i))
                    .put("rssAfterSetUpKiB", at(rss.setUp(), i))
                    .put("rssConnectedKiB", at(rss.connected(), i))
                    .put("rssPeakKiB", at(rss.peakEach(), i))
                    .put("rssPerConnectionKiB", perConnection(at(rss.connected(), i), at(rss.idle(), i), n))
                    .put("rssPerConnectionAfterSetUpKiB", perConnection(at(rss.connected(), i), at(rss.setUp(), i), n));
        }
        if (!processes.isEmpty()) {
            ArrayNode gens = j.putArray("generators");
            for (Generator g : processes) {
                gens.addObject()
                        .put("process", g.process())
                        .put("pid", g.pid())
                        .put("connections", g.connections())
                        .put("sent", g.sent())
                        .put("deliveriesReceived", g.received())
                        .put("deliveryP99Ms", g.deliveryP99Ms());
            }
        }
        if (w.pushesIn >= 0) {
            j.putObject("push")
                    .put("devices", offline.devices())
                    .put("received", w.pushesIn)
                    .put("perSecond", w.pushesIn / seconds)
                    .put("receivedInRun", offline.pushes())
                    .put("bytesInRun", offline.pushBytes())
                    .put("refusedInRun", offline.pushesRefused());
        }
        if (w.storeCommits >= 0) {
            j.putObject("postgresql").put("commits", w.storeCommits).put("commitsPerSecond", w.storeCommits / seconds);
        }
        if (windows.size() > 1) {
            ArrayNode steps = j.putArray("steps");
            for (Window x : windows) {
                ObjectNode o = steps.addObject()
                        .put("ratePerUser", x.rate)
                        .put("deliveriesPerSecond", x.deliveredIn.sum() / Math.max(0.001, x.wallMillis / 1000.0))
                        .put("lost", Math.max(0, x.expectedIn.sum() - x.deliveredIn.sum()));
                latency(o.putObject("deliveryLatencyMs"), x.delivery);
                o.put("searchIndexLagP99AtMostMs", ServerLatency.atMost(x.indexLag, 99));
            }
        }
        String summary = String.format(
                Locale.ROOT,
                """
                == %s: %d node(s), %d users, groups of %d, %.3f msg/s per user, %d-byte bodies, %.0f s measured
                connections: %d attempted, %d established, %d failed, %d closed early %s; connect p50 %.1f ms, p99 %.1f ms; everyone in %.1f s
                sends: %d sent, %d acked (%.0f/s), %d never acked; ack p50 %.2f ms, p99 %.2f ms
                deliveries: %d expected, %d received (%.0f/s); lost %d, duplicates %d, gaps %d (drain extended %.1f s)
                delivery latency: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms
                server: RSS idle %d KiB, connected %d KiB (%.1f KiB per connection), peak %d KiB; CPU %.0f%% (%.2f us per delivery)
                server: RSS after users and conversations were created %d KiB (%.1f KiB per connection from there)
                cross-check: server delivered %.0f message events, bench received %d""",
                c.name(),
                c.nodes(),
                c.users(),
                c.groupSize(),
                w.rate,
                c.bodyBytes(),
                seconds,
                t.attempted.sum(),
                t.established.sum(),
                t.failed.sum(),
                t.closedEarly.sum(),
                t.closeCodes.isEmpty()
                        ? ""
                        : j.path("connections").path("closedEarlyByCode").toString(),
                t.connectHist.getValueAtPercentile(50) / 1000.0,
                t.connectHist.getValueAtPercentile(99) / 1000.0,
                t.connectEveryoneMillis() / 1000.0,
                w.sentIn.sum(),
                w.ackedIn.sum(),
                w.ackedIn.sum() / seconds,
                unacked,
                w.ack.getValueAtPercentile(50) / 1000.0,
                w.ack.getValueAtPercentile(99) / 1000.0,
                expected,
                w.deliveredIn.sum(),
                w.deliveredIn.sum() / seconds,
                lost,
                t.duplicates.sum(),
                t.gaps.sum(),
                w.lateDrainMillis / 1000.0,
                pct(w.delivery, 50),
                pct(w.delivery, 95),
                pct(w.delivery, 99),
                pct(w.delivery, 99.9),
                w.delivery.getMaxValue() / 1000.0,
                rssIdle,
                rssConnected,
                j.path("server").path("rssPerConnectionKiB").asDouble(),
                peakRss,
                j.path("server").path("cpuPercent").asDouble(),
                j.path("server").path("cpuMicrosPerDelivery").asDouble(),
                rssSetUp,
                j.path("server").path("rssPerConnectionAfterSetUpKiB").asDouble(),
                serverDelivered,
                receivedTotal);
        if (rss.connected().length > 1) {
            StringBuilder b = new StringBuilder(summary);
            for (JsonNode n : byNode) {
                b.append(String.format(
                        Locale.ROOT,
                        "%nnode %d: %d connections; RSS idle %d KiB, connected %d KiB (%.1f KiB per connection, %.1f from"
                                + " after set-up), peak %d KiB",
                        n.path("node").asInt(),
                        n.path("connections").asLong(),
                        n.path("rssIdleKiB").asLong(),
                        n.path("rssConnectedKiB").asLong(),
                        n.path("rssPerConnectionKiB").asDouble(),
                        n.path("rssPerConnectionAfterSetUpKiB").asDouble(),
                        n.path("rssPeakKiB").asLong()));
            }
            summary = b.toString();
        }
        if (!processes.isEmpty()) {
            StringBuilder b = new StringBuilder(summary);
            for (Generator g : processes) {
                b.append(String.format(
                        Locale.ROOT,
                        "%ngenerator process %d (pid %d): %d connections; in the window %d sent, %d deliveries"
                                + " received, delivery p99 %.2f ms",
                        g.process(),
                        g.pid(),
                        g.connections(),
                        g.sent(),
                        g.received(),
                        g.deliveryP99Ms()));
            }
            summary = b.toString();
        }
        if (offline.users() > 0) {
            summary += String.format(
                    Locale.ROOT,
                    "%noffline: %d users are group members and never connect (owed no deliveries); %s",
                    offline.users(),
                    w.pushesIn < 0
                            ? "no push devices"
                            : String.format(
                                    Locale.ROOT,
                                    "%d push devices; push service received %d pushes in the window (%.1f/s), %d in"
                                            + " the run (%d bytes, %d refused)",
                                    offline.devices(),
                                    w.pushesIn,
                                    w.pushesIn / seconds,
                                    offline.pushes(),
                                    offline.pushBytes(),
                                    offline.pushesRefused()));
        }
        summary += "\nserver-side delivery latency: " + ServerLatency.describe(w.serverDelivery);
        summary += "\nserver group commits: " + ServerLatency.describe(w.commits, "commits, one batch of writes each");
        if (ServerLatency.count(w.indexLag) > 0) {
            summary += "\nsearch index lag: "
                    + ServerLatency.describe(w.indexLag, "messages indexed, last change to index commit");
        }
        if (w.storeCommits >= 0) {
            summary += String.format(
                    Locale.ROOT,
                    "%npostgresql: %d commits in the window (%.0f/s, all sessions of the database)",
                    w.storeCommits,
                    w.storeCommits / seconds);
        }
        if (windows.size() > 1) {
            StringBuilder b = new StringBuilder(summary).append("\nsteps:");
            for (Window x : windows) {
                b.append(String.format(
                        Locale.ROOT,
                        "%n  %.3f msg/s per user: %.0f deliveries/s, p99 %.2f ms, lost %d%s",
                        x.rate,
                        x.deliveredIn.sum() / Math.max(0.001, x.wallMillis / 1000.0),
                        pct(x.delivery, 99),
                        Math.max(0, x.expectedIn.sum() - x.deliveredIn.sum()),
                        ServerLatency.count(x.indexLag) > 0
                                ? ", index lag p99 <= " + ServerLatency.bound(ServerLatency.atMost(x.indexLag, 99))
                                : ""));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "%nhighest sustained (p99 <= 100 ms, nothing lost): %s",
                    best == null
                            ? "none"
                            : String.format(
                                    Locale.ROOT,
                                    "%.0f deliveries/s at %.3f msg/s per user",
                                    best.deliveredIn.sum() / (best.wallMillis / 1000.0),
                                    best.rate)));
            summary = b.toString();
        }
        Path dir = Path.of(c.out());
        Files.createDirectories(dir);
        String stem = c.name() + "-" + Instant.now().toString().replace(":", "").substring(0, 15);
        Files.writeString(
                dir.resolve(stem + ".json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j));
        Files.writeString(dir.resolve(stem + ".txt"), summary + "\n");
        Files.writeString(
                dir.resolve(stem + ".svg"),
                Svg.percentilePlot(
                        c.name() + ": latency by percentile",
                        List.of(
                                new Svg.Series("delivery (send to receive)", w.delivery, "#1f77b4"),
                                new Svg.Series("ack (send to ack)", w.ack, "#ff7f0e"))));
        System.out.println("results: " + dir.resolve(stem + ".json") + " (.txt, .svg)");
        return new Bench.Result(j, summary, lost, t.duplicates.sum(), t.failed.sum(), unacked);
    }

    private static long at(long[] each, int i) {
        return i < each.length ? each[i] : -1;
    }

    /** KiB per connection from {@code base} to {@code connected}; -1 when either was not read or none connected. */
    private static double perConnection(long connected, long base, long connections) {
        return connected > 0 && base > 0 && connections > 0 ? (double) (connected - base) / connections : -1;
    }

    private static double pct(Histogram h, double p) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1000.0;
    }

    private static void latency(ObjectNode o, Histogram h) {
        o.put("count", h.getTotalCount())
                .put("p50", pct(h, 50))
                .put("p95", pct(h, 95))
                .put("p99", pct(h, 99))
                .put("p999", pct(h, 99.9))
                .put("max", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0);
    }
}
