package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.flinklite.job.JobSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * FlinkLite's {@code replay} engine against Apache Flink 2.3 on randomized disordered streams: for every case the
 * window results and the late side output must be equal as multisets ({@link OutcomeDiff}), and FlinkLite must count
 * exactly the invalid lines the generator wrote; with the lines as pre-serialized events in memory and as one UTF-8
 * stream, with snapshots and restores into fresh tasks mid-stream, and with the job written against the public Java
 * API with a user {@code AggregateFunction}. Where they differ, Flink is right.
 *
 * <p>Knobs (system properties, passed through by surefire):
 * <ul>
 *   <li>{@code conformance.seed}: the first seed; random by default and printed, so any run can be repeated.</li>
 *   <li>{@code conformance.cases}: how many consecutive seeds (default {@value #DEFAULT_CASES}: every cell of the
 *       {@link CaseGenerator} matrix three times). A heavier sweep: {@code -Dconformance.cases=5000}.</li>
 *   <li>{@code conformance.only}: a comma-separated list of seeds to replay, instead of the range.</li>
 *   <li>{@code conformance.minimize}: how many failing cases to shrink (default 3; each costs up to 40 Flink jobs).</li>
 * </ul>
 * A failure names its seed and the command that replays it, and writes the minimized case (spec, {@code replay}
 * flags, input lines, the two outcomes) to {@code target/conformance-failures/}.
 *
 * <p>Cost: Flink runs {@value #CASES_PER_FLINK_JOB} cases per job (about 4 s each on two cores), FlinkLite one case
 * in a few milliseconds; the default run takes well under a minute.
 */
class DifferentialTest {
    static final int DEFAULT_CASES = 3 * CaseGenerator.MATRIX_CELLS;
    static final int CASES_PER_FLINK_JOB = 105;

    private static final Path FAILURES = Paths.get("target", "conformance-failures");

    private final Map<Long, Outcome> flinkOutcomes = new LinkedHashMap<>();
    /** Per seed: the case without the lines behind the watermark, and Flink's outcome on it. */
    private final Map<Long, ConformanceCase> onTimeCases = new LinkedHashMap<>();
    private final Map<Long, Outcome> flinkOnTime = new LinkedHashMap<>();
    private int minimizationsLeft = Integer.getInteger("conformance.minimize", 3);

    @TestFactory
    Stream<DynamicTest> flinkLiteMatchesFlinkOnRandomizedStreams() {
        List<Long> seeds = seeds();
        List<List<Long>> batches = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i += CASES_PER_FLINK_JOB) {
            batches.add(seeds.subList(i, Math.min(seeds.size(), i + CASES_PER_FLINK_JOB)));
        }
        return batches.stream().flatMap(batch -> batch.stream().map(seed -> DynamicTest.dynamicTest(
                "seed " + seed + ": " + CaseGenerator.cellOf(seed), () -> check(seed, batch))));
    }

    private static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        String only = System.getProperty("conformance.only", "").trim();
        if (!only.isEmpty()) {
            for (String s : only.split(",")) {
                seeds.add(Long.parseLong(s.trim()));
            }
            System.out.println("Differential tests: replaying seeds " + seeds);
            return seeds;
        }
        long first = Long.getLong("conformance.seed", (System.nanoTime() & 0xFFFF_FFFFL) * 1_000);
        int cases = Integer.getInteger("conformance.cases", DEFAULT_CASES);
        for (int i = 0; i < cases; i++) {
            seeds.add(first + i);
        }
        System.out.println("Differential tests: " + cases + " cases from seed " + first
                + " (repeat with -Dconformance.seed=" + first + " -Dconformance.cases=" + cases + ")");
        return seeds;
    }

    private void check(long seed, List<Long> batch) throws Exception {
        if (!flinkOutcomes.containsKey(seed)) {
            // First case of a batch: run the whole batch on Flink in one job, and forget the previous batch.
            flinkOutcomes.clear();
            List<ConformanceCase> cases = new ArrayList<>();
            for (long s : batch) {
                cases.add(CaseGenerator.generate(s));
            }
            Map<String, Outcome> byId = FlinkReference.run(cases);
            for (ConformanceCase c : cases) {
                flinkOutcomes.put(c.seed(), byId.get(c.id()));
            }
            onTimeCases.clear();
            flinkOnTime.clear();
            List<ConformanceCase> onTime = new ArrayList<>();
            for (ConformanceCase c : cases) {
                ConformanceCase d = aheadOfTheWatermarkOnly(c);
                onTimeCases.put(c.seed(), d);
                onTime.add(d);
            }
            Map<String, Outcome> onTimeById = FlinkReference.run(onTime);
            for (ConformanceCase d : onTime) {
                flinkOnTime.put(d.seed(), onTimeById.get(d.id()));
            }
        }
        ConformanceCase c = CaseGenerator.generate(seed);
        Outcome flink = flinkOutcomes.get(seed);
        FlinkLiteEngine.Run lite = FlinkLiteEngine.run(c);
        String diff = OutcomeDiff.diff(c, flink, lite.outcome());
        if (diff != null) {
            fail(failureReport(c, flink, lite.outcome(), diff));
        }
        assertThat(lite.invalidLines()).as("invalid lines counted by FlinkLite, seed %d", seed).isEqualTo(c.invalidLines());
        assertThat(lite.invalidReports()).as("invalid lines reported by FlinkLite, seed %d", seed).isEqualTo(c.invalidLines());

        // The same lines read as a stream, as `flinklite replay --input` reads a file.
        FlinkLiteEngine.Run fromStream = FlinkLiteEngine.runFromStream(c, seed % 2 == 0);
        String streamDiff = OutcomeDiff.diff(c, flink, fromStream.outcome());
        if (streamDiff != null) {
            fail("replaying from a stream (final newline: " + (seed % 2 == 0) + ") differs from Flink, though from memory "
                    + "it agrees, on " + c.describe() + "\n" + streamDiff);
        }
        assertThat(fromStream.invalidLines()).as("invalid lines counted from a stream, seed %d", seed).isEqualTo(c.invalidLines());

        // The same job snapshotted and restored into fresh tasks up to three times, in batches of random sizes.
        FlinkLiteEngine.Run restarted = FlinkLiteEngine.runWithRestarts(c, seed);
        String restartDiff = OutcomeDiff.diff(c, flink, restarted.outcome());
        if (restartDiff != null) {
            fail("snapshotting and restoring mid-stream (restart seed " + seed + ") changes the outcome, though an "
                    + "uninterrupted run agrees with Flink, on " + c.describe() + "\n" + restartDiff);
        }
        assertThat(restarted.invalidLines()).as("invalid lines across restarts, seed %d", seed).isEqualTo(c.invalidLines());

        // The same job written against the public Java API, with a user AggregateFunction.
        FlinkLiteEngine.Run userApi = FlinkLiteEngine.runUserApi(c);
        String apiDiff = OutcomeDiff.diff(c, flink, userApi.outcome());
        if (apiDiff != null) {
            fail("the job written with the Java API and a user AggregateFunction differs from Flink, though the built-in "
                    + "job agrees, on " + c.describe() + "\n" + apiDiff);
        }
        assertThat(userApi.invalidLines()).as("invalid lines of the Java API job, seed %d", seed).isEqualTo(c.invalidLines());

        // The same job scaled out (issue 12): two stages through in-memory repartitions. One source partition: the
        // keyed tasks see the fused job's watermarks exactly, whatever the number of repartitions.
        for (int m : new int[] {1, 3}) {
            FlinkLiteEngine.Run shuffled = FlinkLiteEngine.runShuffled(c, 1, m);
            String shuffleDiff = OutcomeDiff.diff(c, flink, shuffled.outcome());
            if (shuffleDiff != null) {
                fail("the two-stage job (1 source partition, " + m + " repartitions) differs from Flink, though the "
                        + "fused job agrees, on " + c.describe() + "\n" + shuffleDiff);
            }
            assertThat(shuffled.invalidLines()).as("invalid lines through the shuffle, seed %d", seed)
                    .isEqualTo(c.invalidLines());
        }
        FlinkLiteEngine.Run shuffledUser = FlinkLiteEngine.runShuffledUserFunction(c, 1, 3);
        String shuffledUserDiff = OutcomeDiff.diff(c, flink, shuffledUser.outcome());
        if (shuffledUserDiff != null) {
            fail("the user AggregateFunction through the two-stage job (1 source partition, 3 repartitions) differs "
                    + "from Flink on " + c.describe() + "\n" + shuffledUserDiff);
        }
        // Three source partitions, each with its own watermark: lateness then depends on how they interleave (as in
        // Flink at source parallelism 3). So: the case without the lines behind the watermark (which never move it,
        // so every remaining line is ahead of it, in any interleaving), against Flink's own outcome on it.
        ConformanceCase onTime = onTimeCases.get(seed);
        if (onTime != null) {
            Outcome flinkOnTimeOutcome = flinkOnTime.get(seed);
            assertThat(flinkOnTimeOutcome.late()).as("Flink on the case without lines behind the watermark, seed %d", seed)
                    .isEmpty();
            FlinkLiteEngine.Run three = FlinkLiteEngine.runShuffled(onTime, 3, 3);
            String threeDiff = OutcomeDiff.diff(onTime, flinkOnTimeOutcome, three.outcome());
            if (threeDiff != null) {
                fail("the two-stage job (3 source partitions, 3 repartitions) differs from Flink on the case without "
                        + "the lines behind the watermark, " + onTime.describe() + "\n" + threeDiff);
            }
        }
    }

    /**
     * {@code c} without the valid lines at or behind the watermark of the lines before them (late, or skipping the
     * windows that already fired): such a line never moves the watermark, so every remaining line is ahead of it
     * (and of any lower watermark another interleaving gives).
     */
    private static ConformanceCase aheadOfTheWatermarkOnly(ConformanceCase c) {
        List<String> kept = new ArrayList<>();
        long max = Long.MIN_VALUE;
        long bound = c.spec().outOfOrdernessMs();
        // A session window [ts, ts + gap) also merges with a fired session ending at ts (touching ends), one that a
        // lower watermark would not have fired yet: for sessions a line must be 2 ms ahead. (W + 1 <= max: such a
        // line does not move the watermark either.)
        long margin = c.spec().window().assigner().isSession() ? 1 : 0;
        for (String line : c.lines()) {
            ReferenceEvent e = ReferenceParser.parse(line, c.spec().keyField(), c.spec().aggregate().field());
            if (e == null) {
                kept.add(line); // invalid: never moves the watermark either
                continue;
            }
            long watermark = max == Long.MIN_VALUE ? Long.MIN_VALUE : max - bound - 1;
            if (e.timestamp > watermark + margin) {
                kept.add(line);
            }
            max = Math.max(max, e.timestamp);
        }
        return new ConformanceCase("ahead-" + c.id(), c.seed(), c.spec(), kept, c.exactValues(), c.invalidLines());
    }

    private String failureReport(ConformanceCase c, Outcome flink, Outcome lite, String diff) throws Exception {
        StringBuilder report = new StringBuilder()
                .append("FlinkLite differs from Flink on ").append(c.describe()).append('\n')
                .append("cell: ").append(CaseGenerator.cellOf(c.seed())).append('\n')
                .append("replay this case: mvn -o -B test -pl flinklite-conformance -am -Dtest=DifferentialTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -Dconformance.only=").append(c.seed()).append('\n')
                .append(diff);
        if (minimizationsLeft > 0) {
            minimizationsLeft--;
            ConformanceCase small = Minimizer.minimize(c, ce -> FlinkLiteEngine.run(ce).outcome());
            Outcome smallFlink = FlinkReference.run(List.of(small)).get(small.id());
            Outcome smallLite = FlinkLiteEngine.run(small).outcome();
            Path file = writeCase(small, smallFlink, smallLite);
            report.append("minimized to ").append(small.lines().size()).append(" lines, written to ")
                    .append(file.toAbsolutePath()).append(":\n").append(Files.readString(file));
        }
        return report.toString();
    }

    private static Path writeCase(ConformanceCase c, Outcome flink, Outcome lite) throws IOException {
        Files.createDirectories(FAILURES);
        JobSpec s = c.spec();
        StringBuilder text = new StringBuilder()
                .append("# seed ").append(c.seed()).append(", ").append(s).append('\n')
                .append("# bin/flinklite replay --input seed-").append(c.seed()).append(".jsonl --output out.jsonl")
                .append(" --window ").append(s.window())
                .append(" --out-of-orderness ").append(s.outOfOrdernessMs()).append("ms")
                .append(" --allowed-lateness ").append(s.allowedLatenessMs()).append("ms")
                .append(" --types '").append(s.selectsAllTypes() ? "*" : String.join(",", s.types())).append("'")
                .append(" --key-field ").append(s.keyField())
                .append(" --aggregate ").append(s.aggregate())
                .append(" --late-output late.jsonl\n")
                .append("# input:\n");
        for (String line : c.lines()) {
            text.append(line).append('\n');
        }
        text.append("# Flink results:\n");
        flink.results().forEach(r -> text.append("#   ").append(r).append('\n'));
        text.append("# Flink late:\n");
        flink.late().forEach(l -> text.append("#   ").append(l).append('\n'));
        text.append("# FlinkLite results:\n");
        lite.results().forEach(r -> text.append("#   ").append(r).append('\n'));
        text.append("# FlinkLite late:\n");
        lite.late().forEach(l -> text.append("#   ").append(l).append('\n'));
        Path file = FAILURES.resolve("seed-" + c.seed() + ".txt");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        List<String> jsonl = new ArrayList<>(c.lines());
        Files.write(FAILURES.resolve("seed-" + c.seed() + ".jsonl"), jsonl, StandardCharsets.UTF_8);
        return file;
    }
}
