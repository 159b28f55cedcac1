package io.flinklite.conformance;

import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.functions.JoinFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.streaming.api.functions.co.ProcessJoinFunction;
import org.apache.flink.util.Collector;

/**
 * Runs {@link JoinCase}s on Apache Flink 2.3 itself, each as the job a Flink user would write, at parallelism 1:
 * <pre>
 * left  = fromData(lines) -> flatMap(parse) -> assignTimestampsAndWatermarks(per event: W = max - B - 1) -> filter(types)
 * right = the same
 * interval: left.keyBy(key).intervalJoin(right.keyBy(key)).between(lower, upper).process(pair)
 * window:   left.join(right).where(key).equalTo(key).window(assigner).allowedLateness(L).apply(pair)
 *           -> process(append the output timestamp + 1: the window's end, as Flink stamps a window's output
 *              with its max timestamp)
 * </pre>
 * Flink's two sources run concurrently, so the interleaving of the inputs at the join is not defined; the cases are
 * generated so that it cannot matter (see {@link JoinCase}). Each pair is one line
 * {@code key \u0001 left line \u0001 right line [\u0001 window end]}; see {@link FlinkReference} for the watermark
 * flow and the shared cluster.
 */
final class FlinkJoinReference {
    static final String SEP = "\u0001";

    private FlinkJoinReference() {
    }

    /** Runs every case in one Flink job; returns each case's pair lines by case id. */
    static Map<String, List<String>> run(List<JoinCase> cases) throws Exception {
        if (cases.isEmpty()) {
            return Map.of();
        }
        String runId = UUID.randomUUID().toString();
        StreamExecutionEnvironment env = FlinkReference.newEnvironment();
        for (JoinCase c : cases) {
            addPipeline(env, c, runId + "/" + c.id());
        }
        FlinkReference.execute(env, "flinklite-conformance-joins (" + cases.size() + " cases)");
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (JoinCase c : cases) {
            List<String> lines = new ArrayList<>();
            for (Object o : FlinkReference.drain(runId + "/" + c.id())) {
                lines.add((String) o);
            }
            out.put(c.id(), lines);
        }
        return out;
    }

    private static DataStream<ReferenceEvent> input(StreamExecutionEnvironment env, List<String> lines, JobSpec spec,
                                                    String name) {
        // fromData refuses an empty collection; an input of one invalid line is an empty stream all the same.
        List<String> data = lines.isEmpty() ? List.of("not json: empty input") : lines;
        return env.fromData(data, Types.STRING).name(name)
                .flatMap(new FlinkReference.Parse(spec.keyField(), null))
                .returns(Types.POJO(ReferenceEvent.class))
                .assignTimestampsAndWatermarks(FlinkReference.perEventWatermarks(spec.outOfOrdernessMs()))
                .filter(new FlinkReference.TypeFilter(spec.types()));
    }

    private static void addPipeline(StreamExecutionEnvironment env, JoinCase c, String bucket) {
        JobSpec spec = c.spec();
        JoinSpec join = c.join();
        DataStream<ReferenceEvent> left = input(env, c.left(), spec, "left " + c.id());
        DataStream<ReferenceEvent> right = input(env, c.right(), spec, "right " + c.id());
        DataStream<String> pairs;
        if (join.isInterval()) {
            KeyedStream<ReferenceEvent, String> l = left.keyBy(new FlinkReference.KeyOf(), Types.STRING);
            KeyedStream<ReferenceEvent, String> r = right.keyBy(new FlinkReference.KeyOf(), Types.STRING);
            pairs = l.intervalJoin(r)
                    .between(Duration.ofMillis(join.lowerBoundMs()), Duration.ofMillis(join.upperBoundMs()))
                    .process(new IntervalPair(), Types.STRING);
        } else {
            pairs = left.join(right)
                    .where(new FlinkReference.KeyOf(), Types.STRING)
                    .equalTo(new FlinkReference.KeyOf())
                    .window(FlinkReference.assigner(join.window()))
                    .allowedLateness(Duration.ofMillis(spec.allowedLatenessMs()))
                    .apply(new WindowPair(), Types.STRING)
                    .process(new WithWindowEnd(), Types.STRING);
        }
        pairs.sinkTo(new FlinkReference.CollectingSink<>(bucket)).name("pairs " + c.id());
    }

    static String line(String key, String left, String right) {
        return key + SEP + left.strip() + SEP + right.strip();
    }

    static final class IntervalPair extends ProcessJoinFunction<ReferenceEvent, ReferenceEvent, String> {
        @Override
        public void processElement(ReferenceEvent left, ReferenceEvent right, Context ctx, Collector<String> out) {
            out.collect(line(left.key, left.line, right.line));
        }
    }

    static final class WindowPair implements JoinFunction<ReferenceEvent, ReferenceEvent, String> {
        @Override
        public String join(ReferenceEvent left, ReferenceEvent right) {
            return line(left.key, left.line, right.line);
        }
    }

    static final class WithWindowEnd extends ProcessFunction<String, String> {
        @Override
        public void processElement(String pair, Context ctx, Collector<String> out) {
            out.collect(pair + SEP + (ctx.timestamp() + 1));
        }
    }
}
