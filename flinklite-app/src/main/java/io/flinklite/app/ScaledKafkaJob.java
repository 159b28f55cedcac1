package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaOutput;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.TaskManager;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One instance of a job that scales out ({@code run --scale-out}): ONE consumer, in the job's group, reads the input
 * topic and the repartition topic; every partition it is assigned is a task of its own ({@link TaskManager}): a
 * source task per input partition (decode, watermark, pre-aggregate, write to the repartition topic), a keyed task
 * per repartition partition (windows, results). A partition that moves takes its task's snapshot along: the new
 * owner restores it and seeks to its offsets, so no window is lost or doubled.
 *
 * <p>The consumer reads both topics with the range assignor ({@link KafkaSourceReader} does for several topics), so
 * partition p of the input and partition p of the repartition topic land on the same instance: with as many
 * repartition partitions as input partitions, an instance's source tasks and keyed tasks are balanced alike.
 *
 * <p>At-least-once, order of a checkpoint and of a revocation, per task: its output (results, repartition records)
 * is flushed, then its snapshot written, then its offsets committed. A partition lost without a hand-over (the
 * session expired) is dropped without a snapshot: its new owner may already have resumed it.
 *
 * <p>Exactly-once ({@code transactions} given: Kafka Streams' EOS-v2, KIP-447): every write of the instance goes
 * into the one open transaction of its producer; a checkpoint (interval, revocation, clean stop) sends the snapshots
 * of ALL owned tasks into it, then the positions of all owned tasks with the consumer's group metadata, and commits:
 * output, snapshots and offsets show together or not at all. Both topics are read {@code read_committed}, so a keyed
 * task never sees what a source task wrote in a transaction that did not commit. When the transaction cannot commit
 * (a write failed, the group moved the partitions on: the commit is refused for a stale generation, the broker timed
 * it out) or partitions are lost, it is aborted and EVERY owned task is dropped, since each one's state may hold
 * effects of the aborted transaction; the tasks still assigned are re-created from their last committed snapshots
 * and their partitions sought back. A restore checks the snapshot against the group's committed offset, which one
 * transaction wrote with it: a store read that does not show the committed snapshot yet is read again.
 *
 * <p>Threading: everything on the task thread ({@link #run}); {@link #stop()} from any thread.
 */
final class ScaledKafkaJob {

    private static final Logger LOG = LoggerFactory.getLogger(ScaledKafkaJob.class);
    private static final long POLL_TIMEOUT_MS = 100;

    /** A task of one partition, as the stages build it. */
    interface StageTask extends TaskManager.Task {
        /**
         * One record of the task's partition, at index {@code i} of {@code batch}, with its Kafka key ({@code null}
         * when it has none; only the repartition topic's records are given their key). {@code batch} stays as it is
         * until {@link #afterBatch} has been called, so a task may keep the index instead of copying the record.
         */
        void process(RecordBatch batch, int i, byte[] key) throws Exception;

        /** Between batches: watermarks, idleness, firing due windows. */
        void afterBatch(long nowMs) throws Exception;
    }

    /** Where a source task writes the keyed stream and its watermark markers. */
    interface Repartition {
        /** Partitions of the repartition topic. */
        int partitions();

        /** Writes one record to one partition of the repartition topic. */
        void send(int partition, byte[] key, byte[] value);
    }

    /** Deletes records of the repartition topic that no keyed task can read again ({@code deleteRecords}). */
    interface Purge {
        /** Records of repartition partition {@code partition} below {@code offset} may go. */
        void before(int partition, long offset);
    }

    /** The two stages of a job, as the task runtime instantiates them per partition. */
    interface Stages {
        /**
         * The task of input partition {@code id} of an input of {@code sourcePartitions} partitions (its markers name
         * both, so keyed tasks know whom to wait for).
         */
        StageTask sourceTask(TaskId id, int sourcePartitions, Repartition out, DeadLetterHandler deadLetters,
                             java.util.function.LongSupplier lag);

        /** The task of repartition partition {@code id}: its windows' results and late records go to these sinks. */
        StageTask keyedTask(TaskId id, Sink<WindowResult> results, Sink<byte[]> late);

        /**
         * What shapes the tasks' state, for their snapshots: a snapshot of other stages is refused on restore.
         */
        String fingerprint();

        /**
         * Where the keyed tasks' results go: {@code kafka} (the output topic, printed) and the job's plug-in result
         * sinks (PostgreSQL, Cassandra), as one sink whose {@code flush()} makes them all durable, so that every
         * snapshot and offset commit comes after its results reached every sink (at-least-once, as the fused job).
         */
        default Sink<WindowResult> resultSink(Sink<WindowResult> kafka) {
            return kafka;
        }
    }

    /** How long a restore waits for the store to show the snapshot the group's committed offset belongs to. */
    private static final long COMMITTED_SNAPSHOT_WAIT_MS = 30_000;

    private final KafkaSourceReader reader;
    /** The instance's transactional output under exactly-once; null at-least-once. */
    private final KafkaOutput transactions;
    /** Tasks dropped with an aborted transaction, to re-create once the poll is through (exactly-once). */
    private final java.util.Set<TaskId> toRecreate = new java.util.TreeSet<>();
    /** Partitions sought back this round: records of theirs in the current batch were read past it. */
    private final java.util.Set<TaskId> rewound = new java.util.HashSet<>();
    /** A job-stopping failure inside a rebalance callback, which the reader only logs: thrown after the poll. */
    private RuntimeException callbackFailure;
    private final TaskManager<StageTask> tasks;
    private final List<String> topics;
    private final long checkpointIntervalMs;
    private final JobMetrics metrics;
    private final Runnable flushOutput;
    private final RecordBatch batch = new RecordBatch();
    private final KafkaSourceReader.StartFrom inputStart;
    private final Purge purge;
    /** Per owned keyed task (repartition partition), where its snapshot of the last checkpoint resumes. */
    private final Map<Integer, Long> lastKeyedPositions = new java.util.HashMap<>();
    /** The reader's source index of the repartition topic: the last; the input topics come before it. */
    private final int keyedSource;
    private volatile boolean stopRequested;
    /** Checkpoints of all owned tasks this run, for the metrics (each task's snapshot has its own id). */
    private long checkpoints;

    /**
     * @param reader      reads the input topics (sources 0..n-1) and the repartition topic (the last source), all from
     *                    the earliest offset
     * @param tasks       the tasks' lifecycle and snapshots
     * @param flushOutput makes everything the producer holds durable (before any snapshot and commit)
     * @param purge       told, after each checkpoint committed, where each owned keyed task's previous snapshot
     *                    resumes: what comes before no snapshot it could fall back to needs
     * @param inputStart where an input partition starts when its task has no snapshot and the group no committed
     *                   offset ({@code --start-from}); the repartition topic always starts at its beginning, so
     *                   that a keyed task reads everything the source tasks wrote before it was assigned
     */
    ScaledKafkaJob(KafkaSourceReader reader, TaskManager<StageTask> tasks, long checkpointIntervalMs,
                   JobMetrics metrics, Runnable flushOutput, KafkaSourceReader.StartFrom inputStart, Purge purge) {
        this(reader, tasks, checkpointIntervalMs, metrics, flushOutput, inputStart, purge, null);
    }

    /**
     * As the at-least-once constructor, exactly-once when {@code transactions} is given.
     *
     * @param transactions the instance's {@link KafkaOutput#transactional} output, which every task writes through
     *                     and the tasks' stores send their snapshots into; null for at-least-once
     */
    ScaledKafkaJob(KafkaSourceReader reader, TaskManager<StageTask> tasks, long checkpointIntervalMs,
                   JobMetrics metrics, Runnable flushOutput, KafkaSourceReader.StartFrom inputStart, Purge purge,
                   KafkaOutput transactions) {
        if (reader.sourceCount() < 2) {
            throw new IllegalArgumentException("a scaled-out job reads its input topics and its repartition topic, got "
                    + reader.topics());
        }
        this.reader = reader;
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.topics = reader.topics();
        this.keyedSource = topics.size() - 1;
        this.checkpointIntervalMs = checkpointIntervalMs;
        this.metrics = metrics;
        this.flushOutput = flushOutput;
        this.inputStart = Objects.requireNonNull(inputStart, "inputStart");
        this.purge = Objects.requireNonNull(purge, "purge");
        this.transactions = transactions;
        if (transactions == null) {
            // A rebalance commits every position of this consumer: whatever the tasks emitted must be durable first.
            reader.beforeRevokeCommit(flushOutput);
        } else {
            reader.offsetsInTransactions();
            // The open transaction holds every task's output: before any partition moves, all of them commit.
            reader.beforeRevokeCommit(this::checkpointBeforeRevocation);
        }
    }

    /** Runs until {@link #stop()}: then snapshots every owned task, commits their offsets, and returns. */
    void run() throws Exception {
        PartitionListener listener = new Listener();
        long nextCheckpointMs = System.currentTimeMillis() + checkpointIntervalMs;
        while (!stopRequested) {
            batch.clear();
            reader.poll(batch, listener, POLL_TIMEOUT_MS);
            if (transactions != null) {
                // Only now: the poll showed this instance still a member of the group (see KafkaOutput)
                transactions.registerAgainIfRetired();
            }
            afterCallbacks();
            // A poll returns each partition's records in one run, and no task starts or stops within the loop: the
            // task is looked up once per run, not per record (a TaskId and a map lookup each).
            int runSource = -1;
            int runPartition = -1;
            StageTask task = null;
            for (int i = 0; i < batch.size(); i++) {
                int source = batch.source(i);
                int partition = batch.partition(i);
                if (source != runSource || partition != runPartition) {
                    runSource = source;
                    runPartition = partition;
                    task = taskOf(source, partition, batch.offset(i));
                }
                if (task == null) {
                    continue; // read before its task was re-created and sought back: read again from there
                }
                task.process(batch, i, source == keyedSource
                        ? reader.keyOf(keyedSource, partition, batch.offset(i)) : null);
            }
            long now = System.currentTimeMillis();
            for (TaskId id : tasks.ownedTasks()) {
                tasks.task(id).afterBatch(now);
            }
            if (now >= nextCheckpointMs) {
                checkpoint(now);
                recreateDropped();
                nextCheckpointMs = now + checkpointIntervalMs;
            }
            publish();
        }
        int owned = tasks.ownedTasks().size();
        if (checkpoint(System.currentTimeMillis())) {
            LOG.info("stopped: output flushed, {} task snapshots written, offsets committed", owned);
        } else {
            LOG.warn("stopped: the final transaction was aborted; the {} tasks resume from their last committed"
                    + " snapshots", owned);
        }
    }

    /**
     * The owned task of a partition of the current batch; null when the partition was sought back this round (its
     * records in the batch were read before its task was re-created, and are read again).
     *
     * @throws IllegalStateException for a partition this instance does not own (cannot happen: revocation comes after
     *                               the partition's last record); dropping its records silently would lose them
     */
    private StageTask taskOf(int source, int partition, long offset) {
        TaskId of = new TaskId(topics.get(source), partition);
        if (!rewound.isEmpty() && rewound.contains(of)) {
            return null;
        }
        StageTask task = tasks.task(of);
        if (task == null) {
            throw new IllegalStateException("record of " + topics.get(source) + "-" + partition + " at offset "
                    + offset + " for no owned task");
        }
        return task;
    }

    /**
     * Snapshots every owned task and commits their offsets (exactly-once: with the output, in the open transaction).
     *
     * @return false when the transaction was aborted instead: every owned task was dropped, and is re-created by
     *         {@link #recreateDropped()}
     */
    private boolean checkpoint(long nowMs) throws Exception {
        long start = System.nanoTime();
        long bytesBefore = tasks.stats().snapshotBytes();
        flushOutput.run();
        List<SourcePosition> positions = tasks.checkpointAll(nowMs);
        if (transactions != null) {
            try {
                transactions.commitTransaction(positions, reader);
            } catch (KafkaOutput.TransactionAbortedException e) {
                dropAll();
                return false;
            }
        } else if (!positions.isEmpty()) {
            reader.commit(positions);
        }
        // A keyed task restores its newest valid snapshot, or the one before when that is damaged: records before
        // the previous snapshot's position are needed by neither (Kafka Streams purges at the commit itself; one
        // checkpoint later here, because a task can fall back past a damaged snapshot). A fallback further back
        // would find records gone, and counts them as sequence gaps.
        String repartition = topics.get(keyedSource);
        for (SourcePosition p : positions) {
            if (p.topic().equals(repartition)) {
                Long previous = lastKeyedPositions.put(p.partition(), p.nextOffset());
                if (previous != null) {
                    purge.before(p.partition(), previous);
                }
            }
        }
        metrics.checkpointCompleted(++checkpoints, nowMs, System.nanoTime() - start,
                tasks.stats().snapshotBytes() - bytesBefore);
        return true;
    }

    /**
     * Exactly-once, inside the consumer's revocation callback: one transaction commits every owned task before any
     * partition moves. The reader only logs a callback's failure, so one that must stop the job is kept for
     * {@link #afterCallbacks()}.
     */
    private void checkpointBeforeRevocation() {
        if (callbackFailure != null || tasks.ownedTasks().isEmpty()) {
            return; // nothing to commit: the consumer closing after the final checkpoint, or a failure to report
        }
        try {
            checkpoint(System.currentTimeMillis());
        } catch (RuntimeException e) {
            callbackFailure = e;
        } catch (Exception e) {
            callbackFailure = new IllegalStateException("checkpoint before a rebalance failed: " + e.getMessage(), e);
        }
    }

    /**
     * Exactly-once: the open transaction was aborted, so no owned task's in-memory state may go on (each may hold
     * effects of it: records consumed, windows merged, partials sent): all are dropped without a snapshot.
     */
    private void dropAll() {
        List<TaskId> owned = tasks.ownedTasks();
        tasks.dropped(owned);
        toRecreate.addAll(owned);
        LOG.warn("dropped the {} owned tasks with the aborted transaction; those still assigned are re-created from"
                + " their last committed snapshots", owned.size());
    }

    /** After a poll: a failure kept by a callback is thrown; tasks dropped by an abort are re-created. */
    private void afterCallbacks() {
        rewound.clear();
        if (callbackFailure != null) {
            RuntimeException e = callbackFailure;
            callbackFailure = null;
            throw e;
        }
        recreateDropped();
    }

    /** Re-creates the dropped tasks whose partitions are still assigned, each from its last committed snapshot. */
    private void recreateDropped() {
        if (toRecreate.isEmpty()) {
            return;
        }
        for (TaskId id : toRecreate) {
            int source = topics.indexOf(id.topic());
            if (tasks.task(id) == null && assigned(source, id.partition())) {
                start(id, source);
                rewound.add(id);
            }
        }
        toRecreate.clear();
    }

    private boolean assigned(int source, int partition) {
        for (int p : reader.assignedPartitions(source)) {
            if (p == partition) {
                return true;
            }
        }
        return false;
    }

    /**
     * Creates the task of an assigned partition from its newest snapshot and seeks the partition to where that
     * snapshot resumes (none: the group's committed offset, or the start). Exactly-once, the snapshot must be the
     * one the group's committed offset was committed with: a store read that ends before it (the commit's markers
     * still being written) is read again, for up to {@value #COMMITTED_SNAPSHOT_WAIT_MS} ms.
     */
    private void start(TaskId id, int source) {
        long deadline = System.currentTimeMillis() + COMMITTED_SNAPSHOT_WAIT_MS;
        while (true) {
            Map<TaskId, List<SourcePosition>> seek = tasks.assigned(List.of(id));
            List<SourcePosition> at = seek.getOrDefault(id, List.of());
            long restored = at.isEmpty() ? -1 : at.get(0).nextOffset();
            long committed = transactions == null ? -1 : reader.committedOffset(source, id.partition());
            if (committed <= restored) {
                for (SourcePosition p : at) {
                    reader.seek(source, p.partition(), p.nextOffset());
                }
                boolean atEnd = false;
                if (at.isEmpty()) {
                    // No snapshot: the group's committed offset, else the repartition topic from its start always
                    // (what the source tasks wrote before this task existed is its input), the input where the
                    // start-from policy says. Never where the reader stopped reading the partition before: a task
                    // dropped (lost without hand-over, aborted) and assigned again has none of what it had read.
                    atEnd = source != keyedSource && inputStart == KafkaSourceReader.StartFrom.LATEST
                            && reader.seekToEndUnlessCommitted(source, id.partition());
                    if (!atEnd) {
                        reader.rewind(source, id.partition(), source == keyedSource
                                ? KafkaSourceReader.StartFrom.EARLIEST : inputStart);
                    }
                }
                LOG.info("task {} {}", id, !at.isEmpty() ? "restored from its snapshot, resuming at " + at
                        : atEnd ? "started without snapshot at the end of its partition (--start-from latest, nothing"
                        + " committed)" : "started without snapshot");
                return;
            }
            tasks.dropped(List.of(id));
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("task " + id + ": the group committed offset " + committed + ", but"
                        + " its newest snapshot resumes at " + (restored < 0 ? "none" : restored) + " after "
                        + COMMITTED_SNAPSHOT_WAIT_MS / 1000 + " s of reading again: these snapshots and offsets do"
                        + " not belong together (another job in this group, or another checkpoint store). Use"
                        + " another --group-id, or --fresh-start");
            }
            try {
                Thread.sleep(100); // the commit's markers land within milliseconds; no event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted restoring task " + id, e);
            }
        }
    }

    /** Per owned task its watermark and lag (as partitions), and the task counts, for /metrics and the status line. */
    private void publish() {
        List<TaskId> owned = tasks.ownedTasks();
        JobMetrics.PartitionStats[] stats = new JobMetrics.PartitionStats[owned.size()];
        long watermark = Long.MAX_VALUE;
        for (int i = 0; i < owned.size(); i++) {
            TaskId id = owned.get(i);
            StageTask t = tasks.task(id);
            int source = topics.indexOf(id.topic());
            stats[i] = new JobMetrics.PartitionStats(id.topic(), id.partition(), t.watermarkMs(),
                    reader.lag(source, id.partition()), false);
            if (source == keyedSource) {
                watermark = Math.min(watermark, t.watermarkMs());
            }
        }
        metrics.setPartitions(stats);
        metrics.setSourceAssigned(!owned.isEmpty());
        if (watermark != Long.MAX_VALUE) {
            metrics.setWatermarkMs(watermark);
        }
        TaskManager.Stats s = tasks.stats();
        metrics.setTasks(new JobMetrics.TaskCounts(s.ownedTasks(), s.rebalances(), s.restoreNanos(), s.restoredBytes()));
    }

    /** Any thread: the current batch finishes, then {@link #run()} checkpoints and returns. */
    void stop() {
        stopRequested = true;
        reader.wakeup();
    }

    /** Rebalance callbacks, inside {@link KafkaSourceReader#poll} on the task thread. */
    private final class Listener implements PartitionListener {
        @Override
        public void partitionAssigned(int partition) {
            partitionAssigned(0, partition);
        }

        @Override
        public void partitionRevoked(int partition) {
            partitionRevoked(0, partition);
        }

        @Override
        public void partitionAssigned(int source, int partition) {
            TaskId id = new TaskId(topics.get(source), partition);
            if (tasks.task(id) == null && callbackFailure == null) {
                try {
                    start(id, source);
                } catch (RuntimeException e) {
                    // The consumer would wrap it into "User rebalance callback throws an error" with a stack trace;
                    // thrown as it is after the poll, a refusal (a snapshot of another job) is one line.
                    callbackFailure = e;
                }
            }
        }

        @Override
        public void partitionRevoked(int source, int partition) {
            TaskId id = new TaskId(topics.get(source), partition);
            if (tasks.task(id) == null) {
                return; // the clean stop's final checkpoint already took it, and the consumer is closing
            }
            if (transactions != null) {
                // checkpointBeforeRevocation committed its snapshot and offsets with every other task's.
                tasks.released(List.of(id));
                if (source == keyedSource) {
                    lastKeyedPositions.remove(partition); // its next owner purges from its own snapshots
                }
                LOG.info("task {} handed over", id);
                return;
            }
            try {
                flushOutput.run();
                if (source == keyedSource) {
                    lastKeyedPositions.remove(partition); // its next owner purges from its own snapshots
                }
                List<SourcePosition> positions = tasks.revoked(List.of(id), System.currentTimeMillis());
                reader.commit(positions);
                LOG.info("task {} handed over at {}", id, positions);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("task " + id + ": snapshot at revocation failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void partitionLost(int source, int partition) {
            TaskId id = new TaskId(topics.get(source), partition);
            if (transactions != null && tasks.task(id) != null && callbackFailure == null) {
                // Its commit would be refused now (another member owns it), and the open transaction holds effects
                // of every task: abort it, and start every task again from what committed.
                try {
                    transactions.abortTransaction("partition " + id + " lost without hand-over (session expired)");
                } catch (RuntimeException e) {
                    callbackFailure = e;
                }
                dropAll();
            }
            tasks.lost(List.of(id));
            if (source == keyedSource) {
                lastKeyedPositions.remove(partition);
            }
            LOG.warn("task {} lost without hand-over (session expired): dropped without a snapshot; its new owner"
                    + " resumes from the last one", id);
        }
    }
}
