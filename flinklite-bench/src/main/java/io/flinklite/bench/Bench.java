package io.flinklite.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side benchmark of the seed job in memory, FlinkLite against Apache Flink 2.3.0 in the same JVM and
 * the same run, on the same pre-serialized events, with two reference lines: Jackson's tokenizer alone (the parse
 * ceiling) and a hand-written single-thread loop. Run it with {@code bin/bench}; see docs/performance.md.
 *
 * <p>Prints one line per timed run, then a table: engine, events/s, events per CPU-second (process CPU time, all
 * threads), cores busy, and the ratio to Flink at parallelism 1 per CPU-second. Fails (exit code 1) if the engines'
 * result multisets differ.
 *
 * <p>Flags: {@code --events N} (default 5,000,000), {@code --runs N} timed runs per engine (default 3),
 * {@code --warmups N} (default 1), {@code --seed N}, {@code --no-flink}, {@code --only ENGINE,...} (any of
 * {@link #ENGINES}; {@code flink-fromdata-p1} is Flink fed by {@code env.fromData(list)}, which serializes every
 * event into the job graph, measured only on request), {@code --heap-panes N} (default 1,000,000;
 * 0 skips the heap measurement).
 *
 * <p>Then (issue 6, part 5) the heap cost of an open window pane, see {@link PaneHeap}.
 */
public final class Bench {
    /** Every row the benchmark can measure, by the name {@code --only} takes. */
    static final List<String> ENGINES = List.of("jackson", "flinklite", "loop", "flink-p1", "flink-p2", "flink-fromdata-p1");
    /** The rows of a plain {@code bin/bench}. */
    static final List<String> DEFAULT_ENGINES = List.of("jackson", "flinklite", "loop", "flink-p1", "flink-p2");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        int events = 5_000_000;
        int runs = 3;
        int warmups = 1;
        long seed = 1;
        int heapPanes = 1_000_000;
        List<String> only = List.of();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events": events = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmups": warmups = Integer.parseInt(args[++i]); break;
                case "--seed": seed = Long.parseLong(args[++i]); break;
                case "--no-flink": only = List.of("jackson", "flinklite", "loop"); break;
                case "--only": only = List.of(args[++i].split(",")); break;
                case "--heap-panes": heapPanes = Integer.parseInt(args[++i].replace("_", "")); break;
                default:
                    System.err.println("bench: unknown flag " + args[i] + " (expected --events N, --runs N, --warmups N, "
                            + "--seed N, --no-flink, --only " + String.join(",", ENGINES) + ", --heap-panes N)");
                    System.exit(2);
            }
        }
        for (String engine : only) {
            if (!ENGINES.contains(engine)) {
                System.err.println("bench: unknown engine " + engine + " (expected some of " + String.join(",", ENGINES) + ")");
                System.exit(2);
            }
        }
        List<String> selected = only.isEmpty() ? DEFAULT_ENGINES : only;
        System.out.printf(Locale.ROOT, "bench: Java %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        byte[][] input = SeedTraffic.generate(events, seed);
        System.out.printf(Locale.ROOT, "bench: %,d events, %,d bytes of JSON, seed %d%n", events, SeedTraffic.bytes(input), seed);

        List<Measurement> rows = new ArrayList<>();
        List<Measurement> producers = new ArrayList<>();
        Measurement flinkP1 = null;
        if (selected.contains("jackson")) {
            rows.add(Measurement.of("Jackson tokenizer alone (parse ceiling)", events, warmups, runs,
                    () -> JacksonCeiling.tokenize(input)));
        }
        if (selected.contains("flinklite")) {
            producers.add(Measurement.of("FlinkLite (replay engine, 1 thread)", events, warmups, runs,
                    () -> FlinkLiteSeedJob.run(input)));
        }
        if (selected.contains("loop")) {
            producers.add(Measurement.of("hand-written loop (reference, 1 thread)", events, warmups, runs,
                    () -> HandWrittenLoop.run(input)));
        }
        if (selected.stream().anyMatch(e -> e.startsWith("flink-"))) {
            try (FlinkSeedJob job = new FlinkSeedJob()) {
                if (selected.contains("flink-p1")) {
                    flinkP1 = Measurement.of("Apache Flink 2.3.0, parallelism 1", events, warmups, runs,
                            () -> job.run(input, 1, false));
                    producers.add(flinkP1);
                }
                if (selected.contains("flink-p2")) {
                    producers.add(Measurement.of("Apache Flink 2.3.0, parallelism 2", events, warmups, runs,
                            () -> job.run(input, 2, false)));
                }
                if (selected.contains("flink-fromdata-p1")) {
                    producers.add(Measurement.of("Apache Flink 2.3.0, p1, env.fromData(list)", events, warmups, runs,
                            () -> job.run(input, 1, true)));
                }
            }
        }
        rows.addAll(producers);

        System.out.println();
        System.out.println("| engine | events/s | events per CPU-second | cores busy | per CPU-s vs Flink p1 |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Measurement m : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.2f M | %.2f M | %.2f | %s |%n", m.engine, m.eventsPerSecond() / 1e6,
                    m.eventsPerCpuSecond() / 1e6, m.cores(),
                    flinkP1 == null ? "-" : String.format(Locale.ROOT, "%.2fx", m.eventsPerCpuSecond() / flinkP1.eventsPerCpuSecond()));
        }

        boolean same = producers.size() < 2 || sameResults(producers);
        if (heapPanes > 0) {
            System.out.println();
            PaneHeap.measure(heapPanes);
        }
        if (!same) {
            System.exit(1);
        }
    }

    /** Compares every engine's result multiset with the first one's; prints what it found. */
    private static boolean sameResults(List<Measurement> producers) {
        List<String> reference = sorted(producers.get(0).result());
        System.out.printf(Locale.ROOT, "%n%s produced %,d window results.%n", producers.get(0).engine, reference.size());
        boolean same = true;
        for (Measurement m : producers.subList(1, producers.size())) {
            List<String> theirs = sorted(m.result());
            boolean equal = theirs.equals(reference);
            same &= equal;
            System.out.printf(Locale.ROOT, "%s produced %,d: %s%n", m.engine, theirs.size(),
                    equal ? "the same multiset" : "a DIFFERENT multiset");
        }
        return same;
    }

    private static List<String> sorted(List<String> results) {
        List<String> copy = new ArrayList<>(results);
        Collections.sort(copy);
        return copy;
    }
}
