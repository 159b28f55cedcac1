package io.flinklite.runtime.checkpoint;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.BatchHook;
import io.flinklite.runtime.task.StreamTask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints a {@link StreamTask}: the {@link BatchHook} that takes a checkpoint every interval, the final checkpoint
 * of a graceful stop, and the restore of a checkpoint into a fresh task.
 *
 * <p>A snapshot, taken between batches on the task thread, is: flush the sinks (at-least-once: every result fired
 * before the checkpoint is durable before the checkpoint can become the restore point), record the task's state
 * into a {@link StateTape}, read the positions and partition watermarks, and (exactly-once) take the results
 * fired since the previous checkpoint from the {@link PendingResults} sink. Encoding, writing, fsync and the Kafka
 * transaction follow on the {@link CheckpointCoordinator}'s writer thread.
 *
 * <p>Thread use: everything on the task thread, except {@link #close()}, which the task's owner calls after
 * {@link StreamTask#run()} returned.
 */
public final class TaskCheckpointer implements BatchHook, AutoCloseable {

    private final CheckpointCoordinator coordinator;
    /** By the task's source index: the topic each source reads, and its id (null when unknown). */
    private final List<String> topics;
    private final List<String> topicIds;
    private final String fingerprint;
    private final Delivery delivery;
    private final PendingResults<WindowResult> pending;
    private final JobMetrics metrics;
    private StreamTask task;
    private long previousId;
    private int lastStateBytes = 4_096;
    private int lastStateStrings = 256;

    /**
     * @param recovered  what recovery restored (the first checkpoint continues it) and the first id to use
     * @param topic      the input topic, recorded with each partition's offset
     * @param pending    the result sink of an exactly-once job; {@code null} under at-least-once
     * @param committer  runs on the writer thread after each checkpoint is durable (the Kafka transaction)
     * @param listener   runs on the task thread after each completed checkpoint (commit offsets for lag monitoring)
     */
    public TaskCheckpointer(CheckpointStore store, long intervalMs, long startMs, CheckpointRecovery.Recovered recovered,
                            String topic, String fingerprint, Delivery delivery, PendingResults<WindowResult> pending,
                            CheckpointCoordinator.Committer committer, CheckpointCoordinator.CompletionListener listener,
                            JobMetrics metrics) {
        this(store, intervalMs, startMs, recovered, topic, null, fingerprint, delivery, pending, committer, listener, metrics);
    }

    /**
     * As the constructor without it, and:
     *
     * @param topicId the input topic's id, recorded with each position so that a restore can tell a recreated
     *                topic; null when unknown
     */
    public TaskCheckpointer(CheckpointStore store, long intervalMs, long startMs, CheckpointRecovery.Recovered recovered,
                            String topic, String topicId, String fingerprint, Delivery delivery,
                            PendingResults<WindowResult> pending, CheckpointCoordinator.Committer committer,
                            CheckpointCoordinator.CompletionListener listener, JobMetrics metrics) {
        this(store, intervalMs, startMs, recovered, List.of(topic), java.util.Collections.singletonList(topicId),
                fingerprint, delivery, pending, committer, listener, metrics);
    }

    /**
     * As the constructors for one topic, for a task of several sources:
     *
     * @param topics   the topic of each of the task's sources, by source index, recorded with each offset
     * @param topicIds their ids, in the same order (an element null when unknown)
     */
    public TaskCheckpointer(CheckpointStore store, long intervalMs, long startMs, CheckpointRecovery.Recovered recovered,
                            List<String> topics, List<String> topicIds, String fingerprint, Delivery delivery,
                            PendingResults<WindowResult> pending, CheckpointCoordinator.Committer committer,
                            CheckpointCoordinator.CompletionListener listener, JobMetrics metrics) {
        if ((delivery == Delivery.EXACTLY_ONCE) != (pending != null)) {
            throw new IllegalArgumentException("exactly-once delivery needs a pending-results sink, and only it does");
        }
        if (topics.size() != topicIds.size()) {
            throw new IllegalArgumentException(topics.size() + " topics but " + topicIds.size() + " topic ids");
        }
        this.topics = List.copyOf(topics);
        this.topicIds = new ArrayList<>(topicIds);
        this.fingerprint = fingerprint;
        this.delivery = delivery;
        this.pending = pending;
        this.metrics = metrics;
        this.previousId = recovered.restoredId();
        this.coordinator = new CheckpointCoordinator(store, intervalMs, recovered.nextId(), startMs, this::snapshot,
                committer, listener, metrics, delivery == Delivery.EXACTLY_ONCE);
    }

    /** Restores {@code checkpoint} into a fresh task, before {@link StreamTask#run()}: state, watermarks, positions. */
    public static void restore(StreamTask task, Checkpoint checkpoint) {
        TapeStateReader in = new TapeStateReader(checkpoint.state());
        in.beginObject(null);
        task.restoreState(in);
        in.endObject();
    }

    @Override
    public void afterBatch(StreamTask task, long nowMs) {
        this.task = task;
        coordinator.maybeCheckpoint(nowMs);
    }

    /**
     * The final checkpoint of a graceful stop, after {@link StreamTask#run()} returned: waits until it is written
     * (and, exactly-once, committed).
     *
     * @throws CheckpointCoordinator.CheckpointFailedException when it fails
     */
    public Checkpoint finalCheckpoint(StreamTask task, long nowMs) {
        this.task = task;
        return coordinator.checkpointNow(nowMs);
    }

    /** The task-thread pause of the last checkpoint, nanoseconds. */
    public long lastPauseNanos() {
        return coordinator.lastPauseNanos();
    }

    /** The longest task-thread pause so far, nanoseconds. */
    public long maxPauseNanos() {
        return coordinator.maxPauseNanos();
    }

    private Checkpoint snapshot(long id, long timeMs) throws Exception {
        task.flushSinks();
        // Sized from the previous snapshot, with room to grow, so that recording does not keep copying arrays.
        TapeStateWriter out = new TapeStateWriter(lastStateBytes + lastStateBytes / 4, lastStateStrings + lastStateStrings / 4);
        out.beginObject(null);
        task.snapshotState(out);
        out.endObject();
        StateTape state = out.finish();
        lastStateBytes = state.byteSize();
        lastStateStrings = state.stringCount();
        if (task.sourceCount() != topics.size()) {
            throw new IllegalStateException("the task has " + task.sourceCount() + " sources, the checkpoints name "
                    + topics.size() + " topics");
        }
        List<SourcePosition> sources = new ArrayList<>();
        for (int source = 0; source < topics.size(); source++) {
            for (Map.Entry<Integer, Long> e : task.positions(source).entrySet()) {
                sources.add(new SourcePosition(topics.get(source), e.getKey(), e.getValue(),
                        task.partitionWatermark(source, e.getKey()), topicIds.get(source)));
            }
        }
        List<WindowResult> results = pending == null ? List.of() : pending.drain();
        List<EncodedResult> records = pending == null ? List.of() : pending.drainRecords();
        Checkpoint checkpoint = new Checkpoint(id, previousId, timeMs, fingerprint, delivery.label(), sources,
                task.watermarkMs(), state, results, records);
        previousId = id;
        return checkpoint;
    }

    /** Waits for a checkpoint in flight and stops the writer thread. */
    @Override
    public void close() {
        coordinator.close();
    }
}
