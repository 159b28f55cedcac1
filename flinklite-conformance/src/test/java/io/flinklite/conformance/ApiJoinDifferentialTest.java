package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinklite.api.Collector;
import io.flinklite.api.DataStream;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.Pipeline;
import io.flinklite.api.ProcessJoinFunction;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The joins of the Java API ({@code intervalJoin(..).between(..).process(..)} and
 * {@code join(..).where(..).equalTo(..).window(..).apply(..)}, run by the task on the graph {@link JobGraphs#of}
 * makes, each side its own source) against Apache Flink 2.3 on {@link JoinDifferentialTest}'s randomized cases
 * without late elements: equal multisets of {@code key | left | right}. A {@link io.flinklite.api.JoinFunction}, as
 * Flink's, does not see its window, so window pairs are compared without the window end (the built-in join's test
 * checks those).
 *
 * <p>Knobs: {@code conformance.apijoins.seed} (first seed, random by default and printed),
 * {@code conformance.apijoins.cases} (default {@value #DEFAULT_CASES}).
 */
class ApiJoinDifferentialTest {
    static final int DEFAULT_CASES = 200;

    private final Map<Long, List<String>> flinkPairs = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> apiJoinsMatchFlinkOnRandomizedStreams() {
        long first = Long.getLong("conformance.apijoins.seed", (System.nanoTime() & 0xFFFF_FFFFL) * 1_000);
        int cases = Integer.getInteger("conformance.apijoins.cases", DEFAULT_CASES);
        System.out.println("API join differential tests: " + cases + " cases from seed " + first
                + " (repeat with -Dconformance.apijoins.seed=" + first + " -Dconformance.apijoins.cases=" + cases + ")");
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < cases; i++) {
            seeds.add(first + i);
        }
        return seeds.stream().map(seed -> DynamicTest.dynamicTest("seed " + seed + ": " + JoinCase.cellOf(seed),
                () -> check(seed, seeds)));
    }

    private void check(long seed, List<Long> all) throws Exception {
        if (flinkPairs.isEmpty()) {
            List<JoinCase> cases = new ArrayList<>();
            for (long s : all) {
                cases.add(JoinCase.generate(s));
            }
            Map<String, List<String>> byId = FlinkJoinReference.run(cases);
            for (JoinCase c : cases) {
                flinkPairs.put(c.seed(), byId.get(c.id()));
            }
        }
        JoinCase c = JoinCase.generate(seed);
        List<String> flink = new ArrayList<>();
        for (String line : flinkPairs.get(seed)) {
            // key SEP left SEP right [SEP windowEnd]
            String[] f = line.split(FlinkJoinReference.SEP, -1);
            flink.add(FlinkJoinReference.line(f[0], f[1], f[2]));
        }
        Collections.sort(flink);
        List<String> mine = runApiJob(c);
        Collections.sort(mine);
        assertThat(mine).as("%s (%s): %s\nleft %s\nright %s", c.id(), JoinCase.cellOf(seed), c.command(), c.left(),
                c.right()).isEqualTo(flink);
    }

    private static String text(Event e) {
        return new String(e.payload(), e.payloadOffset(), e.payloadLength(), StandardCharsets.UTF_8);
    }

    private static DataStream<Event> side(JoinCase c, String name) {
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(c.spec().outOfOrdernessMs());
        var spec = c.spec();
        return Pipeline.fromSource(name, spec.keyField(), null, spec.timestamps(), wm).filter(e -> spec.selects(e.key()));
    }

    static List<String> runApiJob(JoinCase c) throws Exception {
        List<String> out = new ArrayList<>();
        Job<Object, Void, String> job;
        if (c.join().isInterval()) {
            job = side(c, "left").keyBy(Event::key)
                    .intervalJoin(side(c, "right").keyBy(Event::key))
                    .between(Duration.ofMillis(c.join().lowerBoundMs()), Duration.ofMillis(c.join().upperBoundMs()))
                    .process(new ProcessJoinFunction<Event, Event, String>() {
                        @Override
                        public void processElement(Event l, Event r, Context ctx, Collector<String> o) {
                            o.collect(FlinkJoinReference.line(l.key(), text(l), text(r)));
                        }
                    }, StateSerializer.events(), StateSerializer.events())
                    .sinkTo(out::add);
        } else {
            job = side(c, "left").join(side(c, "right"))
                    .where(Event::key)
                    .equalTo(Event::key)
                    .window(c.join().window().assigner())
                    .allowedLateness(c.spec().allowedLatenessMs())
                    .apply((Event l, Event r) -> FlinkJoinReference.line(l.key(), text(l), text(r)),
                            StateSerializer.events(), StateSerializer.events())
                    .sinkTo(out::add);
        }
        new StreamTask(JobGraphs.of(job), List.of(new ArraySourceReader(bytes(c.left())),
                new ArraySourceReader(bytes(c.right()))), TaskOptions.replay(), DeadLetterHandler.DISCARD,
                new JobMetrics()).run();
        return out;
    }

    private static byte[][] bytes(List<String> lines) {
        byte[][] out = new byte[lines.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = lines.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
