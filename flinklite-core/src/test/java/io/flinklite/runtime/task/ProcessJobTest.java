package io.flinklite.runtime.task;

import io.flinklite.api.Collector;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Pipeline;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.StateTape;
import io.flinklite.runtime.checkpoint.TapeStateReader;
import io.flinklite.runtime.checkpoint.TapeStateWriter;
import io.flinklite.runtime.json.CheckpointJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A user job with a {@link KeyedProcessFunction} ({@code keyBy(..).process(..)}) through the task: elements from the
 * source to the function to the sinks, timers fired by the source's watermarks, and its state and pending timers
 * carried across a checkpoint (written as the checkpoint file is, and read back) into a fresh task.
 */
class ProcessJobTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final DeadLetterHandler IGNORE = (partition, offset, payload, off, len, reason, detail) -> { };
    private static final OutputTag<String> FIRST_SEEN = new OutputTag<>("first-seen");

    /** Alerts when a key has seen nothing for 10 s of event time; reports a key's first event on a side output. */
    static final class Silence extends KeyedProcessFunction<Event, String> {
        private ValueState<Long> lastSeen;
        private ValueState<Long> count;

        @Override
        public void open(RuntimeContext context) {
            lastSeen = context.getState(new ValueStateDescriptor<>("last-seen", StateSerializer.longs()));
            count = context.getState(new ValueStateDescriptor<>("count", StateSerializer.longs()));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<String> out) {
            Long previous = lastSeen.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + 10_000);
            } else {
                ctx.output(FIRST_SEEN, ctx.getCurrentKey() + "@" + (ctx.timestamp() - T0));
            }
            lastSeen.update(ctx.timestamp());
            Long n = count.value();
            count.update(n == null ? 1 : n + 1);
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 10_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect(ctx.getCurrentKey() + " silent at " + (timestamp - T0) + " after " + count.value()
                    + " events, watermark " + (ctx.timerService().currentWatermark() == Long.MAX_VALUE ? "end"
                    : String.valueOf(ctx.timerService().currentWatermark() - T0)));
            lastSeen.clear();
            count.clear();
        }
    }

    private static String ev(long ts, String key) {
        return "{\"timestamp\":" + (T0 + ts) + ",\"message\":\"" + key + "\"}";
    }

    private final List<String> alerts = new ArrayList<>();
    private final List<String> firstSeen = new ArrayList<>();

    private Job<Event, Void, String> job() {
        return Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(1_000))
                .filter(e -> !e.key().equals("ignored"))
                .keyBy(Event::key)
                .process(new Silence())
                .sideOutputTo(FIRST_SEEN, firstSeen::add)
                .sinkTo(alerts::add);
    }

    private static final Object[] FIRST = {0, ev(1_000, "a"), 0, ev(2_000, "b"), 0, ev(5_000, "a"),
            0, ev(9_000, "ignored")};
    private static final Object[] SECOND = {0, ev(13_000, "c"), 0, ev(16_500, "a"), 0, ev(30_000, "c")};

    @Test
    void elementsReachTheFunctionAndTimersFireAsTheSourcesWatermarkPassesThem() throws Exception {
        StreamTask task = StreamTask.forJob(job(), TaskOptions.replay(),
                new ScriptedSource().assign(0).batch(FIRST).batch(SECOND), IGNORE, new JobMetrics());
        task.run();
        // Watermark = max - 1 s - 1 ms, advanced after each record (the filtered one's too). b's timer (12 s) fires
        // at the watermark after a's event at 16.5 s; a's first timer (11 s) was replaced at 5 s and its second
        // (15 s) at 16.5 s; c's first (23 s) was replaced at 30 s; the rest fire at the end of the input.
        assertThat(alerts).containsExactly(
                "b silent at 12000 after 1 events, watermark 15499",
                "a silent at 26500 after 3 events, watermark 28999",
                "c silent at 40000 after 2 events, watermark end");
        assertThat(firstSeen).containsExactly("a@1000", "b@2000", "c@13000");
    }

    @Test
    void stateAndPendingTimersSurviveACheckpointIntoAFreshTask() throws Exception {
        StreamTask uninterrupted = StreamTask.forJob(job(), TaskOptions.replay(),
                new ScriptedSource().assign(0).batch(FIRST).batch(SECOND), IGNORE, new JobMetrics());
        uninterrupted.run();
        List<String> expected = new ArrayList<>(alerts);
        List<String> expectedFirst = new ArrayList<>(firstSeen);
        alerts.clear();
        firstSeen.clear();

        // The first batch, then a checkpoint as the checkpoint file holds it, then stop.
        byte[][] file = new byte[1][];
        StreamTask before = StreamTask.forJob(job(), TaskOptions.replay(),
                new ScriptedSource().assign(0).batch(FIRST).batch(SECOND), IGNORE, new JobMetrics());
        before.addHook((t, now) -> {
            TapeStateWriter w = new TapeStateWriter(1024, 64);
            w.beginObject(null);
            t.snapshotState(w);
            w.endObject();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            CheckpointJson.write(new Checkpoint(1, 0, T0, t.fingerprint(), "at-least-once", List.of(),
                    t.watermarkMs(), w.finish(), List.of()), bytes);
            file[0] = bytes.toByteArray();
            t.stop();
        });
        before.run();
        String json = new String(file[0], java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).contains("\"last-seen\"", "\"timers\"", "\"b\"");
        assertThat(alerts).isEmpty();

        ScriptedSource rest = new ScriptedSource().assign(0).batch(SECOND);
        StreamTask after = StreamTask.forJob(job(), TaskOptions.replay(), rest, IGNORE, new JobMetrics());
        StateTape state = CheckpointJson.read(file[0]).state();
        TapeStateReader r = new TapeStateReader(state);
        r.beginObject(null);
        after.restoreState(r);
        r.endObject();
        assertThat(rest.restored).isEqualTo(Map.of(0, 4L));
        after.run();
        assertThat(alerts).isEqualTo(expected);
        assertThat(firstSeen).isEqualTo(expectedFirst);
    }

    @Test
    void aCheckpointOfAnotherProcessFunctionIsRefused() throws Exception {
        TapeStateWriter w = new TapeStateWriter(1024, 64);
        StreamTask task = StreamTask.forJob(job(), TaskOptions.replay(),
                new ScriptedSource().assign(0).batch(FIRST), IGNORE, new JobMetrics());
        task.run();
        w.beginObject(null);
        task.snapshotState(w);
        w.endObject();
        Job<Event, Void, String> other = Pipeline.fromEvents("message", null,
                        WatermarkStrategy.forBoundedOutOfOrderness(1_000))
                .keyBy(Event::key)
                .process(new KeyedProcessFunction<Event, String>() {
                    @Override
                    public void processElement(Event value, Context ctx, Collector<String> out) {
                    }
                })
                .sinkTo(alerts::add);
        StreamTask otherTask = StreamTask.forJob(other, TaskOptions.replay(), new ScriptedSource(), IGNORE,
                new JobMetrics());
        TapeStateReader r = new TapeStateReader(w.finish());
        r.beginObject(null);
        assertThatThrownBy(() -> otherTask.restoreState(r)).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("another job");
    }
}
