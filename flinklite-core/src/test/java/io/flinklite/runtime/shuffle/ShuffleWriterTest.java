package io.flinklite.runtime.shuffle;

import io.flinklite.api.Event;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.OneInputOperatorHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The source side of the shuffle through the operator harness, and the keyed side it feeds. */
class ShuffleWriterTest {
    /** What a writer sent, per record. */
    record Sent(int partition, String key, byte[] value) {
        byte kind() { return ShuffleRecords.kind(value, 0, value.length); }
    }

    static final class Recording implements ShuffleOutput {
        final int partitions;
        final List<Sent> sent = new ArrayList<>();
        KeyedStage<?>[] keyed;

        Recording(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int partitions() {
            return partitions;
        }

        @Override
        public void send(int partition, byte[] key, int keyLength, byte[] value, int valueLength) throws Exception {
            sent.add(new Sent(partition, key == null ? null : new String(key, 0, keyLength, StandardCharsets.UTF_8),
                    Arrays.copyOf(value, valueLength)));
            if (keyed != null) {
                keyed[partition].process(key, 0, keyLength, value, 0, valueLength);
            }
        }
    }

    private static final WindowAssigner SLIDING = WindowAssigner.sliding(3_000, 1_000, 0);

    private static OneInputOperatorHarness<Object, Object> writer(WindowAssigner assigner, long lateness,
                                                                   Recording out, int maxOpen) {
        return OneInputOperatorHarness.of((Output<Object> o) -> new ShuffleWriter("in", 0, 1, 7, assigner, lateness,
                ShuffledJob.partialStore(AggregateSpec.Kind.COUNT), out, maxOpen, o));
    }

