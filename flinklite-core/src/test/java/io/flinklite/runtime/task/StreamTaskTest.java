package io.flinklite.runtime.task;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.Pipeline;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.flinklite.api.WindowResult.ofCount;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamTaskTest {
    private final List<WindowResult> results = new ArrayList<>();
    private final List<String> deadLetters = new ArrayList<>();
    private final JobMetrics metrics = new JobMetrics();
    private final JobSpec tumbling = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0);

    private static String ev(long ts, String message) {
        return "{\"timestamp\":" + ts + ",\"message\":\"" + message + "\"}";
    }

    private StreamTask task(JobSpec spec, ScriptedSource source, TaskOptions options) {
        return StreamTask.forSpec(spec, options.withClock(() -> source.clock[0]), source, results::add, null,
                (p, o, payload, off, len, reason, detail) -> deadLetters.add(p + "@" + o + " " + reason.label()), metrics);
    }

    @Test
    void theSlowestPartitionHoldsWindowsBackUntilItCatchesUp() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0).assign(1)
                .batch(0, ev(1_000, "critical"), 0, ev(25_000, "critical"), 1, ev(2_000, "critical"))
                .batch(1, ev(12_000, "critical"));
        List<Integer> seenAfterBatch = new ArrayList<>();
        StreamTask task = task(tumbling, source, TaskOptions.replay());
        task.addHook((t, now) -> seenAfterBatch.add(results.size()));
        task.run();
        // After batch 1 partition 1 is at 2_000: nothing fires. After batch 2 it is at 12_000: [0, 10_000) fires.
        assertThat(seenAfterBatch).containsExactly(0, 1, 3);
        assertThat(results).containsExactly(ofCount("critical", 0, 10_000, 2), ofCount("critical", 10_000, 20_000, 1),
                ofCount("critical", 20_000, 30_000, 1));
    }

    @Test
    void anIdlePartitionStopsHoldingTheWatermarkBack() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0).assign(1)
                .batch(0, ev(1_000, "critical"), 1, ev(500, "critical"))
                .idleUntil(20_000)
                .batch(0, ev(20_000, "critical"))   // seen at wall clock 20_000
                .idleUntil(29_999)                  // partition 1 silent since 0: not yet idle
                .idleUntil(30_000);                 // now it is; partition 0 is not
        List<Long> watermarks = new ArrayList<>();
        StreamTask task = task(tumbling, source, TaskOptions.replay().withIdleTimeoutMs(30_000));
        task.addHook((t, now) -> watermarks.add(t.watermarkMs()));
        task.run();
        assertThat(watermarks).containsExactly(499L, 499L, 499L, 499L, 19_999L, Long.MAX_VALUE);
        assertThat(metrics.partitions()).extracting(JobMetrics.PartitionStats::idle).containsExactly(false, true);
    }

    @Test
    void aPartitionWithRecordsStillToReadIsSlowNotIdle() throws Exception {
        // Partition 1's first fetch is slow: it has records waiting (lag 1) but delivers nothing for longer than the
        // idle timeout. Declaring it idle would let partition 0 close [0, 10_000) and make its record late.
        ScriptedSource source = new ScriptedSource().assign(0).assign(1).withLag(1, 1)
                .batch(0, ev(1_000, "critical"), 0, ev(20_000, "critical"))
                .idleUntil(60_000)
                .withLag(1, 0)
                .batch(1, ev(2_000, "critical"))
                .idleUntil(60_001);
        List<Long> watermarks = new ArrayList<>();
        StreamTask task = task(tumbling, source, TaskOptions.replay().withIdleTimeoutMs(30_000));
        task.addHook((t, now) -> watermarks.add(t.watermarkMs()));
        task.run();
        assertThat(watermarks).containsExactly(Long.MIN_VALUE, Long.MIN_VALUE, 1_999L, 1_999L, Long.MAX_VALUE);
        assertThat(metrics.eventsLate()).isZero();
        assertThat(results).contains(ofCount("critical", 0, 10_000, 2));
    }

    @Test
    void aRevokedPartitionNoLongerHoldsTheWatermark() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0).assign(1)
                .batch(0, ev(15_000, "critical"), 1, ev(1_000, "critical"))
                .revoke(1)
                .batch(0, ev(15_001, "critical"));
        List<Long> watermarks = new ArrayList<>();
        StreamTask task = task(tumbling, source, TaskOptions.replay());
        task.addHook((t, now) -> watermarks.add(t.watermarkMs()));
        task.run();
        assertThat(watermarks.get(0)).isEqualTo(999L);
        assertThat(watermarks.get(1)).isEqualTo(15_000L);
        assertThat(task.positions()).containsOnlyKeys(0);
    }

    @Test
    void invalidRecordsAreCountedByReasonAndDeadLettered() throws Exception {
        ScriptedSource source = new ScriptedSource().assign(0)
                .batch(0, "nope", 0, ev(1_000, "critical"), 0, "{\"timestamp\":9999999999999999,\"message\":\"critical\"}",
                        0, "{\"timestamp\":5}", 0, ev(1_000, "info"));
        StreamTask task = task(tumbling, source, TaskOptions.defaults().withClock(() -> 0L).withPollTimeoutMs(0));
        task.run();
        assertThat(deadLetters).containsExactly("0@0 not_json", "0@2 absurd_timestamp", "0@3 missing_key");
        assertThat(metrics.eventsInvalid(InvalidReason.NOT_JSON)).isEqualTo(1);
        assertThat(metrics.eventsInvalid(InvalidReason.ABSURD_TIMESTAMP)).isEqualTo(1);
        assertThat(metrics.eventsInvalid(InvalidReason.MISSING_KEY)).isEqualTo(1);
        assertThat(metrics.eventsTotal()).isEqualTo(5);
        assertThat(metrics.eventsAccepted()).isEqualTo(1);
        assertThat(metrics.eventsFiltered()).isEqualTo(1);
        assertThat(metrics.windowsFlushed()).isEqualTo(1);
        assertThat(metrics.watermarkMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(metrics.openPanes()).isZero();
    }

    @Test
    void snapshotBetweenBatchesRestoresStateWatermarksAndPositions() throws Exception {
        JobSpec spec = JobSpec.defaults().withOutOfOrdernessMs(1_000).withAllowedLatenessMs(2_000);
        Object[] first = {0, ev(1_000, "critical"), 1, ev(3_000, "important"), 0, ev(12_000, "critical")};
        Object[] second = {1, ev(9_000, "important"), 1, ev(14_000, "important"), 0, ev(30_000, "critical"),
                1, ev(31_000, "critical")};

        // Uninterrupted run.
        ScriptedSource all = new ScriptedSource().assign(0).assign(1).batch(first).batch(second);
        task(spec, all, TaskOptions.replay()).run();
        List<WindowResult> expected = new ArrayList<>(results);
        results.clear();

        // Run the first batch, snapshot from the hook, stop.
        MemoryState state = new MemoryState();
        ScriptedSource before = new ScriptedSource().assign(0).assign(1).batch(first).batch(second);
        StreamTask t1 = task(spec, before, TaskOptions.replay());
        t1.addHook((t, now) -> {
            StateWriter w = state.writer();
            w.beginObject(null);
            t.snapshotState(w);
            w.endObject();
            t.stop();
        });
        t1.run();
        assertThat(state.toJson()).contains("\"positions\"").contains("\"maxTimestamp\": 12000");

        // Restore into a fresh task whose source continues from the positions.
        ScriptedSource after = new ScriptedSource().assign(0).assign(1).batch(second);
        StreamTask t2 = task(spec, after, TaskOptions.replay());
        StateReader r = state.reader();
        r.beginObject(null);
        t2.restoreState(r);
        r.endObject();
        assertThat(after.restored).isEqualTo(Map.of(0, 2L, 1, 1L));
        t2.run();
        assertThat(results).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void restoreRefusesAnotherJobsState() {
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        task(tumbling, new ScriptedSource(), TaskOptions.replay()).snapshotState(w);
        w.endObject();
        StreamTask other = task(JobSpec.defaults(), new ScriptedSource(), TaskOptions.replay());
        StateReader r = state.reader();
        r.beginObject(null);
        assertThatThrownBy(() -> other.restoreState(r)).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("another job");
    }

    /** Average of the value field, as "count,sum". */
    static final class Avg implements AggregateFunction<Event, double[], Double> {
        @Override public double[] createAccumulator() { return new double[2]; }
        @Override public double[] add(Event e, double[] acc) { acc[0]++; acc[1] += e.value(); return acc; }
        @Override public Double getResult(double[] acc) { return acc[1] / acc[0]; }
        @Override public double[] merge(double[] a, double[] b) { a[0] += b[0]; a[1] += b[1]; return a; }
    }

    static final class AvgSerializer implements AccumulatorSerializer<double[]> {
        @Override public String toText(double[] acc) { return acc[0] + "," + acc[1]; }
        @Override public double[] fromText(String text) {
            String[] p = text.split(",");
            return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
        }
    }

    @Test
    void runsAUserPipeline() throws Exception {
        List<Windowed<Double>> out = new ArrayList<>();
        List<String> lateOut = new ArrayList<>();
        Job<Event, double[], Double> job = Pipeline.fromEvents("kind", "amount", WatermarkStrategy.forBoundedOutOfOrderness(0))
                .filter(e -> e.value() >= 0)
                .keyBy(Event::key)
                .window(WindowAssigner.tumbling(10))
                .sideOutputLateData(b -> lateOut.add(new String(b)))
                .aggregate(new Avg(), new AvgSerializer())
                .sinkTo(out::add);
        ScriptedSource source = new ScriptedSource().assign(0).batch(
                0, "{\"timestamp\":1,\"kind\":\"a\",\"amount\":2}",
                0, "{\"timestamp\":2,\"kind\":\"a\",\"amount\":-5}",
                0, "{\"timestamp\":3,\"kind\":\"a\",\"amount\":4}",
                0, "{\"timestamp\":4,\"kind\":\"a\"}",
                0, "{\"timestamp\":10,\"kind\":\"b\",\"amount\":1}",
                0, "{\"timestamp\":5,\"kind\":\"a\",\"amount\":1}");
        StreamTask.forJob(job, TaskOptions.replay(), source, DeadLetterHandler.DISCARD, metrics).run();
        assertThat(out).containsExactlyInAnyOrder(new Windowed<>("a", 0, 10, 3.0), new Windowed<>("b", 10, 20, 1.0));
        assertThat(lateOut).containsExactly("{\"timestamp\":5,\"kind\":\"a\",\"amount\":1}");
        assertThat(metrics.eventsInvalid(InvalidReason.BAD_VALUE)).isEqualTo(1);
        assertThat(metrics.eventsFiltered()).isEqualTo(1);
        assertThat(metrics.eventsLate()).isEqualTo(1);
    }
}
