package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.metrics.JobMetrics;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Takes periodic checkpoints of one job without stalling it.
 *
 * <p>The task thread calls {@link #maybeCheckpoint(long)} between batches. When a checkpoint is due and none is in
 * flight, the coordinator asks the {@link Snapshotter} for a {@link Checkpoint} (the only pause the task thread
 * sees: recording offsets and operator state into memory) and hands it to its writer thread, which encodes it,
 * writes and fsyncs it ({@link CheckpointStore#write}) and then runs the {@link Committer} (exactly-once: the Kafka
 * transaction of the checkpoint's results and offsets). The task thread learns the outcome at a later
 * {@link #maybeCheckpoint} and passes completed checkpoints to the {@link CompletionListener} (commit offsets to
 * Kafka for lag monitoring, on the consumer's thread). At most one checkpoint is in flight: when writing takes
 * longer than the interval, the next one waits rather than queueing up.
 *
 * <p>Failures. A failed checkpoint is counted ({@link JobMetrics#checkpointFailed()}) and logged. With
 * {@code failuresAreFatal} false (at-least-once) the job carries on and the next interval tries again; the previous
 * checkpoint stays the restore point. With it true (exactly-once), {@link #maybeCheckpoint} throws
 * {@link CheckpointFailedException}: the failed checkpoint's results would otherwise be lost, so the job must stop
 * and recover from what Kafka committed.
 *
 * <p>Thread use: every public method is for the task thread only; the writer thread is private.
 */
public final class CheckpointCoordinator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CheckpointCoordinator.class.getName());

    /** Records the job's state; called on the task thread, between batches, so everything it reads is quiescent. */
    @FunctionalInterface
    public interface Snapshotter {
        /**
         * @return a checkpoint with this id and time: the position in every input partition, the operators' state,
         * and (exactly-once) the results fired since the previous checkpoint; nothing in it may be changed later
         */
        Checkpoint snapshot(long id, long timeMs) throws Exception;
    }

    /** Makes a durably written checkpoint take effect downstream; called on the writer thread. */
    @FunctionalInterface
    public interface Committer {
        /** Does nothing: at-least-once delivery needs no commit step. */
        Committer NONE = checkpoint -> { };

        void commit(Checkpoint checkpoint) throws Exception;
    }

    /** Told about each completed checkpoint, on the task thread, in id order. */
    @FunctionalInterface
    public interface CompletionListener {
        CompletionListener NONE = checkpoint -> { };

        void completed(Checkpoint checkpoint) throws Exception;
    }

    private final CheckpointStore store;
    private final long intervalMs;
    private final Snapshotter snapshotter;
    private final Committer committer;
    private final CompletionListener listener;
    private final JobMetrics metrics;
    private final boolean failuresAreFatal;
    private final ExecutorService writer;

    private long nextId;
    private long nextDueMs;
    private CompletableFuture<Long> inFlight;
    private Checkpoint inFlightCheckpoint;
    private long inFlightStartNanos;
    private long lastPauseNanos;
    private long maxPauseNanos;

    /**
     * @param firstId          id of the first checkpoint this run takes: one above the highest on disk
     * @param startMs          now; the first checkpoint is due one interval later
     * @param failuresAreFatal true under exactly-once delivery (see the class comment)
     */
    public CheckpointCoordinator(CheckpointStore store, long intervalMs, long firstId, long startMs, Snapshotter snapshotter,
                                 Committer committer, CompletionListener listener, JobMetrics metrics,
                                 boolean failuresAreFatal) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("checkpoint interval must be positive, got " + intervalMs + " ms");
        }
        if (firstId <= 0) {
            throw new IllegalArgumentException("first checkpoint id must be positive, got " + firstId);
        }
        this.store = store;
        this.intervalMs = intervalMs;
        this.nextId = firstId;
        this.nextDueMs = startMs + intervalMs;
        this.snapshotter = snapshotter;
        this.committer = committer;
        this.listener = listener;
        this.metrics = metrics;
        this.failuresAreFatal = failuresAreFatal;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "flinklite-checkpoint-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Between batches: collects the outcome of a finished checkpoint, and starts the next one when it is due.
     *
     * @return true when a checkpoint was started by this call
     * @throws CheckpointFailedException when a checkpoint failed and failures are fatal
     */
    public boolean maybeCheckpoint(long nowMs) {
        collect(false);
        if (inFlight != null || nowMs < nextDueMs) {
            return false;
        }
        return start(nowMs);
    }

    /**
     * Takes a checkpoint now and waits until it is written and committed: the final checkpoint of a graceful stop.
     * Waits for a checkpoint in flight first.
     *
     * @return the completed checkpoint
     * @throws CheckpointFailedException when it (or the one in flight) failed
     */
    public Checkpoint checkpointNow(long nowMs) {
        collect(true);
        start(nowMs);
        Checkpoint completed = collect(true);
        if (completed == null) {
            throw new CheckpointFailedException("final checkpoint failed; the job restarts from the previous one", null);
        }
        return completed;
    }

    /** How long the task thread was paused by the last snapshot, in nanoseconds. */
    public long lastPauseNanos() {
        return lastPauseNanos;
    }

    /** The longest snapshot pause so far, in nanoseconds. */
    public long maxPauseNanos() {
        return maxPauseNanos;
    }

    /** Id the next checkpoint will get. */
    public long nextId() {
        return nextId;
    }

    /** @return true when the snapshot was taken and handed to the writer */
    private boolean start(long nowMs) {
        long id = nextId;
        long t0 = System.nanoTime();
        Checkpoint checkpoint;
        try {
            checkpoint = snapshotter.snapshot(id, nowMs);
        } catch (Exception e) {
            failed(id, e);
            nextDueMs = nowMs + intervalMs;
            return false;
        } finally {
            lastPauseNanos = System.nanoTime() - t0;
            maxPauseNanos = Math.max(maxPauseNanos, lastPauseNanos);
        }
        if (checkpoint.id() != id) {
            throw new IllegalStateException("snapshotter returned checkpoint " + checkpoint.id() + " when asked for " + id);
        }
        nextId = id + 1;
        nextDueMs = nowMs + intervalMs;
        inFlightCheckpoint = checkpoint;
        inFlightStartNanos = t0;
        inFlight = CompletableFuture.supplyAsync(() -> writeAndCommit(checkpoint), writer);
        return true;
    }

    /** Runs on the writer thread. */
    private long writeAndCommit(Checkpoint checkpoint) {
        try {
            long size = store.write(checkpoint);
            committer.commit(checkpoint);
            return size;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            // Unwrapped again by collect(): the failure is reported with its own message, once.
            throw new CompletionException(e);
        }
    }

    /**
     * Takes the outcome of the checkpoint in flight, if it is done (or when {@code wait}, once it is done).
     *
     * @return the checkpoint when one completed successfully, else null
     */
    private Checkpoint collect(boolean wait) {
        if (inFlight == null || (!wait && !inFlight.isDone())) {
            return null;
        }
        Checkpoint checkpoint = inFlightCheckpoint;
        CompletableFuture<Long> done = inFlight;
        inFlight = null;
        inFlightCheckpoint = null;
        long size;
        try {
            size = done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(checkpoint.id(), e);
            return null;
        } catch (ExecutionException e) {
            failed(checkpoint.id(), e.getCause());
            return null;
        }
        metrics.checkpointCompleted(checkpoint.id(), checkpoint.timeMs(), System.nanoTime() - inFlightStartNanos, size);
        LOG.log(System.Logger.Level.DEBUG, "checkpoint " + checkpoint.id() + " complete: " + size + " bytes, pause "
                + lastPauseNanos / 1_000 + " us");
        try {
            listener.completed(checkpoint);
        } catch (Exception e) {
            // The checkpoint itself is complete; only its downstream notice (offset commit for lag) failed.
            LOG.log(System.Logger.Level.WARNING, "checkpoint " + checkpoint.id() + " is complete, but its follow-up failed"
                    + " (next checkpoint retries): " + e.getMessage());
        }
        return checkpoint;
    }

    private void failed(long id, Throwable cause) {
        metrics.checkpointFailed();
        String message = "checkpoint " + id + " failed: " + (cause == null ? "unknown" : cause.getMessage());
        if (failuresAreFatal) {
            throw new CheckpointFailedException(message, cause);
        }
        // A failure its source marks as final (a sink refusing every later write) ends the job at its next batch:
        // saying "retrying" would promise a checkpoint that never comes.
        LOG.log(System.Logger.Level.WARNING, message + " (the previous checkpoint remains the restore point; "
                + (isStopping(cause) ? "the job stops" : "retrying in " + intervalMs + " ms") + ")");
    }

    private static boolean isStopping(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StopsTheJob) {
                return true;
            }
        }
        return false;
    }

    /** Waits for a checkpoint in flight (reporting its outcome) and stops the writer thread. */
    @Override
    public void close() {
        try {
            collect(true);
        } catch (CheckpointFailedException e) {
            // Already counted; the owner is shutting down, usually because of an earlier failure it is reporting.
            LOG.log(System.Logger.Level.WARNING, e.getMessage());
        } finally {
            writer.shutdown();
            try {
                if (!writer.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "checkpoint writer did not stop within 30 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Marks a failure after which the job cannot go on, whatever the delivery: typically a sink whose write failed
     * and which refuses every later write and flush, so the job stops at its next batch. A checkpoint failing on one
     * (anywhere in its cause chain) is reported as stopping the job, not as retried at the next interval.
     */
    public interface StopsTheJob {
    }

    /** A checkpoint could not be taken, written or committed. */
    public static final class CheckpointFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CheckpointFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
