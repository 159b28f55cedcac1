package io.flinklite.runtime.replay;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.shuffle.ShuffledJob;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The two-stage replay against the fused one, on random disordered streams (late data included). */
class ShuffleReplayTest {
    private static final WindowSpec[] WINDOWS = {
            WindowSpec.tumbling(1_000, 0), WindowSpec.tumbling(1_000, 300), WindowSpec.sliding(3_000, 1_000, 0),
            WindowSpec.sliding(2_500, 1_000, 0), WindowSpec.sliding(1_000, 1_500, 200), WindowSpec.session(700)};
    private static final String[] AGGREGATES = {"count", "sum:v", "min:v", "max:v", "avg:v"};

    record Outcome(List<String> results, List<String> late) {
    }

    private static JobSpec spec(Random r) {
        return JobSpec.defaults().withWindow(WINDOWS[r.nextInt(WINDOWS.length)])
                .withOutOfOrdernessMs(r.nextInt(3) * 400L)
                .withAllowedLatenessMs(r.nextBoolean() ? 0 : 800)
                .withTypes(null)
                .withAggregate(AggregateSpec.parse(AGGREGATES[r.nextInt(AGGREGATES.length)]));
    }

    /** Events with integral values (sums exact in any order), disorder up to {@code maxDisorder}. */
    private static byte[][] events(Random r, int n, long maxDisorder) {
        byte[][] out = new byte[n][];
        long t = 1_700_000_000_000L;
        int keys = 1 + r.nextInt(20);
        for (int i = 0; i < n; i++) {
            t += r.nextInt(60);
            long ts = t - (maxDisorder == 0 ? 0 : (long) (r.nextDouble() * maxDisorder));
            String line = i % 97 == 13 ? "not json"
                    : "{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"k" + r.nextInt(keys) + "\",\"v\":"
                    + (r.nextInt(200) - 100) + "}";
            out[i] = line.getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static Outcome fused(JobSpec spec, byte[][] lines) throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        Replay.run(spec, lines, w -> results.add(w.toString()), b -> late.add(new String(b, StandardCharsets.UTF_8)),
                m -> { });
        return new Outcome(results, late);
    }

    private static Outcome shuffled(ShuffledJob job, byte[][] lines, int s, int m) throws Exception {
        List<String> results = new ArrayList<>();
        List<String> late = new ArrayList<>();
        ShuffleReplay.Stats stats = ShuffleReplay.run(job, lines, s, m, (WindowResult w) -> results.add(w.toString()),
                b -> late.add(new String(b, StandardCharsets.UTF_8)), msg -> { });
        assertThat(stats.invalidShuffleRecords()).isZero();
        return new Outcome(results, late);
    }

    @Test
    void oneSourcePartitionGivesTheFusedResultsAtAnyNumberOfRepartitions() throws Exception {
        for (long seed = 0; seed < 150; seed++) {
            Random r = new Random(seed);
            JobSpec spec = spec(r);
            byte[][] lines = events(r, 300 + r.nextInt(1500), r.nextInt(3) * 700L);
            Outcome expected = fused(spec, lines);
            for (int m : new int[] {1, 3}) {
                ShuffledJob job = ShuffledJob.of(spec);
                if (seed % 3 == 0) {
                    job = job.withMaxOpenPartials(1 + r.nextInt(5)); // panes sent early, merged on the keyed side
                }
                Outcome got = shuffled(job, lines, 1, m);
                assertThat(got.results()).as("seed %d %s M=%d", seed, spec.fingerprint(), m)
                        .containsExactlyInAnyOrderElementsOf(expected.results());
                assertThat(got.late()).as("seed %d late", seed).containsExactlyInAnyOrderElementsOf(expected.late());
            }
        }
    }

    @Test
    void threeSourcePartitionsWithoutLateDataGiveTheFusedResults() throws Exception {
        for (long seed = 0; seed < 100; seed++) {
            Random r = new Random(seed);
            JobSpec spec = spec(r).withOutOfOrdernessMs(1_000);
            byte[][] lines = events(r, 300 + r.nextInt(1500), 900);
            Outcome expected = fused(spec, lines);
            assertThat(expected.late()).isEmpty();
            Outcome got = shuffled(ShuffledJob.of(spec), lines, 3, 1 + r.nextInt(4));
            assertThat(got.results()).as("seed %d %s", seed, spec.fingerprint())
                    .containsExactlyInAnyOrderElementsOf(expected.results());
            assertThat(got.late()).isEmpty();
        }
    }

    @Test
    void preAggregationShipsPanesNotEvents() throws Exception {
        Random r = new Random(7);
        JobSpec spec = JobSpec.defaults().withTypes(null).withWindow(WindowSpec.tumbling(10_000, 0));
        byte[][] lines = events(r, 20_000, 0);
        ShuffleReplay.Stats stats = ShuffleReplay.run(spec, lines, 1, 2, w -> { }, null, m -> { });
        assertThat(stats.raw()).isZero();
        assertThat(stats.partials()).isLessThan(lines.length / 10);
        assertThat(stats.bytesPerEvent()).isLessThan(10);
    }

    /** As {@link ReplayAllocationTest}: twice the events through both stages, well under a byte more per event. */
    @Test
    void theTwoStagesAllocateLessThanAByteAnEvent() throws Exception {
        Random r = new Random(5);
        byte[][] events = new byte[400_000][];
        for (int i = 0; i < events.length; i++) {
            long ts = 1_700_000_000_000L + i / 2 - r.nextInt(5_000);
            events[i] = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"k" + r.nextInt(50)
                    + "\",\"v\":" + r.nextInt(100) + ".5}").getBytes(StandardCharsets.UTF_8);
        }
        byte[][] half = java.util.Arrays.copyOf(events, 200_000);
        JobSpec[] specs = {JobSpec.defaults().withTypes(null),
                JobSpec.defaults().withTypes(null).withAggregate(AggregateSpec.parse("avg:v")).withAllowedLatenessMs(2_000)};
        for (JobSpec spec : specs) {
            allocated(spec, events);
            long extra = allocated(spec, events) - allocated(spec, half);
            assertThat(extra / 200_000.0).as(spec.fingerprint()).isLessThan(1.0);
        }
    }

