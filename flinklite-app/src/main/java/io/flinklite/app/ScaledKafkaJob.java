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
 * <p>Order of a checkpoint and of a revocation, per task: its output (results, repartition records) is flushed,
 * then its snapshot written, then its offsets committed. A partition lost without a hand-over (the session expired)
 * is dropped without a snapshot: its new owner may already have resumed it.
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
         * when it has none; only the repartition topic's records are given their key).
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

    private final KafkaSourceReader reader;
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
        // A rebalance commits every position of this consumer: whatever the tasks emitted must be durable first.
        reader.beforeRevokeCommit(flushOutput);
    }

    /** Runs until {@link #stop()}: then snapshots every owned task, commits their offsets, and returns. */
    void run() throws Exception {
        PartitionListener listener = new Listener();
        long nextCheckpointMs = System.currentTimeMillis() + checkpointIntervalMs;
        while (!stopRequested) {
            batch.clear();
            reader.poll(batch, listener, POLL_TIMEOUT_MS);
            for (int i = 0; i < batch.size(); i++) {
                StageTask task = tasks.task(new TaskId(topics.get(batch.source(i)), batch.partition(i)));
                if (task == null) {
                    // A record of a partition this instance does not own (cannot happen: revocation comes after the
                    // partition's last record); dropping it silently would lose it, so fail loudly.
                    throw new IllegalStateException("record of " + topics.get(batch.source(i)) + "-"
                            + batch.partition(i) + " at offset " + batch.offset(i) + " for no owned task");
                }
                task.process(batch, i, batch.source(i) == keyedSource
                        ? reader.keyOf(keyedSource, batch.partition(i), batch.offset(i)) : null);
            }
            long now = System.currentTimeMillis();
            for (TaskId id : tasks.ownedTasks()) {
                tasks.task(id).afterBatch(now);
            }
            if (now >= nextCheckpointMs) {
                checkpoint(now);
                nextCheckpointMs = now + checkpointIntervalMs;
            }
            publish();
        }
        checkpoint(System.currentTimeMillis());
        LOG.info("stopped: output flushed, {} task snapshots written, offsets committed", tasks.ownedTasks().size());
    }

    private void checkpoint(long nowMs) throws Exception {
        long start = System.nanoTime();
        long bytesBefore = tasks.stats().snapshotBytes();
        flushOutput.run();
        List<SourcePosition> positions = tasks.checkpointAll(nowMs);
        if (!positions.isEmpty()) {
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
            Map<TaskId, List<SourcePosition>> seek = tasks.assigned(List.of(id));
            for (SourcePosition p : seek.getOrDefault(id, List.of())) {
                reader.seek(source, p.partition(), p.nextOffset());
            }
            boolean atEnd = !seek.containsKey(id) && source != keyedSource
                    && inputStart == KafkaSourceReader.StartFrom.LATEST
                    && reader.seekToEndUnlessCommitted(source, partition);
            LOG.info("task {} {}", id, seek.containsKey(id) ? "restored from its snapshot, resuming at "
                    + seek.get(id) : atEnd ? "started without snapshot at the end of its partition (--start-from"
                    + " latest, nothing committed)" : "started without snapshot");
        }

        @Override
        public void partitionRevoked(int source, int partition) {
            TaskId id = new TaskId(topics.get(source), partition);
            if (tasks.task(id) == null) {
                return; // the clean stop's final checkpoint already took it, and the consumer is closing
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
            tasks.lost(List.of(id));
            if (source == keyedSource) {
                lastKeyedPositions.remove(partition);
            }
            LOG.warn("task {} lost without hand-over (session expired): dropped without a snapshot; its new owner"
                    + " resumes from the last one", id);
        }
    }
}