    private static Event event(long ts, String key) {
        DecodedEvent e = new DecodedEvent();
        byte[] raw = ("{\"timestamp\":" + ts + ",\"message\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
        e.fill(0, false, ts, key, 0, false, raw, 0, raw.length);
        return e;
    }

    @Test
    void aPanesPartialNeverFollowsTheMarkerThatPassesItsEnd() throws Exception {
        for (int seed = 0; seed < 50; seed++) {
            Random r = new Random(seed);
            Recording out = new Recording(1 + r.nextInt(4));
            var h = writer(SLIDING, r.nextBoolean() ? 0 : 1_500, out, 1 + r.nextInt(50));
            long t = 0;
            long w = Long.MIN_VALUE;
            for (int i = 0; i < 2_000; i++) {
                t += r.nextInt(40);
                long ts = t - r.nextInt(500);
                h.processElement(event(ts, "k" + r.nextInt(30)), ts, "k" + r.nextInt(30));
                if (r.nextInt(4) == 0) {
                    w = Math.max(w, t - 600);
                    h.processWatermark(w);
                }
            }
            h.endInput();
            long[] marked = new long[out.partitions];
            Arrays.fill(marked, Long.MIN_VALUE);
            for (Sent s : out.sent) {
                if (s.kind() == ShuffleRecords.MARKER) {
                    marked[s.partition()] = ShuffleRecords.markerWatermark(s.value(), 0);
                } else if (s.kind() == ShuffleRecords.PARTIAL) {
                    long paneEnd = ShuffleRecords.partialPaneStart(s.value(), 0) + 1_000 - 1;
                    assertThat(paneEnd).as("seed %d: a partial after the marker passing its pane", seed)
                            .isGreaterThan(marked[s.partition()]);
                    assertThat(s.partition()).isEqualTo(ShufflePartitioner.partition(
                            s.key().getBytes(StandardCharsets.UTF_8), s.key().getBytes(StandardCharsets.UTF_8).length,
                            out.partitions));
                }
            }
            assertThat(marked).as("the end of input reaches every partition").containsOnly(Long.MAX_VALUE);
        }
    }

    @Test
    void anEventBehindTheSourcesWatermarkGoesRawWithItsOriginalBytesAndTheMarkerBeforeIt() throws Exception {
        Recording out = new Recording(2);
        var h = writer(SLIDING, 0, out, 100);
        h.processElement(event(10_000, "a"), 10_000, "a");
        h.processWatermark(9_000); // the first watermark: markers
        h.processWatermark(9_100); // crosses no firing time (..., 8_999, 9_999): coalesced
        out.sent.clear();
        Event late = event(8_500, "a");
        h.processElement(late, 8_500, "a");
        // The watermark moved since the last marker, so the markers (one per partition) come first.
        assertThat(out.sent).hasSize(3);
        assertThat(out.sent.get(0).kind()).isEqualTo(ShuffleRecords.MARKER);
        assertThat(ShuffleRecords.markerWatermark(out.sent.get(0).value(), 0)).isEqualTo(9_100);
        Sent raw = out.sent.get(2);
        assertThat(raw.kind()).isEqualTo(ShuffleRecords.RAW);
        assertThat(raw.key()).isEqualTo("a");
        assertThat(ShuffleRecords.rawTimestamp(raw.value(), 0)).isEqualTo(8_500);
        assertThat(new String(raw.value(), ShuffleRecords.RAW_HEADER, raw.value().length - ShuffleRecords.RAW_HEADER,
                StandardCharsets.UTF_8)).isEqualTo("{\"timestamp\":8500,\"message\":\"a\"}");
    }

    @Test
    void sessionWindowsGoRaw() throws Exception {
        Recording out = new Recording(1);
        var h = writer(WindowAssigner.session(1_000), 0, out, 100);
        h.processElement(event(5_000, "a"), 5_000, "a");
        // The first record also tells the keyed side this partition exists (no watermark yet).
        assertThat(out.sent).extracting(Sent::kind).containsExactly(ShuffleRecords.MARKER, ShuffleRecords.RAW);
        assertThat(ShuffleRecords.markerWatermark(out.sent.get(0).value(), 0)).isEqualTo(Long.MIN_VALUE);
        h.processElement(event(5_001, "a"), 5_001, "a");
        assertThat(out.sent).extracting(Sent::kind).endsWith(ShuffleRecords.RAW, ShuffleRecords.RAW);
    }

    private static final JobSpec SPEC = JobSpec.defaults().withTypes(null)
            .withWindow(WindowSpec.sliding(3_000, 1_000, 0)).withOutOfOrdernessMs(0).withAllowedLatenessMs(1_000);

    private static KeyedStage<WindowResult> keyed(int topics, List<String> results, List<String> late) {
        return ShuffledJob.of(SPEC).keyedStage(topics, w -> results.add(w.toString()),
                b -> late.add(new String(b, StandardCharsets.UTF_8)));
    }

    private static OneInputOperatorHarness<Object, Object> source(String topic, int partition, int total,
                                                                   Recording out) {
        return source(SPEC, topic, partition, total, out);
    }

    private static OneInputOperatorHarness<Object, Object> source(JobSpec spec, String topic, int partition, int total,
                                                                   Recording out) {
        return OneInputOperatorHarness.of((Output<Object> o) -> new ShuffleWriter(topic, partition, total,
                ShuffleRecords.jobHash(ShuffledJob.of(spec).keyedFingerprint()), spec.window().assigner(),
                spec.allowedLatenessMs(), ShuffledJob.partialStore(AggregateSpec.Kind.COUNT), out, 100, o));
    }

    @Test
    void aPartitionAddedToTheInputWhileTheJobRunsJoinsTheKeyedTasksWatermark() throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(1);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late)};
        var p0 = source("in", 0, 2, out);
        var p1 = source("in", 1, 2, out);
        p0.processWatermark(5_000);
        p1.processWatermark(5_000);
        assertThat(out.keyed[0].watermark()).isEqualTo(5_000);
        // The topic grew to 3: the new partition's task says so (KafkaJob.sourcePartitions), the old ones still say 2.
        var p2 = source("in", 2, 3, out);
        p2.processElement(event(5_500, "a"), 5_500, "a");
        p2.processWatermark(5_200);
        p0.processWatermark(9_000);
        p1.processWatermark(9_000);
        assertThat(out.keyed[0].watermark()).as("held by the new partition").isEqualTo(5_200);
        assertThat(out.keyed[0].sources().partitionWatermark("in", 2)).isEqualTo(5_200);
        p2.processWatermark(9_000);
        assertThat(out.keyed[0].watermark()).isEqualTo(9_000);
        assertThat(results).as("the new partition's event is in its three windows, not late").hasSize(3);
        assertThat(late).isEmpty();
    }

    @Test
    void aSourceTaskRestoredAfterItsTopicGrewAnnouncesTheNewCountAndOtherPartitionsAreStillRefused() throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(1);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late)};
        var before = source("in", 0, 2, out);
        before.processElement(event(1_500, "a"), 1_500, "a").processWatermark(1_000);
        var snapshot = before.snapshot();
        // The task moved after the topic grew to 3: its new owner makes it with the new count.
        var grown = source("in", 0, 3, out).restored(snapshot);
        source("in", 1, 3, out).processWatermark(9_000);
        grown.processWatermark(9_000);
        assertThat(out.keyed[0].watermark()).as("held: partition 2 has not reported").isEqualTo(Long.MIN_VALUE);
        source("in", 2, 3, out).processWatermark(9_000);
        assertThat(out.keyed[0].watermark()).isEqualTo(9_000);
        assertThat(results).as("the restored partial's three windows").hasSize(3);
        // Made with the old count after a snapshot of the new one (a stale count): keeps the larger.
        var stale = source("in", 0, 2, out).restored(grown.snapshot());
        out.sent.clear();
        stale.endInput();
        assertThat(out.sent).filteredOn(sent -> sent.kind() == ShuffleRecords.MARKER)
                .allMatch(sent -> ShuffleRecords.markerTotal(sent.value(), 0) == 3);
        assertThatThrownBy(() -> source("in", 1, 3, out).restored(snapshot))
                .hasMessageContaining("shuffle writer state of source in/0/2 restored into in/1/3");
    }

    @Test
    void aKeyedTaskRefusesTheMarkersOfAnInstanceRunningOtherJobFlagsBeforeMergingAnyOfItsPartials() throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(1);
        out.keyed = new KeyedStage<?>[] {keyed(2, results, late)};
        var same = source("in", 0, 2, out);
        // The other instance's window: its 5 s panes would merge into this job's 1 s panes without a word.
        var other = source(SPEC.withWindow(WindowSpec.tumbling(5_000, 0)), "in", 1, 2, out);
        for (int i = 0; i < 50; i++) {
            same.processElement(event(i * 100L, "a"), i * 100L, "a");
        }
        same.processWatermark(4_000);
        for (int i = 0; i < 50; i++) {
            other.processElement(event(i * 100L, "a"), i * 100L, "a");
        }
        // Its pane closes: the marker naming its job goes out before the pane's partial.
        assertThatThrownBy(() -> other.processWatermark(5_000))
                .isInstanceOf(KeyedStage.OtherJobException.class)
                .hasMessageContaining("a source task of in/1 runs another job")
                .hasMessageContaining("window=sliding:3s:1s")
                .hasMessageContaining("--group-id");
        assertThat(out.keyed[0].windowOperator().openPanes()).as("only this job's partials merged")
                .isEqualTo(4);
    }

    @Test
    void eachKeyedTaskFilesItsOpenWindowsByTaskAndTheTotalsAddThemUp() throws Exception {
        io.flinklite.runtime.metrics.JobMetrics metrics = new io.flinklite.runtime.metrics.JobMetrics();
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(3);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late), keyed(1, results, late), keyed(1, results, late)};
        for (int p = 0; p < 3; p++) {
            out.keyed[p].windowOperator().reportGaugesTo(metrics.windowTask("r/" + p));
        }
        var src = source("in", 0, 1, out);
        for (int i = 0; i < 400; i++) {
            String key = "k" + (i % 12);
            long ts = i * 100L;
            src.processElement(event(ts, key), ts, key);
            src.processWatermark(ts - 2_000);
        }
        long windows = 0;
        long panes = 0;
        int tasksWithWindows = 0;
        for (KeyedStage<?> k : out.keyed) {
            k.publishMetrics(metrics);
            windows += k.windowOperator().openWindows();
            panes += k.windowOperator().openPanes();
            tasksWithWindows += k.windowOperator().openWindows() > 0 ? 1 : 0;
        }
        assertThat(tasksWithWindows).as("keys spread over the keyed tasks").isGreaterThan(1);
        assertThat(metrics.windowTasks()).containsOnlyKeys("r/0", "r/1", "r/2");
        for (int p = 0; p < 3; p++) {
            assertThat(metrics.windowTasks().get("r/" + p).openWindows()).as("task r/%d", p)
                    .isEqualTo(out.keyed[p].windowOperator().openWindows());
        }
        assertThat(metrics.openWindows()).as("the sum, not the last task's").isEqualTo(windows);
        assertThat(metrics.openPanes()).isEqualTo(panes);
        metrics.removeWindowTask("r/1");
        assertThat(metrics.openWindows()).as("a task that moved away no longer counts")
                .isEqualTo(windows - out.keyed[1].windowOperator().openWindows());
    }

    @Test
    void aKeyedTasksSnapshotSummaryCountsItsWindowsPanesKeysAndMarkerTable() throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(1);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late)};
        // Two source partitions; only partition 0 sends anything, so partition 1 has not reported.
        var src = source("in", 0, 2, out);
        for (int i = 0; i < 50; i++) {
            String key = "k" + (i % 3);
            src.processElement(event(i * 100L, key), i * 100L, key);
            src.processWatermark(i * 100L - 1_000);
        }
        src.endInput();
        KeyedStage<?> stage = out.keyed[0];
        io.flinklite.runtime.checkpoint.TapeStateWriter w = new io.flinklite.runtime.checkpoint.TapeStateWriter(1_024, 64);
        w.beginObject(null);
        w.writeLong("nextOffset", 7);
        w.beginObject(KeyedStage.SNAPSHOT_FIELD);
        stage.snapshotState(w);
        w.endObject();
        w.endObject();
        TaskStateSummary s = TaskStateSummary.of(w.finish());

        assertThat(s.kind()).isEqualTo(TaskStateSummary.Kind.KEYED);
        assertThat(s.openWindows()).isEqualTo(stage.windowOperator().openWindows()).isPositive();
        assertThat(s.openPanes()).isEqualTo(stage.windowOperator().openPanes()).isPositive();
        assertThat(s.keys()).isEqualTo(3);
        assertThat(s.watermarkMs()).isEqualTo(stage.watermark());
        assertThat(s.markers()).hasSize(2);
        assertThat(s.markers().get(0)).extracting(TaskStateSummary.Marker::topic, TaskStateSummary.Marker::partition,
                TaskStateSummary.Marker::reported).containsExactly("in", 0, true);
        assertThat(s.markers().get(1).reported()).as("partition 1 never sent a marker").isFalse();
        assertThat(TaskStateSummary.of(io.flinklite.runtime.checkpoint.StateTape.empty()).kind())
                .isEqualTo(TaskStateSummary.Kind.OTHER);
    }

    @Test
    void lateAtTheSourceIsJudgedAgainstTheJobsWatermarkOnTheKeyedSide() throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(1);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late)};
        var p0 = source("in", 0, 2, out);
        var p1 = source("in", 1, 2, out);
        p0.processElement(event(20_000, "a"), 20_000, "a").processWatermark(20_000);
        p1.processWatermark(4_000);
        // Behind partition 0's watermark, so raw; the job's watermark is partition 1's 4_000: on time.
        p0.processElement(event(5_000, "a"), 5_000, "a");
        assertThat(late).isEmpty();
        p1.processWatermark(30_000);
        p0.processWatermark(30_000);
        assertThat(results).contains(WindowResult.ofCount("a", 3_000, 6_000, 1).toString());
        // Now behind the job's watermark by more than the lateness: to the late output, as its original bytes.
        p0.processElement(event(5_000, "a"), 5_000, "a");
        assertThat(late).containsExactly("{\"timestamp\":5000,\"message\":\"a\"}");
        assertThat(out.keyed[0].windowOperator().lateElements()).isEqualTo(1);
    }

    @Test
    void theKeyedWatermarkIsHeldUntilEverySourcePartitionReportedAndIgnoresIdleOnes() throws Exception {
        List<String> results = new ArrayList<>();
        Recording out = new Recording(1);
        KeyedStage<WindowResult> k = keyed(2, results, new ArrayList<>());
        out.keyed = new KeyedStage<?>[] {k};
        var a0 = source("a", 0, 2, out);
        var a1 = source("a", 1, 2, out);
        var b0 = source("b", 0, 1, out);
        a0.processElement(event(1_000, "x"), 1_000, "x").processWatermark(50_000);
        b0.processWatermark(60_000);
        assertThat(k.watermark()).as("a/1 has not reported").isEqualTo(Long.MIN_VALUE);
        assertThat(results).isEmpty();
        a1.processWatermark(1_500);
        assertThat(k.watermark()).isEqualTo(1_500);
        assertThat(results).isEmpty();
        // a/1 turns idle: left out, the job's watermark is the others' minimum.
        ((ShuffleWriter) a1.operator()).processIdle(true);
        assertThat(k.watermark()).isEqualTo(50_000);
        assertThat(results).hasSize(3);
        // Back, behind: the job's watermark does not go back.
        ((ShuffleWriter) a1.operator()).processIdle(false);
        assertThat(k.watermark()).isEqualTo(50_000);
    }

    @Test
    void aSourceThatNeverReportedHoldsTheKeyedSideEvenWhenAllOthersAreIdle() throws Exception {
        SourceWatermarks t = new SourceWatermarks(1);
        t.update("a", 0, 2, 100, true);
        assertThat(t.watermark()).isEqualTo(Long.MIN_VALUE);
        t.update("a", 1, 2, 50, true);
        assertThat(t.allReported()).isTrue();
        assertThat(t.watermark()).as("all idle: no watermark").isEqualTo(Long.MIN_VALUE);
        t.update("a", 1, 2, 40, false);
        assertThat(t.watermark()).as("a partition's watermark never goes back").isEqualTo(50);
        t.update("a", 0, 3, 200, false);
        assertThat(t.watermark()).as("a grown topic waits for its new partition").isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void snapshotAndRestoreOfBothStagesMidStreamGiveTheSameResults() throws Exception {
        for (int seed = 0; seed < 40; seed++) {
            List<String> expected = runWithRestart(seed, -1);
            assertThat(expected).isNotEmpty();
            for (int cut : new int[] {1, 333, 1_000, 1_999}) {
                assertThat(runWithRestart(seed, cut)).as("seed %d cut at %d", seed, cut)
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    /** Two source partitions into three keyed tasks; at step {@code cut} every task is snapshotted and restored. */
    private static List<String> runWithRestart(int seed, int cut) throws Exception {
        Random r = new Random(seed);
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(3);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late), keyed(1, results, late), keyed(1, results, late)};
        List<OneInputOperatorHarness<Object, Object>> sources =
                new ArrayList<>(List.of(source("in", 0, 2, out), source("in", 1, 2, out)));
        long[] t = new long[2];
        for (int i = 0; i < 2_000; i++) {
            if (i == cut) {
                for (int s = 0; s < 2; s++) {
                    HarnessSnapshot snap = sources.get(s).snapshot();
                    sources.set(s, sources.get(s).restored(snap));
                }
                for (int p = 0; p < 3; p++) {
                    MemoryState state = new MemoryState();
                    StateWriter w = state.writer();
                    w.beginObject(null);
                    out.keyed[p].snapshotState(w);
                    w.endObject();
                    KeyedStage<WindowResult> fresh = keyed(1, results, late);
                    StateReader rd = state.reader();
                    rd.beginObject(null);
                    fresh.restoreState(rd);
                    rd.endObject();
                    out.keyed[p] = fresh;
                }
            }
            int s = r.nextInt(2);
            t[s] += r.nextInt(50);
            long ts = t[s] - r.nextInt(300);
            String key = "k" + r.nextInt(10);
            sources.get(s).processElement(event(ts, key), ts, key);
            if (r.nextInt(3) == 0) {
                sources.get(s).processWatermark(t[s] - 200);
            }
        }
        for (var src : sources) {
            src.endInput();
        }
        List<String> all = new ArrayList<>(results);
        for (String l : late) {
            all.add("late " + l);
        }
        return all;
    }

    @Test
    void aSourceTaskRestoredFromAnOlderSnapshotResendsWhatTheKeyedSideSkips() throws Exception {
        for (int seed = 0; seed < 20; seed++) {
            List<String> expected = runWithCrash(seed, -1, -1);
            for (int[] c : new int[][] {{0, 700}, {300, 1_200}, {1_000, 1_999}}) {
                assertThat(runWithCrash(seed, c[0], c[1])).as("seed %d snapshot %d crash %d", seed, c[0], c[1])
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        }
    }

    /**
     * Two source partitions into three keyed tasks that keep running; source 0 is snapshotted at step {@code snap},
     * "killed" at step {@code crash} and restored from that snapshot, replaying its input since then.
     */
    private static List<String> runWithCrash(int seed, int snap, int crash) throws Exception {
        Random r = new Random(seed);
        int n = 2_000;
        int[] src = new int[n];
        long[] ts = new long[n];
        String[] key = new String[n];
        long[] wm = new long[n];
        long[] t = new long[2];
        for (int i = 0; i < n; i++) {
            src[i] = r.nextInt(2);
            t[src[i]] += r.nextInt(50);
            ts[i] = t[src[i]] - r.nextInt(300);
            key[i] = "k" + r.nextInt(10);
            wm[i] = r.nextInt(3) == 0 ? t[src[i]] - 200 : Long.MIN_VALUE;
        }
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Recording out = new Recording(3);
        out.keyed = new KeyedStage<?>[] {keyed(1, results, late), keyed(1, results, late), keyed(1, results, late)};
        List<OneInputOperatorHarness<Object, Object>> sources =
                new ArrayList<>(List.of(source("in", 0, 2, out), source("in", 1, 2, out)));
        HarnessSnapshot snapshot = null;
        for (int i = 0; i < n; i++) {
            if (i == snap) {
                snapshot = sources.get(0).snapshot();
            }
            if (i == crash) {
                sources.set(0, sources.get(0).fresh().restored(snapshot));
                for (int j = snap; j < crash; j++) {
                    step(sources, src[j] == 0 ? j : -1, src, ts, key, wm);
                }
            }
            step(sources, i, src, ts, key, wm);
        }
        for (var s : sources) {
            s.endInput();
        }
        long skipped = 0;
        for (KeyedStage<?> k : out.keyed) {
            skipped += k.duplicatesSkipped();
            assertThat(k.sequenceGaps()).isZero();
        }
        assertThat(skipped > 0).as("resends skipped").isEqualTo(crash > snap);
        List<String> all = new ArrayList<>(results);
        for (String l : late) {
            all.add("late " + l);
        }
        return all;
    }

    private static void step(List<OneInputOperatorHarness<Object, Object>> sources, int i, int[] src, long[] ts,
                             String[] key, long[] wm) throws Exception {
        if (i < 0) {
            return;
        }
        var s = sources.get(src[i]);
        s.processElement(event(ts[i], key[i]), ts[i], key[i]);
        if (wm[i] != Long.MIN_VALUE) {
            s.processWatermark(wm[i]);
        }
    }
}
