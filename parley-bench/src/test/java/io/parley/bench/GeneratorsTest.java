package io.parley.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces of a run from several generator processes that need no server: the slice file a worker is handed, the
 * split of the connections, and the sum of the processes' reports (counts and histograms add up, loss stays exact).
 */
class GeneratorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sliceFile_roundTrips(@TempDir Path dir) throws Exception {
        Slice s = new Slice(
                List.of("http://127.0.0.1:4001", "http://127.0.0.1:4002"),
                List.of(
                        new Slice.Entry("bx1-0", "eyJh.eyJz.c2ln", 0, "c-123", 10, 10),
                        new Slice.Entry("bx1-7", "eyJh.eyJt.c2lo", 1, "c-124", 10, 5)));
        Path file = dir.resolve("slice.tsv");
        s.write(file);
        assertThat(Slice.read(file)).isEqualTo(s);
    }

    @Test
    void sliceFile_refusesANodeItDoesNotName_andAStrayLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slice.tsv");
        Files.writeString(file, "url\thttp://127.0.0.1:1\nconn\tu\tt\t1\tc\t2\t2\n");
        assertThatThrownBy(() -> Slice.read(file)).hasMessageContaining("names node 1 of 1");
        Files.writeString(file, "url\thttp://127.0.0.1:1\nsomething else\n");
        assertThatThrownBy(() -> Slice.read(file)).hasMessageContaining("not a slice line");
    }

    @Test
    void generatorProcesses_defaultsToOne_andIsBounded() throws Exception {
        assertThat(BenchConfig.load(null).generatorProcesses()).isEqualTo(1);
        assertThat(BenchConfig.load(null, "generator.processes=5").args())
                .as("what a worker is started with")
                .containsExactly("-", "generator.processes=5");
        assertThatThrownBy(() -> BenchConfig.load(null, "generator.processes=0"))
                .hasMessageContaining("generator.processes must be 1..16");
        assertThatThrownBy(() -> BenchConfig.load(null, "generator.processes=17"))
                .hasMessageContaining("generator.processes must be 1..16");
    }

    @Test
    void split_putsConsecutiveUsers_inDifferentProcesses() {
        List<List<Integer>> slices = Slice.split(List.of(0, 1, 2, 3, 4, 5, 6), 3);
        assertThat(slices).containsExactly(List.of(0, 3, 6), List.of(1, 4), List.of(2, 5));
        assertThat(Slice.split(List.of(0, 1), 1)).containsExactly(List.of(0, 1));
    }

    @Test
    void merge_addsCountsAndHistograms_ofEveryProcess() throws Exception {
        // Two processes: A sent 3 messages in the window (acked, 2 online members each: 6 deliveries owed), B sent 1
        // (2 owed); A received 5 of them, B received 3. Only the sums say nothing was lost.
        Window a = window(3, 3, 5, 6, 1_000, 2_000, 3_000, 4_000, 5_000);
        Window b = window(1, 1, 3, 2, 10_000, 20_000, 30_000);
        Tally ta = tally(10, 9, 1, 2_000);
        ta.closeCodes.computeIfAbsent("1006 gone", k -> new LongAdder()).add(1);
        ta.establishedByNode.computeIfAbsent(0, k -> new LongAdder()).add(5);
        ta.establishedByNode.computeIfAbsent(1, k -> new LongAdder()).add(4);
        ta.firstAttemptNanos.set(1_000);
        ta.lastEstablishedNanos.set(9_000);
        Tally tb = tally(5, 5, 0, 40_000);
        tb.closeCodes.computeIfAbsent("1006 gone", k -> new LongAdder()).add(2);
        tb.establishedByNode.computeIfAbsent(1, k -> new LongAdder()).add(5);
        tb.firstAttemptNanos.set(500);
        tb.lastEstablishedNanos.set(7_000);
        a.cpuMillis = 1234;
        a.wallMillis = 10_000;

        // Each as it travels: one line of JSON, read back.
        JsonNode sa = JSON.readTree(Snapshot.of(0, 11, ta, List.of(a), 1, 4).toString());
        JsonNode sb = JSON.readTree(Snapshot.of(1, 12, tb, List.of(b), 2, 6).toString());
        Snapshot.Merged m = Snapshot.merge(List.of(a), List.of(sa, sb));

        Window w = m.windows().get(0);
        assertThat(w.sentIn.sum()).isEqualTo(4);
        assertThat(w.ackedIn.sum()).isEqualTo(4);
        assertThat(w.expectedIn.sum()).isEqualTo(8);
        assertThat(w.deliveredIn.sum()).isEqualTo(8);
        assertThat(w.delivery.getTotalCount()).isEqualTo(8);
        assertThat(w.delivery.getMaxValue()).isEqualTo(b.delivery.getMaxValue());
        assertThat(w.delivery.getMinValue()).isEqualTo(1_000);
        assertThat(w.ack.getTotalCount()).isEqualTo(4);
        assertThat(w.cpuMillis).as("the coordinator's own figures").isEqualTo(1234);
        assertThat(w.wallMillis).isEqualTo(10_000);
        assertThat(w.rate).isEqualTo(a.rate);
        assertThat(w.startNanos).isEqualTo(a.startNanos);

        Tally t = m.tally();
        assertThat(t.attempted.sum()).isEqualTo(15);
        assertThat(t.established.sum()).isEqualTo(14);
        assertThat(t.failed.sum()).isEqualTo(1);
        assertThat(t.sent.sum()).isEqualTo(ta.sent.sum() + tb.sent.sum());
        assertThat(t.received.sum()).isEqualTo(ta.received.sum() + tb.received.sum());
        assertThat(t.duplicates.sum()).isEqualTo(3);
        assertThat(t.gaps.sum()).isEqualTo(5);
        assertThat(t.errors.sum()).isEqualTo(7);
        assertThat(t.closedEarly.sum()).isEqualTo(2);
        assertThat(t.connectHist.getTotalCount()).isEqualTo(15);
        assertThat(t.connectHist.getMaxValue()).isEqualTo(tb.connectHist.getMaxValue());
        assertThat(t.closeCodes.get("1006 gone").sum()).isEqualTo(3);
        assertThat(t.establishedByNode.get(0).sum()).isEqualTo(5);
        assertThat(t.establishedByNode.get(1).sum()).isEqualTo(9);
        assertThat(t.connectEveryoneMillis())
                .as("first attempt of any process to the last established of any")
                .isEqualTo((9_000 - 500) / 1e6);
        assertThat(m.unacked()).isEqualTo(3);
        assertThat(m.receivedAtStart()).isEqualTo(10);

        List<Report.Generator> byProcess = m.byProcess(0);
        assertThat(byProcess).extracting(Report.Generator::process).containsExactly(0, 1);
        assertThat(byProcess).extracting(Report.Generator::pid).containsExactly(11L, 12L);
        assertThat(byProcess).extracting(Report.Generator::connections).containsExactly(9L, 5L);
        assertThat(byProcess).extracting(Report.Generator::sent).containsExactly(3L, 1L);
        assertThat(byProcess).extracting(Report.Generator::received).containsExactly(5L, 3L);
        assertThat(byProcess.get(1).deliveryP99Ms())
                .isCloseTo(b.delivery.getValueAtPercentile(99) / 1000.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void oneProcess_isNotMerged_andHasNoPerProcessFigures() {
        Snapshot.Merged m = Snapshot.merge(List.of(), List.of());
        assertThat(m.byProcess(0)).isEmpty();
        assertThat(new Generators.Progress(List.of()).since(Long.MAX_VALUE)).isTrue();
    }

    @Test
    void progress_sumsTheWorkersLatestCounts_andKnowsWhenEveryOneWasRead() throws Exception {
        Window w = window(2, 2, 1, 4, 5_000);
        JsonNode p1 = JSON.readTree(
                Snapshot.progress(tally(3, 3, 0, 1), List.of(w), 0).toString());
        JsonNode p2 = JSON.readTree(
                Snapshot.progress(tally(2, 2, 0, 1), List.of(w), 1).toString());
        Generators.Progress p = new Generators.Progress(java.util.Arrays.asList(p1, p2));
        assertThat(p.sum("unacked")).isEqualTo(1);
        assertThat(p.sum("conns")).as("established less closed early").isEqualTo(3);
        assertThat(p.window(0, "expectedIn")).isEqualTo(8);
        assertThat(p.window(0, "deliveredIn")).isEqualTo(2);
        assertThat(p.since(p1.path("nanos").asLong() - 1)).isTrue();
        assertThat(p.since(p2.path("nanos").asLong() + 1)).isFalse();
        assertThat(new Generators.Progress(java.util.Arrays.asList(p1, null)).since(0))
                .as("a worker that has not reported yet")
                .isFalse();
    }

    private static Window window(long sent, long acked, long delivered, long expected, long... deliveryMicros) {
        Window w = new Window(0.5);
        w.startNanos = 100;
        w.endNanos = 200;
        w.sentIn.add(sent);
        w.ackedIn.add(acked);
        w.deliveredIn.add(delivered);
        w.expectedIn.add(expected);
        for (long d : deliveryMicros) {
            w.delivery.recordValue(d);
        }
        for (int i = 0; i < acked; i++) {
            w.ack.recordValue(500 + i);
        }
        return w;
    }

    private static Tally tally(long attempted, long established, long failed, long connectMicros) {
        Tally t = new Tally();
        t.attempted.add(attempted);
        t.established.add(established);
        t.failed.add(failed);
        t.sent.add(established * 3);
        t.acked.add(established * 3);
        t.received.add(established * 7);
        t.duplicates.add(failed == 0 ? 0 : 3);
        t.gaps.add(failed == 0 ? 0 : 5);
        t.errors.add(failed == 0 ? 0 : 7);
        t.closedEarly.add(1);
        for (int i = 0; i < attempted; i++) {
            t.connectHist.recordValue(connectMicros + i);
        }
        return t;
    }
}
