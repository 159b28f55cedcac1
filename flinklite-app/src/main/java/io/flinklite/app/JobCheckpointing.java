package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.checkpoint.EncodedResult;
import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.connector.kafka.TopicOffsets;
import io.flinklite.connector.kafka.TransactionalCommitter;
import io.flinklite.job.Timestamps;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointCoordinator;
import io.flinklite.runtime.checkpoint.CheckpointRecovery;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.IncompatibleCheckpointException;
import io.flinklite.runtime.checkpoint.RestoreCheck;
import io.flinklite.runtime.checkpoint.UnrecoverableCheckpointException;
import io.flinklite.runtime.checkpoint.PendingResults;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskCheckpointer;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Checkpoints of a {@link KafkaJob}: recovery at startup, the results sink the delivery guarantee needs, periodic
 * checkpoints while the task runs, the final checkpoint of a clean stop, and the offset commits for lag monitoring.
 *
 * <p>Lifecycle, all on the task thread: {@link #recover} before the task is built; {@link #results} when building
 * it; {@link #attach} before {@link StreamTask#run()}; {@link #finish} after it returned from a stop;
 * {@link #close()} always.
 */
final class JobCheckpointing implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobCheckpointing.class);

    private final CheckpointSettings settings;
    private final KafkaJob.Settings job;
    private final KafkaSourceReader source;
    private final JobMetrics metrics;
    private final CheckpointStore store;
    private final TransactionalCommitter committer;
    private final PendingResults<WindowResult> pending;
    /** By input topic, in source order: the topic's id, recorded with each position. */
    private final Map<String, String> topicIds = new LinkedHashMap<>();
    /** What {@link #recover} checked against; every checkpoint this job writes carries it. */
    private String fingerprint;
    private CheckpointRecovery.Recovered recovered;
    private TaskCheckpointer checkpointer;
    private Sink<WindowResult> output;
    private Sink<EncodedResult> recordOutput;

    private JobCheckpointing(CheckpointSettings settings, KafkaJob.Settings job, KafkaSourceReader source, JobMetrics metrics) {
        this.settings = settings;
        this.job = job;
        this.source = source;
        this.metrics = metrics;
        // Before the committer: nothing to close when a topic cannot be described.
        List<String> topics = job.inputTopics();
        for (int i = 0; i < topics.size(); i++) {
            topicIds.put(topics.get(i), job.connection().topicId(topics.get(i), "create it first, or name another with "
                    + job.inputTopicFlag(i)));
        }
        boolean exactlyOnce = settings.delivery() == Delivery.EXACTLY_ONCE;
        this.committer = exactlyOnce ? new TransactionalCommitter(job.connection(),
                settings.transactionalId(job.groupId(), job.inputTopic()),
                TransactionalCommitter.commitGroupOf(job.groupId()), job.outputTopic(), job.tooLargeTopic(), metrics) : null;
        this.pending = exactlyOnce ? new PendingResults<>() : null;
        try {
            this.store = settings.storeKind() == CheckpointSettings.Store.KAFKA
                    // Exactly-once: the store writes each snapshot inside the committer's transaction.
                    ? KafkaCheckpointStore.create(job.connection(), settings.checkpointTopic(job.groupId()),
                    KafkaCheckpointStore.taskKeyOf(job.inputTopic()), CheckpointStore.DEFAULT_RETAIN, RestoreCheck.INSTANCE,
                    committer)
                    : settings.store();
        } catch (RuntimeException e) {
            if (committer != null) {
                committer.close();
            }
            throw e;
        }
    }

    /**
     * What the coordinator runs after each write: the directory store's checkpoint is committed by its own
     * transaction; the Kafka store's write already was that transaction.
     */
    private CheckpointCoordinator.Committer commitStep() {
        return committer == null || store instanceof KafkaCheckpointStore ? CheckpointCoordinator.Committer.NONE : committer;
    }

    /**
     * Opens the job's checkpoint store (and, under exactly-once, its transactional committer), recovering nothing
     * yet: the task is built between this and {@link #recover}, with {@link #results} as its result sink, so that
     * recovery checks checkpoints against the fingerprint of the graph the task runs. The caller closes it.
     */
    static JobCheckpointing open(CheckpointSettings settings, KafkaJob.Settings job, KafkaSourceReader source,
                                 JobMetrics metrics) {
        return new JobCheckpointing(settings, job, source, metrics);
    }

    /**
     * Decides which checkpoint to resume from (see {@link CheckpointRecovery}), refusing one of another
     * {@code fingerprint} ({@link KafkaJob#fingerprint} of the task); under exactly-once it first fences earlier
     * instances and commits checkpoints that were written but not committed. Once, before {@link #attach}.
     */
    void recover(String fingerprint) throws Exception {
        this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
        long now = System.currentTimeMillis();
        if (committer != null) {
            committer.initTransactions();
            try {
                recovered = CheckpointRecovery.exactlyOnce(store, fingerprint,
                        committer.committedCheckpointId(job.inputTopics()), committer, settings.freshStart(), now);
            } catch (UnrecoverableCheckpointException | IncompatibleCheckpointException e) {
                if (settings.restoreFrom() == null) {
                    throw e;
                }
                // The checkpoint to restore was named: what the directory holds only matters for its roll-forward.
                LOG.warn("{}; restoring {} as asked", e.getMessage(), settings.restoreFrom());
            }
        } else if (settings.restoreFrom() == null) {
            recovered = CheckpointRecovery.atLeastOnce(store, fingerprint, settings.freshStart(), now);
        }
        if (settings.restoreFrom() != null) {
            recovered = CheckpointRecovery.fromFile(store, settings.restoreFrom(), fingerprint);
        }
        if (recovered.checkpoint().isPresent()) {
            requireSameInput(recovered.checkpoint().get(), job, store.location(), topicIds);
        }
        metrics.addCheckpointsSkipped(recovered.skipped());
        recovered.checkpoint().ifPresentOrElse(
                cp -> LOG.info("restoring checkpoint {} of {}, taken {} ({} partitions, watermark {}); delivery {}", cp.id(),
                        store.location(), Timestamps.format(cp.timeMs()), cp.sources().size(),
                        cp.watermarkMs() == Long.MIN_VALUE ? "none yet" : Timestamps.format(cp.watermarkMs()),
                        settings.delivery()),
                () -> LOG.info("no checkpoint to restore in {}: starting without state; delivery {}",
                        store.location(), settings.delivery()));
    }

    /** The checkpoint {@link #recover} chose to resume from; empty for a start without state. */
    java.util.Optional<Checkpoint> restored() {
        return recovered.checkpoint();
    }

    /**
     * Refuses a checkpoint whose offsets cannot belong to the job's input: taken reading another topic (or, for a
     * job of several topics, a topic it does not read), or another topic of the same name (its topic id differs: the
     * topic was deleted and recreated), or resuming beyond the end of a partition (a checkpoint of an older build,
     * which records no topic id, of a recreated topic, or another cluster). Restoring it would silently skip or mix
     * records. (Which topics a job of several reads, and in which order, is also in its fingerprint.)
     */
    private static void requireSameInput(Checkpoint checkpoint, KafkaJob.Settings job, String location,
                                         Map<String, String> topicIds) {
        Map<String, Map<Integer, Long>> offsets = new LinkedHashMap<>();
        boolean withoutId = false;
        for (SourcePosition p : checkpoint.sources()) {
            String topicId = topicIds.get(p.topic());
            if (topicId == null) {
                throw new IllegalArgumentException("checkpoint " + checkpoint.id() + " in " + location + " was taken"
                        + " reading topic '" + p.topic() + "', but this job reads " + describe(job.inputTopics())
                        + ". Use another --checkpoint-dir, or pass --fresh-start to start without state");
            }
            if (p.topicId() == null) {
                withoutId = true;
            } else if (!p.topicId().equals(topicId)) {
                throw new IllegalArgumentException("checkpoint " + checkpoint.id() + " in " + location + " was taken"
                        + " reading topic '" + p.topic() + "' with topic id " + p.topicId() + ", but '" + p.topic()
                        + "' now has id " + topicId + ": the topic was deleted and recreated, so the checkpoint's offsets"
                        + " name other records. Pass --fresh-start to start without state, or use another --checkpoint-dir");
            }
            offsets.computeIfAbsent(p.topic(), t -> new HashMap<>()).put(p.partition(), p.nextOffset());
        }
        if (withoutId && !offsets.isEmpty()) {
            LOG.info("checkpoint {} records no topic id (written by an older FlinkLite): restoring it on its offsets alone;"
                    + " the next checkpoint records the id of {}", checkpoint.id(), describe(job.inputTopics()));
        }
        for (Map.Entry<String, Map<Integer, Long>> topic : offsets.entrySet()) {
            Map<Integer, Long> ends = TopicOffsets.endOffsets(job.connection(), topic.getKey(), topic.getValue().keySet());
            for (Map.Entry<Integer, Long> e : topic.getValue().entrySet()) {
                Long end = ends.get(e.getKey());
                if (end != null && e.getValue() > end) {
                    throw new IllegalArgumentException("checkpoint " + checkpoint.id() + " in " + location + " resumes "
                            + topic.getKey() + "-" + e.getKey() + " at offset " + e.getValue() + ", but that partition ends at "
                            + end + " (was the topic recreated, or is this another cluster?). Pass --fresh-start to start"
                            + " without state, or use another --checkpoint-dir");
                }
            }
        }
    }

    /** {@code 'a'}, or {@code 'a', 'b'} for several topics. */
    private static String describe(List<String> topics) {
        StringBuilder sb = new StringBuilder();
        for (String t : topics) {
            sb.append(sb.length() == 0 ? "" : ", ").append('\'').append(t).append('\'');
        }
        return sb.toString();
    }

    /**
     * The sink the task writes results to: under at-least-once {@code output} itself (results leave as they fire);
     * under exactly-once a buffer whose contents each checkpoint's transaction commits.
     */
    Sink<WindowResult> results(Sink<WindowResult> output) {
        this.output = output;
        return pending != null ? pending : output;
    }

    /**
     * As {@link #results}, for the results that are not window results, encoded (a join's pairs, a user job's
     * records): {@code output} itself under at-least-once, else the pending buffer's record list.
     *
     * @param output null when they go nowhere but the console
     */
    Sink<EncodedResult> records(Sink<EncodedResult> output) {
        this.recordOutput = output;
        return pending != null ? pending.records() : output;
    }

    /**
     * Restores the recovered checkpoint into {@code task} and starts periodic checkpoints. Switching from exactly-once
     * to at-least-once, the results the restored checkpoint was still to commit (when Kafka does not record its
     * commit) are written first.
     */
    void attach(StreamTask task) throws Exception {
        if (recovered.checkpoint().isPresent()) {
            Checkpoint restored = recovered.checkpoint().get();
            try {
                TaskCheckpointer.restore(task, restored);
            } catch (RuntimeException e) {
                // Checked beforehand for the built-in job (RestoreCheck); a user job's own state is checked only here.
                throw new UnrecoverableCheckpointException("checkpoint " + restored.id() + " in " + store.location()
                        + " cannot be restored: " + e.getMessage() + ". Pass --restore-from with an older checkpoint,"
                        + " or --fresh-start to start without state", e);
            }
            if (pending == null && restored.pendingCount() > 0
                    && TransactionalCommitter.committedCheckpointId(job.connection(),
                    TransactionalCommitter.commitGroupOf(job.groupId()), job.inputTopics()).orElse(0) < restored.id()) {
                if (output != null) {
                    for (WindowResult r : restored.pendingResults()) {
                        output.write(r);
                    }
                    output.flush();
                }
                if (recordOutput != null) {
                    for (EncodedResult r : restored.pendingRecords()) {
                        recordOutput.write(r);
                    }
                    recordOutput.flush();
                }
                LOG.info("wrote the {} results exactly-once checkpoint {} was still to commit", restored.pendingCount(),
                        restored.id());
            }
        }
        CheckpointCoordinator.Committer commit = commitStep();
        checkpointer = new TaskCheckpointer(store, settings.intervalMs(), System.currentTimeMillis(), recovered,
                job.inputTopics(), new java.util.ArrayList<>(topicIds.values()), fingerprint, settings.delivery(), pending, commit, this::completed, metrics);
        task.addHook(checkpointer);
    }

    /**
     * After each completed checkpoint: commit its offsets to the job's consumer group, for lag monitoring and as the
     * partitions' watermark reports to other members (the checkpoint's watermark of each, at its offset).
     */
    private void completed(Checkpoint checkpoint) {
        source.commit(checkpoint.sources());
    }

    /** The final checkpoint of a clean stop; waits until it is written (and committed). */
    void finish(StreamTask task) {
        Checkpoint last = checkpointer.finalCheckpoint(task, System.currentTimeMillis());
        LOG.info("final checkpoint {} written to {} (longest checkpoint pause {} ms)", last.id(), store.location(),
                String.format("%.1f", checkpointer.maxPauseNanos() / 1e6));
    }

    @Override
    public void close() {
        try {
            if (checkpointer != null) {
                checkpointer.close();
            }
        } finally {
            try {
                if (store instanceof KafkaCheckpointStore) {
                    ((KafkaCheckpointStore) store).close();
                }
            } finally {
                if (committer != null) {
                    committer.close();
                }
            }
        }
    }
}
