package io.flinklite.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Repeated timings of one engine over the same events: wall-clock and process CPU time per run, reported as
 * medians. Created by {@link Bench} on its main thread.
 */
final class Measurement {
    /** One unit of work whose result (the window results, or a checksum) is kept for the equality check. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws Exception;
    }

    final String engine;
    final long events;
    private final List<long[]> runs = new ArrayList<>();
    private Object lastResult;

    private Measurement(String engine, long events) {
        this.engine = engine;
        this.events = events;
    }

    /**
     * Runs {@code warmups} untimed rounds (JIT, class loading, Flink's first-job costs), then {@code runs} timed ones.
     */
    static <T> Measurement of(String engine, long events, int warmups, int runs, Work<T> work) throws Exception {
        Measurement m = new Measurement(engine, events);
        for (int i = 0; i < warmups; i++) {
            m.lastResult = work.run();
        }
        for (int i = 0; i < runs; i++) {
            System.gc();
            long wall0 = System.nanoTime();
            long cpu0 = CpuClock.processCpuNanos();
            T result = work.run();
            long cpu1 = CpuClock.processCpuNanos();
            long wall1 = System.nanoTime();
            m.runs.add(new long[] {wall1 - wall0, cpu1 - cpu0});
            m.lastResult = result;
            System.out.printf("  %-44s run %d: %6.2f s wall, %6.2f s CPU%n", engine, i + 1, (wall1 - wall0) / 1e9, (cpu1 - cpu0) / 1e9);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    <T> T result() {
        return (T) lastResult;
    }

    double eventsPerSecond() {
        return events / (median(0) / 1e9);
    }

    double eventsPerCpuSecond() {
        return events / (median(1) / 1e9);
    }

    /** Average number of cores busy during a median run. */
    double cores() {
        return median(1) / (double) median(0);
    }

    private long median(int column) {
        long[] values = new long[runs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = runs.get(i)[column];
        }
        Arrays.sort(values);
        return values[values.length / 2];
    }
}
