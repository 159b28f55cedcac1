package io.flinklite.app.web;

import io.flinklite.runtime.metrics.JobMetrics;

import java.util.ArrayList;
import java.util.List;

/**
 * Event-time progress and throughput over the last minutes: a ring of {@link #CAPACITY} samples of
 * {@link JobMetrics}, one per call to {@link #sample}, which the web console makes every second off the task thread.
 * Memory is bounded by the capacity times the number of assigned partitions.
 *
 * <p>Thread-safe: one sampler thread writes, HTTP threads read copies.
 */
public final class Timeline {

    /** Samples kept: five minutes at one per second. */
    public static final int CAPACITY = 300;

    private static final Counter[] COUNTERS = Counter.values();

    /**
     * One observation.
     *
     * @param timeMs              wall clock of the sample
     * @param watermarkMs         the job's watermark; {@link Long#MIN_VALUE} before the first record
     * @param topics              each partition's topic (a job may read several)
     * @param partitions          partition numbers, same order
     * @param partitionWatermarks each partition's watermark, same order; {@link Long#MIN_VALUE} before its first record
     * @param counters            every {@link Counter}'s value, by ordinal
     */
    public record Sample(long timeMs, long watermarkMs, String[] topics, int[] partitions, long[] partitionWatermarks,
                         long[] counters) { }

    private final Sample[] ring = new Sample[CAPACITY];
    private long count;

    /** Takes one sample of {@code metrics} at {@code nowMs}. */
    public void sample(JobMetrics metrics, long nowMs) {
        JobMetrics.PartitionStats[] stats = metrics.partitions();
        String[] topics = new String[stats.length];
        int[] partitions = new int[stats.length];
        long[] watermarks = new long[stats.length];
        for (int i = 0; i < stats.length; i++) {
            topics[i] = stats[i].topic();
            partitions[i] = stats[i].partition();
            watermarks[i] = stats[i].watermarkMs();
        }
        long[] counters = new long[COUNTERS.length];
        for (Counter c : COUNTERS) {
            counters[c.ordinal()] = c.read(metrics);
        }
        Sample s = new Sample(nowMs, metrics.watermarkMs(), topics, partitions, watermarks, counters);
        synchronized (ring) {
            ring[(int) (count++ % CAPACITY)] = s;
        }
    }

    /** Every sample kept, oldest first. */
    public List<Sample> samples() {
        synchronized (ring) {
            int n = (int) Math.min(CAPACITY, count);
            List<Sample> out = new ArrayList<>(n);
            for (long i = count - n; i < count; i++) {
                out.add(ring[(int) (i % CAPACITY)]);
            }
            return out;
        }
    }

    /**
     * Records per second of {@code counter} over the last {@code windowSamples} samples (or as many as there are);
     * 0 with fewer than two samples.
     */
    public double rate(Counter counter, int windowSamples) {
        synchronized (ring) {
            int n = (int) Math.min(Math.min(CAPACITY, count), windowSamples + 1L);
            if (n < 2) {
                return 0;
            }
            Sample last = ring[(int) ((count - 1) % CAPACITY)];
            Sample first = ring[(int) ((count - n) % CAPACITY)];
            long dt = last.timeMs() - first.timeMs();
            if (dt <= 0) {
                return 0;
            }
            return (last.counters()[counter.ordinal()] - first.counters()[counter.ordinal()]) * 1000.0 / dt;
        }
    }
}
