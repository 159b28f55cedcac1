package io.flinklite.bench;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ShuffleReplay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/bench shuffle} (issue 12): the seed job through the two stages of a scaled-out job in process (source
 * tasks, in-memory repartition partitions, keyed tasks; {@link ShuffleReplay}) against the fused path
 * ({@link Replay}), in one JVM and one run, on the same pre-serialized seed traffic; plus the shuffle's bytes per
 * input event (record keys and values, markers counted once per repartition partition). The results must be equal.
 * What Kafka adds (producing and consuming the repartition topic) is not in this figure.
 */
public final class ShuffleBench {
    private ShuffleBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = 2_000_000;
        int runs = 3;
        int warmups = 1;
        int sources = 1;
        int repartitions = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events": events = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmups": warmups = Integer.parseInt(args[++i]); break;
                case "--sources": sources = Integer.parseInt(args[++i]); break;
                case "--repartitions": repartitions = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("bench shuffle: unknown flag " + args[i] + " (expected --events N, --runs N, "
                            + "--warmups N, --sources S, --repartitions M)");
                    System.exit(2);
            }
        }
        byte[][] traffic = SeedTraffic.generate(events, 42);
        JobSpec spec = JobSpec.defaults();
        System.out.printf(Locale.ROOT, "bench shuffle: Java %s, %d cores; seed job (%s), %,d events, S=%d source "
                        + "partitions, M=%d repartitions%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), spec.fingerprint(), events, sources, repartitions);
        Measurement fused = Measurement.of("fused (Replay, 1 thread)", events, warmups, runs, () -> {
            List<String> out = new ArrayList<>();
            Replay.run(spec, traffic, keep(out), null, invalid -> { });
            Collections.sort(out);
            return out;
        });
        final int s = sources;
        final int m = repartitions;
        ShuffleReplay.Stats[] last = new ShuffleReplay.Stats[1];
        Measurement shuffled = Measurement.of("two stages (ShuffleReplay, 1 thread)", events, warmups, runs, () -> {
            List<String> out = new ArrayList<>();
            last[0] = ShuffleReplay.run(spec, traffic, s, m, keep(out), null, invalid -> { });
            Collections.sort(out);
            return out;
        });
        List<String> a = fused.result();
        List<String> b = shuffled.result();
        boolean equal = a.equals(b);
        System.out.printf(Locale.ROOT, "%-40s %14s %10s%n", "", "events/CPU-s", "vs fused");
        System.out.printf(Locale.ROOT, "%-40s %,14.0f %10s%n", fused.engine, fused.eventsPerCpuSecond(), "1.00x");
        System.out.printf(Locale.ROOT, "%-40s %,14.0f %9.2fx%n", shuffled.engine, shuffled.eventsPerCpuSecond(),
                shuffled.eventsPerCpuSecond() / fused.eventsPerCpuSecond());
        ShuffleReplay.Stats st = last[0];
        System.out.printf(Locale.ROOT, "shuffle: %,d records (%,d partials, %,d raw, %,d markers), %,d bytes = %.3f bytes "
                        + "per input event; results %s (%,d windows)%n", st.records(), st.partials(), st.raw(),
                st.markers(), st.bytes(), st.bytesPerEvent(), equal ? "equal" : "DIFFER", a.size());
        if (!equal) {
            System.exit(1);
        }
    }

    private static Sink<WindowResult> keep(List<String> out) {
        return r -> out.add(r.key() + "," + r.windowStart() + "," + r.windowEnd() + "," + r.count());
    }
}