    private static long allocated(JobSpec spec, byte[][] events) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        ShuffleReplay.run(spec, events, 1, 3, w -> { }, null, m -> { });
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** Count and sum of the value, as text "count;sum". */
    static final class CountSum implements io.flinklite.api.AggregateFunction<io.flinklite.api.Event, double[], String> {
        @Override public double[] createAccumulator() { return new double[2]; }
        @Override public double[] add(io.flinklite.api.Event e, double[] a) { a[0]++; a[1] += e.value(); return a; }
        @Override public String getResult(double[] a) { return (long) a[0] + "," + a[1]; }
        @Override public double[] merge(double[] a, double[] b) { a[0] += b[0]; a[1] += b[1]; return a; }
    }

    static final class CountSumText implements io.flinklite.api.AccumulatorSerializer<double[]> {
        @Override public String toText(double[] a) { return a[0] + ";" + a[1]; }
        @Override public double[] fromText(String t) {
            String[] p = t.split(";");
            return new double[] {Double.parseDouble(p[0]), Double.parseDouble(p[1])};
        }
    }

    @Test
    void aUserAggregateFunctionThroughTheShuffleEqualsTheBuiltInSum() throws Exception {
        for (long seed = 0; seed < 60; seed++) {
            Random r = new Random(seed);
            JobSpec spec = spec(r).withAggregate(AggregateSpec.parse("sum:v"));
            byte[][] lines = events(r, 300 + r.nextInt(1000), r.nextInt(3) * 700L);
            List<String> expected = new ArrayList<>();
            List<String> expectedLate = new ArrayList<>();
            Replay.run(spec, lines, w -> expected.add(w.key() + "," + w.windowStart() + "," + w.windowEnd() + ","
                    + w.count() + "," + w.value()), b -> expectedLate.add(new String(b, StandardCharsets.UTF_8)), m -> { });
            List<String> got = new ArrayList<>();
            List<String> late = new ArrayList<>();
            ShuffledJob<io.flinklite.api.Windowed<String>> job =
                    ShuffledJob.of(spec, "v", new CountSum(), new CountSumText());
            ShuffleReplay.run(job, lines, 1, 1 + r.nextInt(3), w -> got.add(w.key() + "," + w.windowStart() + ","
                    + w.windowEnd() + "," + w.value()), b -> late.add(new String(b, StandardCharsets.UTF_8)), m -> { });
            assertThat(got).as("seed %d %s", seed, spec.fingerprint()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(late).containsExactlyInAnyOrderElementsOf(expectedLate);
        }
    }
}
