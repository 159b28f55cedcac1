package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.replay.JoinReplay;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * FlinkLite's join replay against Apache Flink 2.3's own {@code IntervalJoinOperator} and window join
 * ({@code JoinedStreams}) on randomized inputs without late elements ({@link JoinCase}): the multisets of pairs
 * (key, left line, right line, and for window joins the window's end) must be equal, every window kind and
 * negative, zero-crossing, zero and positive bounds included. FlinkLite must also report no late element and
 * give each window pair a window that holds both elements. Where they differ, Flink is right.
 *
 * <p>Knobs: {@code conformance.joins.seed} (first seed, random by default and printed), {@code conformance.joins.cases}
 * (default {@value #DEFAULT_CASES}; a heavier sweep: {@code -Dconformance.joins.cases=5000}),
 * {@code conformance.joins.only} (a comma-separated list of seeds).
 */
class JoinDifferentialTest {
    static final int DEFAULT_CASES = 600;
    static final int CASES_PER_FLINK_JOB = 200;

    private final Map<Long, List<String>> flinkPairs = new LinkedHashMap<>();

    @TestFactory
    Stream<DynamicTest> flinkLiteJoinsMatchFlinkOnRandomizedStreams() {
        List<Long> seeds = seeds();
        List<List<Long>> batches = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i += CASES_PER_FLINK_JOB) {
            batches.add(seeds.subList(i, Math.min(seeds.size(), i + CASES_PER_FLINK_JOB)));
        }
        return batches.stream().flatMap(batch -> batch.stream().map(seed -> DynamicTest.dynamicTest(
                "seed " + seed + ": " + JoinCase.cellOf(seed), () -> check(seed, batch))));
    }

    private static List<Long> seeds() {
        List<Long> seeds = new ArrayList<>();
        String only = System.getProperty("conformance.joins.only", "").trim();
        if (!only.isEmpty()) {
            for (String s : only.split(",")) {
                seeds.add(Long.parseLong(s.trim()));
            }
            return seeds;
        }
        long first = Long.getLong("conformance.joins.seed", (System.nanoTime() & 0xFFFF_FFFFL) * 1_000);
        int cases = Integer.getInteger("conformance.joins.cases", DEFAULT_CASES);
        for (int i = 0; i < cases; i++) {
            seeds.add(first + i);
        }
        System.out.println("Join differential tests: " + cases + " cases from seed " + first
                + " (repeat with -Dconformance.joins.seed=" + first + " -Dconformance.joins.cases=" + cases + ")");
        return seeds;
    }

    private void check(long seed, List<Long> batch) throws Exception {
        if (!flinkPairs.containsKey(seed)) {
            flinkPairs.clear();
            List<JoinCase> cases = new ArrayList<>();
            for (long s : batch) {
                cases.add(JoinCase.generate(s));
            }
            Map<String, List<String>> byId = FlinkJoinReference.run(cases);
            for (JoinCase c : cases) {
                flinkPairs.put(c.seed(), byId.get(c.id()));
            }
        }
        JoinCase c = JoinCase.generate(seed);
        List<String> flink = sorted(flinkPairs.get(seed));
        Lite lite = runFlinkLite(c);
        List<String> mine = sorted(lite.pairs);
        if (!mine.equals(flink)) {
            fail(report(c, flink, mine));
        }
        assertThat(lite.late).as("late elements, seed %d (the generator makes none)", seed).isEmpty();
        assertThat(lite.windowProblems).as("windows that do not hold their pair, seed %d", seed).isEmpty();
    }

    private record Lite(List<String> pairs, List<String> late, List<String> windowProblems) {
    }

    static Lite runFlinkLite(JoinCase c) throws Exception {
        List<String> pairs = new ArrayList<>();
        List<String> late = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        WindowAssigner assigner = c.join().isInterval() ? null : c.join().window().assigner();
        Sink<JoinedPair<byte[], byte[]>> sink = p -> {
            String line = FlinkJoinReference.line(p.key(), text(p.left()), text(p.right()));
            if (p.isWindowed()) {
                line += FlinkJoinReference.SEP + p.windowEndMs();
                long start = p.windowStartMs();
                long end = p.windowEndMs();
                boolean holds = p.leftTimestampMs() >= start && p.leftTimestampMs() < end
                        && p.rightTimestampMs() >= start && p.rightTimestampMs() < end
                        && (assigner.isSession() || end - start == assigner.sizeMs());
                if (!holds) {
                    problems.add(line + " in [" + start + ", " + end + ")");
                }
            }
            pairs.add(line);
        };
        JoinReplay.run(c.spec(), c.join(), stream(c.left()), stream(c.right()), sink, l -> late.add(text(l)), m -> { });
        return new Lite(pairs, late, problems);
    }

    private static ByteArrayInputStream stream(List<String> lines) {
        return new ByteArrayInputStream((String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"))
                .getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<String> sorted(List<String> l) {
        List<String> copy = new ArrayList<>(l);
        Collections.sort(copy);
        return copy;
    }

    private static String report(JoinCase c, List<String> flink, List<String> mine) {
        List<String> missing = new ArrayList<>(flink);
        for (String m : mine) {
            missing.remove(m);
        }
        List<String> extra = new ArrayList<>(mine);
        for (String f : flink) {
            extra.remove(f);
        }
        StringBuilder s = new StringBuilder()
                .append("FlinkLite's join differs from Flink on ").append(c.id()).append(" (").append(JoinCase.cellOf(c.seed()))
                .append(")\n")
                .append("replay it: mvn -o -B test -pl flinklite-conformance -am -Dtest=JoinDifferentialTest "
                        + "-Dsurefire.failIfNoSpecifiedTests=false -Dconformance.joins.only=").append(c.seed()).append('\n')
                .append("or: ").append(c.command()).append('\n')
                .append("Flink ").append(flink.size()).append(" pairs, FlinkLite ").append(mine.size()).append('\n')
                .append("only in Flink:\n");
        missing.stream().limit(20).forEach(m -> s.append("  ").append(m.replace(FlinkJoinReference.SEP, " | ")).append('\n'));
        s.append("only in FlinkLite:\n");
        extra.stream().limit(20).forEach(m -> s.append("  ").append(m.replace(FlinkJoinReference.SEP, " | ")).append('\n'));
        s.append("left:\n");
        c.left().forEach(l -> s.append("  ").append(l).append('\n'));
        s.append("right:\n");
        c.right().forEach(l -> s.append("  ").append(l).append('\n'));
        return s.toString();
    }
}
