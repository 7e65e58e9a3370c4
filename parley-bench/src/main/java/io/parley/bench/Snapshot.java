package io.parley.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * What one generator process counted, as a JSON document that fits on one line of a worker's stdout (histograms in
 * HdrHistogram's compressed encoding, Base64), and the sum of several: the coordinator adds its own and its workers'
 * into one {@link Tally} and one list of {@link Window}s, so the report is the same as a single process's. Loss stays
 * exact across processes: an acked send adds its conversation's online members to the expected deliveries of its
 * sender's process, its deliveries are counted wherever the receivers are, and only the sums are compared.
 */
final class Snapshot {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Snapshot() {}

    /**
     * Everything {@code t} and {@code windows} counted. {@code unacked} is read by the caller before this reads the
     * windows, so a send acked in between is never missing from both (see {@link #progress}).
     */
    static ObjectNode of(int process, long pid, Tally t, List<Window> windows, long unacked, long receivedAtStart) {
        ObjectNode j = JSON.createObjectNode()
                .put("process", process)
                .put("pid", pid)
                .put("unacked", unacked)
                .put("receivedAtStart", receivedAtStart);
        ArrayNode ws = j.putArray("windows");
        for (Window w : windows) {
            ws.addObject()
                    .put("sentIn", w.sentIn.sum())
                    .put("ackedIn", w.ackedIn.sum())
                    .put("deliveredIn", w.deliveredIn.sum())
                    .put("expectedIn", w.expectedIn.sum())
                    .put("delivery", encode(w.delivery))
                    .put("ack", encode(w.ack));
        }
        j.put("attempted", t.attempted.sum())
                .put("established", t.established.sum())
                .put("failed", t.failed.sum())
                .put("sent", t.sent.sum())
                .put("acked", t.acked.sum())
                .put("received", t.received.sum())
                .put("duplicates", t.duplicates.sum())
                .put("gaps", t.gaps.sum())
                .put("errors", t.errors.sum())
                .put("closedEarly", t.closedEarly.sum())
                .put("firstAttemptNanos", t.firstAttemptNanos.get())
                .put("lastEstablishedNanos", t.lastEstablishedNanos.get())
                .put("connect", encode(t.connectHist));
        ObjectNode codes = j.putObject("closeCodes");
        t.closeCodes.forEach((k, v) -> codes.put(k, v.sum()));
        ObjectNode byNode = j.putObject("establishedByNode");
        t.establishedByNode.forEach((k, v) -> byNode.put(Integer.toString(k), v.sum()));
        return j;
    }

    /**
     * A worker's running counts, every half second while it runs: enough for the coordinator's progress lines and for
     * its decision that the drain is complete (everything acked, every owed delivery in). {@code unacked} is read
     * before the windows' expected deliveries, as in Bench.drainLate: a send acked in between then shows as still
     * unacked rather than as owing nothing.
     */
    static ObjectNode progress(Tally t, List<Window> windows, long unacked) {
        ObjectNode j = JSON.createObjectNode().put("nanos", System.nanoTime()).put("unacked", unacked);
        ArrayNode ws = j.putArray("windows");
        for (Window w : windows) {
            ws.addObject()
                    .put("ackedIn", w.ackedIn.sum())
                    .put("deliveredIn", w.deliveredIn.sum())
                    .put("expectedIn", w.expectedIn.sum());
        }
        return j.put("conns", t.established.sum() - t.closedEarly.sum())
                .put("sent", t.sent.sum())
                .put("acked", t.acked.sum())
                .put("received", t.received.sum())
                .put("duplicates", t.duplicates.sum())
                .put("gaps", t.gaps.sum())
                .put("errors", t.errors.sum());
    }

    /**
     * The sum of the processes' snapshots: {@code local} gives the windows' rates, instants and the figures only the
     * coordinator takes (server CPU and metrics, wall time, drain extension); every count and histogram is the sum.
     */
    record Merged(Tally tally, List<Window> windows, long unacked, long receivedAtStart, List<JsonNode> processes) {

