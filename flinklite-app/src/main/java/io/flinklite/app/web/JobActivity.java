package io.flinklite.app.web;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The recent history of a job that counters cannot hold, kept in bounded rings for the web UI: the last window
 * results, the last dead letters with their reasons, every recent checkpoint's outcome, and the checkpoint the job
 * was restored from.
 *
 * <p>Writers: the task thread (through {@link #recordResult} and {@link #recordDeadLetters}) and the checkpoint
 * writer (through {@link CheckpointListener}); readers: the HTTP server's threads. Each ring is guarded by its own
 * lock, held only to copy a few fields, so the task thread never waits on a slow reader. Recording allocates
 * nothing: results are immutable and kept by reference, the other rings are primitive arrays.
 */
public final class JobActivity {

    /** How many window results {@code /api/v1/results} can return. */
    public static final int RESULT_CAPACITY = 100;
    /** How many dead letters are kept with their reasons. */
    public static final int DEAD_LETTER_CAPACITY = 10;
    /** How many checkpoint outcomes are kept. */
    public static final int CHECKPOINT_CAPACITY = 50;

    /** A result and when it was handed to the sink. */
    public record RecentResult(WindowResult result, long firedMs) { }

    /** A dead letter's origin and reason. */
    public record DeadLetter(long timeMs, int partition, long offset, InvalidReason reason, String detail) { }

    /** One checkpoint attempt: {@code completed} (with its id, duration and size) or {@code failed}. */
    public record CheckpointEvent(long id, long timeMs, long durationNanos, long sizeBytes, boolean completed) { }

    /** Where a restored checkpoint resumes one input partition. */
    public record Position(String topic, int partition, long nextOffset) { }

    /**
     * The checkpoint the job resumed from.
     *
     * @param positions every input partition's position, in the job's topic order, then by partition; topic and
     *                  partition together identify one (a job may read several topics)
     */
    public record Restored(long id, long timeMs, long watermarkMs, List<Position> positions) {
        public Restored {
            positions = List.copyOf(positions);
        }
    }

    private final LongSupplier clockMs;

    private final WindowResult[] results = new WindowResult[RESULT_CAPACITY];
    private final long[] resultTimes = new long[RESULT_CAPACITY];
    private long resultCount;

    private final long[] letterTimes = new long[DEAD_LETTER_CAPACITY];
    private final int[] letterPartitions = new int[DEAD_LETTER_CAPACITY];
    private final long[] letterOffsets = new long[DEAD_LETTER_CAPACITY];
    private final InvalidReason[] letterReasons = new InvalidReason[DEAD_LETTER_CAPACITY];
    private final String[] letterDetails = new String[DEAD_LETTER_CAPACITY];
    private long letterCount;

    private final long[] checkpointIds = new long[CHECKPOINT_CAPACITY];
    private final long[] checkpointTimes = new long[CHECKPOINT_CAPACITY];
    private final long[] checkpointDurations = new long[CHECKPOINT_CAPACITY];
    private final long[] checkpointSizes = new long[CHECKPOINT_CAPACITY];
    private final boolean[] checkpointCompleted = new boolean[CHECKPOINT_CAPACITY];
    private long checkpointCount;

    private volatile Restored restored;

    public JobActivity() {
        this(System::currentTimeMillis);
    }

    /** @param clockMs the wall clock stamped on results and dead letters (tests pass their own) */
    public JobActivity(LongSupplier clockMs) {
        this.clockMs = clockMs;
    }

    /** A handler that records each dead letter's origin and reason here, then hands it to {@code next}. Task thread. */
    public DeadLetterHandler recordDeadLetters(DeadLetterHandler next) {
        return (partition, offset, payload, payloadOffset, payloadLength, reason, detail) -> {
            recordDeadLetter(partition, offset, reason, detail);
            next.deadLetter(partition, offset, payload, payloadOffset, payloadLength, reason, detail);
        };
    }

    /** The listener to install with {@link JobMetrics#setCheckpointListener}. */
    public JobMetrics.CheckpointListener checkpointListener() {
        return new JobMetrics.CheckpointListener() {
            @Override
            public void completed(long id, long timeMs, long durationNanos, long sizeBytes) {
                recordCheckpoint(id, timeMs, durationNanos, sizeBytes, true);
            }

            @Override
            public void failed(long timeMs) {
                recordCheckpoint(0, timeMs, 0, 0, false);
            }
        };
    }

    /** Records the checkpoint the job resumed from; once, before the task runs. */
    public void restoredFrom(Restored checkpoint) {
        this.restored = checkpoint;
    }

    /** Records a result the sinks accepted; task thread (the results sink's observer). */
    public void recordResult(WindowResult result) {
        long now = clockMs.getAsLong();
        synchronized (results) {
            int slot = (int) (resultCount++ % RESULT_CAPACITY);
            results[slot] = result;
            resultTimes[slot] = now;
        }
    }

    void recordDeadLetter(int partition, long offset, InvalidReason reason, String detail) {
        long now = clockMs.getAsLong();
        synchronized (letterTimes) {
            int slot = (int) (letterCount++ % DEAD_LETTER_CAPACITY);
            letterTimes[slot] = now;
            letterPartitions[slot] = partition;
            letterOffsets[slot] = offset;
            letterReasons[slot] = reason;
            letterDetails[slot] = detail;
        }
    }

    void recordCheckpoint(long id, long timeMs, long durationNanos, long sizeBytes, boolean completed) {
        synchronized (checkpointIds) {
            int slot = (int) (checkpointCount++ % CHECKPOINT_CAPACITY);
            checkpointIds[slot] = id;
            checkpointTimes[slot] = timeMs;
            checkpointDurations[slot] = durationNanos;
            checkpointSizes[slot] = sizeBytes;
            checkpointCompleted[slot] = completed;
        }
    }

    /** Up to {@code limit} of the most recent results, newest first. */
    public List<RecentResult> recentResults(int limit) {
        synchronized (results) {
            int n = (int) Math.min(Math.min(limit, RESULT_CAPACITY), resultCount);
            List<RecentResult> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int slot = (int) ((resultCount - 1 - i) % RESULT_CAPACITY);
                out.add(new RecentResult(results[slot], resultTimes[slot]));
            }
            return out;
        }
    }

    /** The most recent dead letters, newest first. */
    public List<DeadLetter> recentDeadLetters() {
        synchronized (letterTimes) {
            int n = (int) Math.min(DEAD_LETTER_CAPACITY, letterCount);
            List<DeadLetter> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int slot = (int) ((letterCount - 1 - i) % DEAD_LETTER_CAPACITY);
                out.add(new DeadLetter(letterTimes[slot], letterPartitions[slot], letterOffsets[slot],
                        letterReasons[slot], letterDetails[slot]));
            }
            return out;
        }
    }

    /** The most recent checkpoint attempts, newest first. */
    public List<CheckpointEvent> checkpointHistory() {
        synchronized (checkpointIds) {
            int n = (int) Math.min(CHECKPOINT_CAPACITY, checkpointCount);
            List<CheckpointEvent> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                int slot = (int) ((checkpointCount - 1 - i) % CHECKPOINT_CAPACITY);
                out.add(new CheckpointEvent(checkpointIds[slot], checkpointTimes[slot], checkpointDurations[slot],
                        checkpointSizes[slot], checkpointCompleted[slot]));
            }
            return out;
        }
    }

    /** The checkpoint the job resumed from, or null when it started without state. */
    public Restored restored() {
        return restored;
    }
}
