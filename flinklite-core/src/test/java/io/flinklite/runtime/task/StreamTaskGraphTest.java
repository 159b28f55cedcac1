package io.flinklite.runtime.task;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Pipeline;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowAssigner;
import io.flinklite.api.WindowResult;
import io.flinklite.api.Windowed;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.graph.EventFormat;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.ElementFilter;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.OperatorTags;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.runtime.window.WindowOperator;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The task runs any job graph: several sources into one input (a union), two sinks, side outputs, two inputs. */
class StreamTaskGraphTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final DeadLetterHandler IGNORE = (partition, offset, payload, off, len, reason, detail) -> { };
    private static final EventFormat EVENTS = new EventFormat("message", null, TimestampSpec.defaults(), null);

    private static byte[][] lines(String... jsonLines) {
        byte[][] out = new byte[jsonLines.length][];
        for (int i = 0; i < jsonLines.length; i++) {
            out[i] = jsonLines[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static String event(long ts, String message) {
        return "{\"timestamp\":" + (T0 + ts) + ",\"message\":\"" + message + "\"}";
    }

    @Test
    void aUnionOfTwoSourcesHasTheMinimumOfTheirWatermarks() throws Exception {
        List<WindowResult> results = new ArrayList<>();
        JobGraph graph = JobGraph.builder()
                .source("left", EVENTS, 0, 0, false)
                .source("right", EVENTS, 0, 0, false)
                .operator("windows", out -> new WindowOperator(WindowAssigner.tumbling(10), 0,
                        new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out))
                .sink("results", (io.flinklite.api.Sink<WindowResult>) results::add, JobGraph.SinkKind.ELEMENTS)
                .edge("left", null, "windows", 1, (Event e) -> e.key())
                .edge("right", null, "windows", 1, (Event e) -> e.key())
                .edge("windows", "results")
                .fingerprint("union-test")
                .build();
        // The left source is polled first and runs far ahead; the right one's event at 2 ms is on time only because
        // the window's watermark is the minimum over both inputs (the right one has none yet).
        StreamTask task = new StreamTask(graph, List.of(
                new ArraySourceReader(lines(event(1, "a"), event(50, "a"))),
                new ArraySourceReader(lines(event(2, "a")))), TaskOptions.replay(), IGNORE, new JobMetrics());
        task.run();
        assertThat(results).containsExactly(
                WindowResult.ofCount("a", T0, T0 + 10, 2),
                WindowResult.ofCount("a", T0 + 50, T0 + 60, 1));
        assertThat(task.watermarkMs()).isEqualTo(Long.MAX_VALUE);
    }

    /** Keeps the events of key "a"; the runtime fuses it into its input edges. */
    private static final class KeepA implements OneInputOperator<Event>, ElementFilter<Event> {
        private final Output<Object> out;
        int dropped;

        KeepA(Output<Object> out) {
            this.out = out;
        }

        @Override
        public boolean keep(Event e) {
            if (e.key().equals("a")) {
                return true;
            }
            dropped++;
            return false;
        }

        @Override
        public void processElement(Event e, long timestampMs, String key) throws Exception {
            if (keep(e)) {
                out.emit(e, timestampMs);
            }
        }

        @Override
        public void processWatermark(long watermarkMs) throws Exception {
            out.emitWatermark(watermarkMs);
        }
    }

    @Test
    void aFilterFedByAUnionAndFeedingTwoWindowOperatorsKeepsTheSameElementsAndTheMinimumWatermark() throws Exception {
        List<WindowResult> first = new ArrayList<>();
        List<WindowResult> second = new ArrayList<>();
        KeepA[] filter = new KeepA[1];
        JobGraph graph = JobGraph.builder()
                .source("left", EVENTS, 0, 0, false)
                .source("right", EVENTS, 0, 0, false)
                .operator("keep-a", out -> filter[0] = new KeepA(out), false)
                .operator("w1", out -> new WindowOperator(WindowAssigner.tumbling(10), 0,
                        new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out))
                .operator("w2", out -> new WindowOperator(WindowAssigner.tumbling(10), 0,
                        new BuiltinAggregator(AggregateSpec.Kind.COUNT, out), out))
                .sink("first", (io.flinklite.api.Sink<WindowResult>) first::add, JobGraph.SinkKind.ELEMENTS)
                .sink("second", (io.flinklite.api.Sink<WindowResult>) second::add, JobGraph.SinkKind.ELEMENTS)
                .edge("left", "keep-a")
                .edge("right", "keep-a")
                .edge("keep-a", null, "w1", 1, (Event e) -> e.key())
                .edge("keep-a", null, "w2", 1, (Event e) -> e.key())
                .edge("w1", "first")
                .edge("w2", "second")
                .fingerprint("fused-filter-test")
                .build();
        // As in the union test: the right source's event at 2 ms is on time only through the filter's minimum.
        JobMetrics metrics = new JobMetrics();
        StreamTask task = new StreamTask(graph, List.of(
                new ArraySourceReader(lines(event(1, "a"), event(3, "b"), event(50, "a"))),
                new ArraySourceReader(lines(event(2, "a"), event(4, "b")))), TaskOptions.replay(), IGNORE, metrics);
        task.run();
        List<WindowResult> expected = List.of(WindowResult.ofCount("a", T0, T0 + 10, 2),
                WindowResult.ofCount("a", T0 + 50, T0 + 60, 1));
        assertThat(first).containsExactlyElementsOf(expected);
        assertThat(second).containsExactlyElementsOf(expected);
        assertThat(filter[0].dropped).isEqualTo(2);
        assertThat(metrics.resultsWritten()).as("two result operators, two results each").isEqualTo(4);
    }

    @Test
    void aUserJobWritesTheSameResultsToTwoSinksAndLateDataToTwoLateSinks() throws Exception {
        List<Windowed<Long>> first = new ArrayList<>();
        List<Windowed<Long>> second = new ArrayList<>();
        List<String> late1 = new ArrayList<>();
        List<String> late2 = new ArrayList<>();
        Job<Event, long[], Long> job = Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(0))
                .keyBy(Event::key)
                .window(WindowAssigner.tumbling(10))
                .sideOutputLateData(b -> late1.add(new String(b, StandardCharsets.UTF_8)))
                .sideOutputLateData(b -> late2.add(new String(b, StandardCharsets.UTF_8)))
                .aggregate(new Count(), new CountText())
                .sinkTo(first::add)
                .sinkTo(second::add);
        JobMetrics metrics = new JobMetrics();
        StreamTask task = StreamTask.forJob(job, TaskOptions.replay(), new ArraySourceReader(
                lines(event(1, "a"), event(3, "b"), event(20, "a"), event(4, "a"))), IGNORE, metrics);
        task.run();
        List<Windowed<Long>> expected = List.of(new Windowed<>("a", T0, T0 + 10, 1L),
                new Windowed<>("b", T0, T0 + 10, 1L), new Windowed<>("a", T0 + 20, T0 + 30, 1L));
        assertThat(first).containsExactlyInAnyOrderElementsOf(expected).hasSize(3);
        assertThat(second).isEqualTo(first);
        assertThat(late1).containsExactly(event(4, "a"));
        assertThat(late2).isEqualTo(late1);
        assertThat(metrics.eventsLate()).isEqualTo(1);
    }

    /** Records which input each element came by, and the watermarks it got. */
    static final class Recording implements TwoInputOperator<Event, Event> {
        final List<String> seen = new ArrayList<>();
        final Output<Object> output;

        Recording(Output<Object> output) {
            this.output = output;
        }

        @Override
        public void processElement1(Event element, long timestampMs, String key) throws Exception {
            seen.add("1:" + key + "@" + (timestampMs - T0));
            output.emitSide(OperatorTags.LATE_DATA, element, timestampMs);
        }

        @Override
        public void processElement2(Event element, long timestampMs, String key) {
            seen.add("2:" + key + "@" + (timestampMs - T0));
        }

        @Override
        public void processWatermark(long watermarkMs) {
            seen.add("W" + (watermarkMs == Long.MAX_VALUE ? "max" : String.valueOf(watermarkMs - T0)));
        }
    }

    @Test
    void aTwoInputOperatorGetsBothInputsAndTheMinimumWatermarkAndItsSideOutputReachesASink() throws Exception {
        List<Recording> made = new ArrayList<>();
        List<String> side = new ArrayList<>();
        JobGraph graph = JobGraph.builder()
                .source("left", EVENTS, 0, 0, false)
                .source("right", EVENTS, 0, 0, false)
                .operator("two", out -> {
                    Recording r = new Recording(out);
                    made.add(r);
                    return r;
                }, false)
                .sink("side", (io.flinklite.api.Sink<byte[]>) b -> side.add(new String(b, StandardCharsets.UTF_8)),
                        JobGraph.SinkKind.RECORDS)
                .edge("left", null, "two", 1, (Event e) -> e.key())
                .edge("right", null, "two", 2, (Event e) -> e.key())
                .edge("two", OperatorTags.LATE_DATA, "side", 1, null)
                .fingerprint("two-input-test")
                .build();
        new StreamTask(graph, List.of(new ArraySourceReader(lines(event(5, "x"), event(9, "y"))),
                new ArraySourceReader(lines(event(3, "z")))), TaskOptions.replay(), IGNORE, new JobMetrics()).run();
        // Left ends (its input counts as +infinity), but the operator's watermark waits for the right input.
        assertThat(made.get(0).seen).containsExactly("1:x@5", "1:y@9", "2:z@3", "W2", "Wmax");
        assertThat(side).containsExactly(event(5, "x"), event(9, "y"));
    }

    @Test
    void theBuiltInJobKeepsTheStateLayoutOfCheckpointsTakenBeforeJobGraphs() throws Exception {
        StreamTask task = StreamTask.forSpec(io.flinklite.job.JobSpec.defaults(), TaskOptions.replay(),
                new ArraySourceReader(lines(event(1, "critical"))), r -> { }, null, IGNORE, new JobMetrics());
        MemoryState state = new MemoryState();
        var w = state.writer();
        w.beginObject(null);
        task.snapshotState(w);
        w.endObject();
        String json = state.toJson();
        // Stateless operators (the type filter) write nothing; the window operator keeps the name "windows".
        assertThat(json).containsSubsequence("\"fingerprint\"", "\"watermarks\"", "\"windows\"", "\"positions\"");
        assertThat(json).doesNotContain("\"types\"").doesNotContain("late-types");
    }

    static final class Count implements AggregateFunction<Event, long[], Long> {
        @Override public long[] createAccumulator() { return new long[1]; }

        @Override public long[] add(Event value, long[] acc) { acc[0]++; return acc; }

        @Override public Long getResult(long[] acc) { return acc[0]; }

        @Override public long[] merge(long[] a, long[] b) { a[0] += b[0]; return a; }
    }

    static final class CountText implements AccumulatorSerializer<long[]> {
        @Override public String toText(long[] acc) { return Long.toString(acc[0]); }

        @Override public long[] fromText(String text) { return new long[] {Long.parseLong(text)}; }
    }
}