        /** The figures of each generator process in window {@code window} (empty with one process). */
        List<Report.Generator> byProcess(int window) {
            List<Report.Generator> out = new ArrayList<>();
            if (processes.size() < 2) {
                return out;
            }
            for (JsonNode p : processes) {
                JsonNode w = p.path("windows").path(window);
                Histogram delivery = decode(w.path("delivery").asText());
                out.add(new Report.Generator(
                        p.path("process").asInt(),
                        p.path("pid").asLong(),
                        p.path("established").asLong(),
                        w.path("sentIn").asLong(),
                        w.path("deliveredIn").asLong(),
                        delivery.getTotalCount() == 0 ? 0 : delivery.getValueAtPercentile(99) / 1000.0));
            }
            return out;
        }
    }

    static Merged merge(List<Window> local, List<JsonNode> snapshots) {
        Tally t = new Tally();
        List<Window> windows = new ArrayList<>();
        for (Window l : local) {
            Window w = new Window(l.rate);
            w.startNanos = l.startNanos;
            w.endNanos = l.endNanos;
            w.cpuMillis = l.cpuMillis;
            w.storeCommits = l.storeCommits;
            w.pushesIn = l.pushesIn;
            w.serverDelivery = l.serverDelivery;
            w.indexLag = l.indexLag;
            w.commits = l.commits;
            w.wallMillis = l.wallMillis;
            w.lateDrainMillis = l.lateDrainMillis;
            windows.add(w);
        }
        long unacked = 0;
        long receivedAtStart = 0;
        for (JsonNode s : snapshots) {
            unacked += s.path("unacked").asLong();
            receivedAtStart += s.path("receivedAtStart").asLong();
            for (int i = 0; i < windows.size() && i < s.path("windows").size(); i++) {
                Window w = windows.get(i);
                JsonNode x = s.path("windows").path(i);
                w.sentIn.add(x.path("sentIn").asLong());
                w.ackedIn.add(x.path("ackedIn").asLong());
                w.deliveredIn.add(x.path("deliveredIn").asLong());
                w.expectedIn.add(x.path("expectedIn").asLong());
                w.delivery.add(decode(x.path("delivery").asText()));
                w.ack.add(decode(x.path("ack").asText()));
            }
            t.attempted.add(s.path("attempted").asLong());
            t.established.add(s.path("established").asLong());
            t.failed.add(s.path("failed").asLong());
            t.sent.add(s.path("sent").asLong());
            t.acked.add(s.path("acked").asLong());
            t.received.add(s.path("received").asLong());
            t.duplicates.add(s.path("duplicates").asLong());
            t.gaps.add(s.path("gaps").asLong());
            t.errors.add(s.path("errors").asLong());
            t.closedEarly.add(s.path("closedEarly").asLong());
            t.firstAttemptNanos.accumulateAndGet(s.path("firstAttemptNanos").asLong(Long.MAX_VALUE), Math::min);
            t.lastEstablishedNanos.accumulateAndGet(
                    s.path("lastEstablishedNanos").asLong(Long.MIN_VALUE), Math::max);
            t.connectHist.add(decode(s.path("connect").asText()));
            for (Map.Entry<String, JsonNode> e : s.path("closeCodes").properties()) {
                t.closeCodes
                        .computeIfAbsent(e.getKey(), k -> new LongAdder())
                        .add(e.getValue().asLong());
            }
            for (Map.Entry<String, JsonNode> e : s.path("establishedByNode").properties()) {
                t.establishedByNode
                        .computeIfAbsent(Integer.parseInt(e.getKey()), k -> new LongAdder())
                        .add(e.getValue().asLong());
            }
        }
        return new Merged(t, windows, unacked, receivedAtStart, List.copyOf(snapshots));
    }

    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(b.array(), n));
    }

    static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(
                    ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram", e);
        }
    }
}
