package io.flinklite.runtime.task;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.json.JoinPairJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.replay.JoinReplay;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in job over two sources (a union into one window) and the built-in join, run by the task on the graph,
 * against the replays of the same input. Inputs have no late element, so the interleaving of the two sources, which
 * differs (the task takes a batch of each in turn, the join replay a line of each), cannot matter.
 */
class BuiltInUnionAndJoinTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final String[] TYPES = {"important", "normal", "critical"};

    /** {@code n} events, 20 ms apart, disordered by less than the default out-of-orderness. */
    private static byte[][] events(long seed, int n) {
        Random random = new Random(seed);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            long ts = T0 + i * 20L + random.nextInt(3_000);
            out[i] = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"" + TYPES[random.nextInt(3)] + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void twoSourcesUnionedIntoOneWindowGiveTheResultsOfTheReplayOfBoth() throws Exception {
        JobSpec spec = JobSpec.defaults();
        byte[][] a = events(1, 1_500);
        byte[][] b = events(2, 700);
        List<WindowResult> expected = new ArrayList<>();
        byte[][] both = new byte[a.length + b.length][];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        // One stream in which b's events come after all of a's would make most of them late: sort by time.
        java.util.Arrays.sort(both, (x, y) -> Long.compare(ts(x), ts(y)));
        Replay.run(spec, both, expected::add, null, line -> { });
        assertThat(expected).hasSizeGreaterThan(10);

        List<WindowResult> got = new ArrayList<>();
        JobMetrics metrics = new JobMetrics();
        StreamTask task = new StreamTask(JobGraphs.builtIn(spec, 2, 0, false, got::add, null),
                List.of(new ArraySourceReader(a), new ArraySourceReader(b)), TaskOptions.replay(),
                DeadLetterHandler.DISCARD, metrics);
        task.run();
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(metrics.eventsLate()).isZero();
        assertThat(metrics.eventsTotal()).isEqualTo(a.length + b.length);
    }

    private static long ts(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        int i = s.indexOf("\"timestamp\":") + 12;
        return Long.parseLong(s.substring(i, s.indexOf(',', i)));
    }

    @Test
    void theBuiltInIntervalAndWindowJoinsOnTheGraphEmitThePairsOfTheJoinReplay() throws Exception {
        for (String join : new String[] {"interval:-1s:500ms", "tumbling:2s", "sliding:2s:1s", "session:300ms"}) {
            JobSpec spec = JobSpec.defaults();
            JoinSpec joinSpec = JoinSpec.parse(join);
            byte[][] left = events(3, 800);
            byte[][] right = events(4, 600);
            JoinPairJson json = new JoinPairJson();
            List<String> expected = new ArrayList<>();
            JoinReplay.run(spec, joinSpec, left, right, p -> expected.add(json.toLine(p)), null, line -> { });
            assertThat(expected).as(join).hasSizeGreaterThan(100);

            List<String> got = new ArrayList<>();
            JobMetrics metrics = new JobMetrics();
            StreamTask task = new StreamTask(JobGraphs.join(spec, joinSpec, 0, false, p -> got.add(json.toLine(p)),
                    null), List.of(new ArraySourceReader(left), new ArraySourceReader(right)), TaskOptions.replay(),
                    DeadLetterHandler.DISCARD, metrics);
            task.run();
            assertThat(got).as(join).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(metrics.joinPairs()).as(join).isEqualTo(expected.size());
            assertThat(metrics.joinLate(JobMetrics.LEFT) + metrics.joinLate(JobMetrics.RIGHT)).as(join).isZero();
            assertThat(metrics.eventsAccepted() + metrics.eventsFiltered()).as(join)
                    .isEqualTo(left.length + right.length);
            assertThat(metrics.joinStateElements()).as("all state dropped at the end: " + join).isZero();
        }
    }

    @Test
    void anElementTooLateToJoinGoesToTheLateOutputAndIsCountedOnItsSide() throws Exception {
        JobSpec spec = JobSpec.defaults();
        byte[][] left = {line(10_000, "critical"), line(30_000, "critical")};
        byte[][] right = {line(11_000, "critical"), line(12_000, "critical")};
        List<String> late = new ArrayList<>();
        JobMetrics metrics = new JobMetrics();
        // Left is read first and runs its own watermark to 24_999, but the join's waits for the right side, whose
        // elements are therefore on time and pair with the left one at 10_000 (interval [-1 s, +5 s]).
        List<String> pairs = new ArrayList<>();
        JoinPairJson json = new JoinPairJson();
        new StreamTask(JobGraphs.join(spec, JoinSpec.parse("interval:-1s:5s"), 0, false,
                p -> pairs.add(json.toLine(p)), b -> late.add(new String(b, StandardCharsets.UTF_8))),
                List.of(new ArraySourceReader(left), new ArraySourceReader(right)), TaskOptions.replay(),
                DeadLetterHandler.DISCARD, metrics).run();
        assertThat(pairs).hasSize(2);
        assertThat(late).isEmpty();

        // Now a right element behind the right side's own watermark: late, to the late output, counted as right.
        byte[][] lateRight = {line(20_000, "critical"), line(12_000, "critical")};
        late.clear();
        JobMetrics m2 = new JobMetrics();
        new StreamTask(JobGraphs.join(spec, JoinSpec.parse("interval:-1s:5s"), 0, false, p -> { },
                b -> late.add(new String(b, StandardCharsets.UTF_8))),
                List.of(new ArraySourceReader(new byte[][] {line(40_000, "critical")}), new ArraySourceReader(lateRight)),
                TaskOptions.replay(), DeadLetterHandler.DISCARD, m2).run();
        assertThat(late).containsExactly(new String(lateRight[1], StandardCharsets.UTF_8));
        assertThat(m2.joinLate(JobMetrics.RIGHT)).isEqualTo(1);
        assertThat(m2.joinLate(JobMetrics.LEFT)).isZero();
        assertThat(m2.eventsLate()).isEqualTo(1);
    }

    @Test
    void aJoinIsDescribedByTheSettingsThatApplyToItNotTheWindowAndAggregateItIgnores() {
        JobSpec spec = JobSpec.defaults().withAllowedLatenessMs(2_000);

        assertThat(JobGraphs.describeJoin(spec, JoinSpec.parse("interval:-5s:250ms")))
                .isEqualTo("join=interval:-5s:250ms;outOfOrderness=5s;types=critical,important;keyField=message");
        assertThat(JobGraphs.describeJoin(spec, JoinSpec.parse("tumbling:10s")))
                .as("a window join has allowed lateness")
                .isEqualTo("join=tumbling:10s;outOfOrderness=5s;allowedLateness=2s;types=critical,important;keyField=message");
    }

    private static byte[] line(long ts, String type) {
        return ("{\"timestamp\":" + (T0 + ts) + ",\"message\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
