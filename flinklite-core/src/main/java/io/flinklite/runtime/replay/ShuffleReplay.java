package io.flinklite.runtime.replay;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.shuffle.KeyedStage;
import io.flinklite.runtime.shuffle.ShuffleOutput;
import io.flinklite.runtime.shuffle.ShuffledJob;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link Replay} through the two stages of a scaled-out job, in process (issue 12): the input lines are dealt
 * round-robin to {@code sourcePartitions} source tasks (line {@code i} to partition {@code i % S}), each a
 * {@code StreamTask} of {@link ShuffledJob#sourceGraph} with its own watermark, writing {@code repartitions}
 * in-memory repartition partitions; each partition feeds its own {@link KeyedStage}; the results of all keyed tasks go
 * to one sink. Source tasks run one after the other and each record reaches its keyed task at once, so a run is
 * deterministic: with one source partition the keyed tasks see exactly the fused job's watermarks, and the results
 * equal {@link Replay}'s whatever the number of repartitions; with more, only lateness can differ (an event's
 * lateness depends on how the source partitions interleave, as in any parallel Flink job).
 *
 * <p>Runs on the calling thread; the sinks are not flushed or closed.
 */
public final class ShuffleReplay {
    private ShuffleReplay() {
    }

    /** What went through the shuffle, besides the usual {@link ReplayStats}. */
    public record Stats(ReplayStats replay, long records, long bytes, long raw, long partials, long markers,
                        long invalidShuffleRecords) {
        /** Shuffle key and value bytes per input line. */
        public double bytesPerEvent() {
            return replay.records() == 0 ? 0 : (double) bytes / replay.records();
        }
    }

    /**
     * @param lines            one JSON event per element (reported as "line N", N its 1-based index)
     * @param sourcePartitions S, at least 1
     * @param repartitions     M, at least 1
     * @param lateOutput       late events' original bytes; {@code null} to only count them
     */
    public static Stats run(JobSpec spec, byte[][] lines, int sourcePartitions, int repartitions,
                            Sink<WindowResult> results, Sink<byte[]> lateOutput, Consumer<String> invalidReporter)
            throws Exception {
        return run(ShuffledJob.of(spec), lines, sourcePartitions, repartitions, results, lateOutput, invalidReporter);
    }

    /** The same for any {@link ShuffledJob} (a user aggregate function, a small bound on open partials). */
    public static <R> Stats run(ShuffledJob<R> job, byte[][] lines, int sourcePartitions, int repartitions,
                                Sink<? super R> results, Sink<byte[]> lateOutput, Consumer<String> invalidReporter)
            throws Exception {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(invalidReporter, "invalidReporter");
        if (sourcePartitions < 1 || repartitions < 1) {
            throw new IllegalArgumentException("need at least one source partition and one repartition, got "
                    + sourcePartitions + " and " + repartitions);
        }
        @SuppressWarnings("unchecked")
        KeyedStage<R>[] keyed = new KeyedStage[repartitions];
        for (int p = 0; p < repartitions; p++) {
            keyed[p] = job.keyedStage(1, results, lateOutput);
        }
        InMemoryShuffle shuffle = new InMemoryShuffle(keyed);
        JobMetrics metrics = new JobMetrics();
        DeadLetterHandler report = (partition, offset, payload, off, len, reason, detail) ->
                invalidReporter.accept("line " + offset + ": " + reason.label() + ": " + detail);
        long start = System.nanoTime();
        for (int s = 0; s < sourcePartitions; s++) {
            StreamTask task = new StreamTask(job.sourceGraph("replay", s, sourcePartitions, 0, false, shuffle),
                    List.of(new DealtLines(lines, s, sourcePartitions)), TaskOptions.replay(), report, metrics);
            task.run();
        }
        long invalid = 0;
        long raw = 0;
        long markers = 0;
        long partials = 0;
        for (KeyedStage<R> k : keyed) {
            k.finish();
            k.publishMetrics(metrics);
            invalid += k.invalidRecords();
            raw += k.rawRecords();
            markers += k.markers();
            partials += k.windowOperator().partials() + k.windowOperator().latePartials();
        }
        ReplayStats stats = new ReplayStats(metrics, System.nanoTime() - start);
        return new Stats(stats, shuffle.records, shuffle.bytes, raw, partials, markers, invalid);
    }

    /** Repartition partitions in memory: each record goes straight to its keyed task. */
    private static final class InMemoryShuffle implements ShuffleOutput {
        private final KeyedStage<?>[] keyed;
        long records;
        long bytes;

        InMemoryShuffle(KeyedStage<?>[] keyed) {
            this.keyed = keyed;
        }

        @Override
        public int partitions() {
            return keyed.length;
        }

        @Override
        public void send(int partition, byte[] key, int keyLength, byte[] value, int valueLength) throws Exception {
            records++;
            bytes += keyLength + valueLength;
            keyed[partition].process(key, 0, keyLength, value, 0, valueLength);
        }
    }

    /** Lines {@code s, s + S, s + 2S, ...}, with their 1-based line numbers as offsets. */
    private static final class DealtLines implements SourceReader {
        private static final int BATCH = 512;
        private final byte[][] lines;
        private final int step;
        private int next;
        private boolean announced;

        DealtLines(byte[][] lines, int first, int step) {
            this.lines = lines;
            this.step = step;
            this.next = first;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!announced) {
                listener.partitionAssigned(0);
                announced = true;
            }
            for (int n = 0; n < BATCH && next < lines.length; n++, next += step) {
                batch.add(0, next + 1, lines[next]);
            }
            return !batch.isEmpty();
        }

        @Override
        public String topicOf(int partition) {
            return "memory";
        }

        @Override
        public void close() {
        }
    }
}
