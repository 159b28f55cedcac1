package io.flinklite.runtime.task;

import io.flinklite.api.Collector;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.Pipeline;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.job.TimestampSpec;
import io.flinklite.runtime.graph.EventFormat;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The task closes every operator, and the user functions they run, once when it ends, whichever way it ends: the
 * last operator of the graph first, a failing close neither stopping the others nor hiding the error that ended the
 * run.
 */
class StreamTaskCloseTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final DeadLetterHandler IGNORE = (partition, offset, payload, off, len, reason, detail) -> { };
    private static final EventFormat EVENTS = new EventFormat("message", null, TimestampSpec.defaults(), null);

    private final List<String> calls = new ArrayList<>();

    private static byte[][] lines(String... messages) {
        byte[][] out = new byte[messages.length][];
        for (int i = 0; i < messages.length; i++) {
            out[i] = ("{\"timestamp\":" + (T0 + i) + ",\"message\":\"" + messages[i] + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    /** Passes elements on; records its close, and fails it or an element when told to. */
    private final class Named implements OneInputOperator<Event> {
        private final String name;
        private final Output<Object> out;
        private final String failOnKey;
        private final boolean failClose;

        Named(String name, Output<Object> out, String failOnKey, boolean failClose) {
            this.name = name;
            this.out = out;
            this.failOnKey = failOnKey;
            this.failClose = failClose;
        }

        @Override
        public void processElement(Event element, long timestampMs, String key) throws Exception {
            if (element.key().equals(failOnKey)) {
                throw new IllegalStateException(name + " cannot take " + failOnKey);
            }
            out.emit(element, timestampMs);
        }

        @Override
        public void processWatermark(long watermarkMs) throws Exception {
            out.emitWatermark(watermarkMs);
        }

        @Override
        public void close() {
            calls.add("close " + name);
            if (failClose) {
                throw new IllegalArgumentException(name + " failed to close");
            }
        }
    }

    /** source → first → second → third → sink, with the given failures. */
    private StreamTask chain(String failOnKey, String failingClose, String... messages) {
        List<String> sunk = new ArrayList<>();
        JobGraph.Builder b = JobGraph.builder().source("events", EVENTS, 0, 0, false);
        for (String name : List.of("first", "second", "third")) {
            b.operator(name, out -> new Named(name, out, name.equals("second") ? failOnKey : null,
                    name.equals(failingClose)), false);
        }
        JobGraph graph = b.sink("results", (io.flinklite.api.Sink<Event>) e -> sunk.add(e.key()), JobGraph.SinkKind.ELEMENTS)
                .edge("events", "first").edge("first", "second").edge("second", "third").edge("third", "results")
                .fingerprint("close-test")
                .build();
        return new StreamTask(graph, List.of(new ArraySourceReader(lines(messages))), TaskOptions.replay(), IGNORE,
                new JobMetrics());
    }

    @Test
    void afterTheInputEndedEveryOperatorIsClosedOnceLastFirst() throws Exception {
        StreamTask task = chain(null, null, "a", "b");
        task.run();
        assertThat(calls).isEmpty();
        task.close();
        task.close();
        assertThat(calls).containsExactly("close third", "close second", "close first");
    }

    @Test
    void aFailedRunStillClosesEveryOperatorAndItsErrorIsTheOneThrown() {
        assertThatThrownBy(() -> {
            try (StreamTask task = chain("boom", "first", "a", "boom")) {
                task.run();
            }
        }).isInstanceOf(IllegalStateException.class).hasMessage("second cannot take boom")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("first failed to close")));
        assertThat(calls).containsExactly("close third", "close second", "close first");
    }

    @Test
    void aFailingCloseDoesNotKeepTheOthersOpenAndIsThrownAfterThem() throws Exception {
        StreamTask task = chain(null, "third", "a");
        task.run();
        assertThatThrownBy(task::close).hasMessage("third failed to close");
        assertThat(calls).containsExactly("close third", "close second", "close first");
        task.close();
        assertThat(calls).hasSize(3);
    }

    @Test
    void aStoppedTaskClosesItsOperatorsToo() throws Exception {
        StreamTask task = chain(null, null, "a");
        task.stop();
        task.run();
        task.close();
        assertThat(calls).containsExactly("close third", "close second", "close first");
    }

    /** Records its open and close. */
    private final class Opened extends KeyedProcessFunction<Event, String> {
        @Override
        public void open(RuntimeContext context) {
            calls.add("open");
        }

        @Override
        public void processElement(Event value, Context ctx, Collector<String> out) {
            out.collect(value.key());
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void aProcessFunctionIsClosedOnceWhenTheTaskEnds() throws Exception {
        List<String> out = new ArrayList<>();
        Job<Event, Void, String> job = Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(0))
                .keyBy(Event::key)
                .process(new Opened())
                .sinkTo(out::add);
        try (StreamTask task = StreamTask.forJob(job, TaskOptions.replay(), new ArraySourceReader(lines("a", "b")),
                IGNORE, new JobMetrics())) {
            task.run();
            assertThat(calls).containsExactly("open");
        }
        assertThat(out).containsExactly("a", "b");
        assertThat(calls).containsExactly("open", "close");
    }

    @Test
    void aProcessFunctionWhoseOpenFailsIsClosedAndTheOpenFailureIsTheError() {
        KeyedProcessFunction<Event, String> failing = new KeyedProcessFunction<>() {
            @Override
            public void open(RuntimeContext context) {
                throw new IllegalStateException("no connection");
            }

            @Override
            public void processElement(Event value, Context ctx, Collector<String> out) {
            }

            @Override
            public void close() {
                calls.add("close");
                throw new IllegalArgumentException("nothing to close");
            }
        };
        Job<Event, Void, String> job = Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(0))
                .keyBy(Event::key)
                .process(failing)
                .sinkTo(s -> { });
        assertThatThrownBy(() -> StreamTask.forJob(job, TaskOptions.replay(), new ArraySourceReader(lines("a")), IGNORE,
                new JobMetrics())).hasMessage("no connection")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("nothing to close")));
        assertThat(calls).containsExactly("close");
    }
}
