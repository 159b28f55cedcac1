package io.flinklite.runtime.replay;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.SourceReader;

import java.io.InputStream;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Deterministic replay of the built-in job over JSON events: the engine behind {@code flinklite replay}, the Flink
 * differential tests and the in-memory benchmark.
 *
 * <p>Semantics (issue 2's replay contract): one JSON object per line; the watermark advances after every valid event
 * ({@code W = max timestamp so far - out-of-orderness - 1}), filtered events included; at the end of the input the
 * watermark goes to +infinity and every open window fires. Each firing, late firings included, is one
 * {@link WindowResult}. Events later than the allowed lateness go unchanged to {@code lateOutput}. Invalid lines are
 * skipped, counted and reported; they never stop the run. No wall clock is involved: the same input gives the same
 * results.
 *
 * <p>Runs on the calling thread. The sinks are flushed, not closed.
 */
public final class Replay {
    private Replay() {
    }

    /**
     * @param jsonLines        UTF-8 JSON lines; read to the end, not closed
     * @param results          receives every firing
     * @param lateOutput       receives the raw bytes of every event later than the allowed lateness; {@code null} to only
     *                         count them
     * @param invalidReporter  receives one message per invalid line, e.g. {@code "line 17: not_json: expected '{' at
     *                         the start (at byte 0)"}
     * @throws Exception from reading the input or from a sink
     */
    public static ReplayStats run(JobSpec spec, InputStream jsonLines, Sink<WindowResult> results,
                                  Sink<byte[]> lateOutput, Consumer<String> invalidReporter) throws Exception {
        return run(spec, new LineSourceReader(Objects.requireNonNull(jsonLines, "jsonLines"),
                TaskOptions.replay().maxRecordBytes()), results, lateOutput, invalidReporter);
    }

    /**
     * The same over pre-serialized events in memory, one JSON object per array element (reported as "line N" with N
     * its 1-based index).
     */
    public static ReplayStats run(JobSpec spec, byte[][] events, Sink<WindowResult> results, Sink<byte[]> lateOutput,
                                  Consumer<String> invalidReporter) throws Exception {
        return run(spec, new ArraySourceReader(events), results, lateOutput, invalidReporter);
    }

    private static ReplayStats run(JobSpec spec, SourceReader source, Sink<WindowResult> results, Sink<byte[]> lateOutput,
                                   Consumer<String> invalidReporter) throws Exception {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(invalidReporter, "invalidReporter");
        JobMetrics metrics = new JobMetrics();
        DeadLetterHandler report = (partition, offset, payload, off, len, reason, detail) ->
                invalidReporter.accept("line " + offset + ": " + reason.label() + ": " + detail);
        long start;
        try (StreamTask task = StreamTask.forSpec(spec, TaskOptions.replay(), source, results, lateOutput, report, metrics)) {
            start = System.nanoTime();
            task.run();
        }
        return new ReplayStats(metrics, System.nanoTime() - start);
    }
}
