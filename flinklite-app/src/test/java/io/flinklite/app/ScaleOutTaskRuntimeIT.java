package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TapeStateReader;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scale-out task runtime over Kafka ({@link ScaledKafkaJob}), with stages of its own that make every loss or
 * double count visible: a source task forwards each event to a repartition partition by its id, a keyed task sums
 * the ids it received. Two instances in one group, the second joining mid-stream so that tasks move while their
 * partitions hold unread records: afterwards the keyed tasks' snapshots together hold every event exactly once, and
 * every source task's count of forwarded events equals its partition's.
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutTaskRuntimeIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();
    @RegisterExtension
    final RunningJobs jobs = new RunningJobs();

    /** Forwards each event to partition id % n; state: events forwarded, next offset. */
    static final class ForwardingTask extends TaskBase {
        final ScaledKafkaJob.Repartition out;
        long forwarded;

        ForwardingTask(TaskId id, ScaledKafkaJob.Repartition out) {
            super(id);
            this.out = out;
        }

        @Override
        public void process(RecordBatch batch, int i, byte[] key) {
            byte[] value = valueOf(batch, i);
            out.send((int) (idOf(value) % out.partitions()), null, value);
            forwarded++;
            nextOffset = batch.offset(i) + 1;
        }

        @Override
        public void snapshotState(StateWriter w) {
            w.writeLong("forwarded", forwarded);
            w.writeLong("next", nextOffset);
        }

        @Override
        public void restoreState(StateReader r) {
            forwarded = r.readLong("forwarded");
            nextOffset = r.readLong("next");
        }
    }

    /** Counts and sums the ids it receives. */
    static final class SummingTask extends TaskBase {
        long count;
        long idSum;

        SummingTask(TaskId id) {
            super(id);
        }

        @Override
        public void process(RecordBatch batch, int i, byte[] key) {
            byte[] value = valueOf(batch, i);
            count++;
            idSum += idOf(value);
            nextOffset = batch.offset(i) + 1;
        }

        @Override
        public void snapshotState(StateWriter w) {
            w.writeLong("count", count);
            w.writeLong("idSum", idSum);
            w.writeLong("next", nextOffset);
        }

        @Override
        public void restoreState(StateReader r) {
            count = r.readLong("count");
            idSum = r.readLong("idSum");
            nextOffset = r.readLong("next");
        }
    }

    abstract static class TaskBase implements ScaledKafkaJob.StageTask {
        final TaskId id;
        long nextOffset = -1;

        TaskBase(TaskId id) {
            this.id = id;
        }

        @Override
        public void afterBatch(long nowMs) { }

        @Override
        public void flush() { }

        @Override
        public List<SourcePosition> positions() {
            return nextOffset < 0 ? List.of()
                    : List.of(new SourcePosition(id.topic(), id.partition(), nextOffset, Long.MIN_VALUE));
        }

        @Override
        public long watermarkMs() { return Long.MIN_VALUE; }
    }

    static byte[] valueOf(RecordBatch batch, int i) {
        return java.util.Arrays.copyOfRange(batch.payload(i), batch.payloadOffset(i),
                batch.payloadOffset(i) + batch.payloadLength(i));
    }

    static long idOf(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        int at = s.indexOf("\"id\":") + 5;
        int end = at;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return Long.parseLong(s.substring(at, end));
    }

    /** The counting stages, for any job. */
    static final KafkaJob.TaskFactory COUNTING = new KafkaJob.TaskFactory() {
        @Override
        public io.flinklite.runtime.task.StreamTask create(KafkaJob.Settings settings,
                io.flinklite.runtime.task.TaskOptions options, io.flinklite.source.SourceReader source,
                Sink<WindowResult> results, Sink<io.flinklite.api.OutputRecord> records, Sink<byte[]> late,
                DeadLetterHandler deadLetters, JobMetrics metrics) {
            throw new UnsupportedOperationException("scale-out only");
        }

        @Override
        public ScaledKafkaJob.Stages stages(KafkaJob.Settings settings, JobMetrics metrics) {
            return new ScaledKafkaJob.Stages() {
                @Override
                public ScaledKafkaJob.StageTask sourceTask(TaskId id, int sourcePartitions,
                        ScaledKafkaJob.Repartition out, DeadLetterHandler deadLetters,
                        java.util.function.LongSupplier lag) {
                    return new ForwardingTask(id, out);
                }

                @Override
                public ScaledKafkaJob.StageTask keyedTask(TaskId id, Sink<WindowResult> results, Sink<byte[]> late) {
                    return new SummingTask(id);
                }

                @Override
                public String fingerprint() {
                    return "counting-stages";
                }
            };
        }
    };

    private KafkaJob job(String group, CheckpointSettings checkpoints, String instance, JobMetrics metrics) {
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic(group + "-in")
                .outputTopic(null).groupId(group).taskFactory(COUNTING).checkpoints(checkpoints)
                .instanceId(instance).scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT)), metrics);
        jobs.add(job);
        return job;
    }

    @Test
    void tasksMoveBetweenInstancesSharingACheckpointDirectoryWithoutLossOrDoubleCount(@TempDir Path dir)
            throws Exception {
        runTwoInstances("scale-dir", new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.DIR, null), id -> new io.flinklite.runtime.checkpoint.DirectoryCheckpointStore(
                id.directoryIn(dir), CheckpointStore.DEFAULT_RETAIN, io.flinklite.runtime.checkpoint.CheckpointValidator.NONE));
    }

    @Test
    void tasksMoveBetweenInstancesThroughTheKafkaCheckpointStore(@TempDir Path dir) throws Exception {
        String group = "scale-kafka";
        CheckpointSettings settings = new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.KAFKA, null);
        runTwoInstances(group, settings, id -> settings.taskStore(id, connection, group, null, null));
    }

    private void runTwoInstances(String group, CheckpointSettings checkpoints,
                                 java.util.function.Function<TaskId, CheckpointStore> storeOf) throws Exception {
        int partitions = 3;
        broker.createTopic(group + "-in", partitions);
        int n = 6_000;
        List<Placed> events = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            events.add(new Placed(i % partitions, KafkaTestSupport.event(i, 1_000L * i, "important")));
        }
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, n / 2));

        JobMetrics first = new JobMetrics();
        AtomicReference<Throwable> failedA = KafkaTestSupport.startJob(job(group, checkpoints, "a", first));
        await().atMost(Duration.ofSeconds(60)).until(() -> failedA.get() != null
                || first.tasks() != null && first.tasks().ownedTasks() == 2 * partitions
                && first.lastCheckpointTimeMs() > 0);
        assertThat(failedA.get()).isNull();
        assertThat(ScaleOut.repartitionTopic(group)).isEqualTo(group + "-repartition");
        assertThat(connection.partitionCount(group + "-repartition")).isEqualTo(partitions);

        // The second instance joins while records wait: every task is revoked, handed over, restored.
        JobMetrics second = new JobMetrics();
        AtomicReference<Throwable> failedB = KafkaTestSupport.startJob(job(group, checkpoints, "b", second));
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(n / 2, n));
        await().atMost(Duration.ofSeconds(90)).until(() -> failedA.get() != null || failedB.get() != null
                || second.tasks() != null && second.tasks().ownedTasks() > 0
                && first.tasks().ownedTasks() + second.tasks().ownedTasks() == 2 * partitions
                && lagOf(first) + lagOf(second) == 0);
        assertThat(failedA.get()).isNull();
        assertThat(failedB.get()).isNull();
        for (KafkaJob job : jobs) {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        assertThat(first.tasks().rebalances()).isGreaterThanOrEqualTo(2);

        long count = 0;
        long idSum = 0;
        long forwarded = 0;
        for (int p = 0; p < partitions; p++) {
            TaskId keyedId = new TaskId(group + "-repartition", p);
            SummingTask keyed = latest(storeOf.apply(keyedId), new SummingTask(keyedId));
            count += keyed.count;
            idSum += keyed.idSum;
            TaskId sourceId = new TaskId(group + "-in", p);
            forwarded += latest(storeOf.apply(sourceId), new ForwardingTask(sourceId, null)).forwarded;
        }
        assertThat(forwarded).as("events forwarded by the source tasks").isEqualTo(n);
        assertThat(count).as("events the keyed tasks hold").isEqualTo(n);
        assertThat(idSum).as("each event once").isEqualTo((long) n * (n + 1) / 2);
    }

    @Test
    void theBuiltInJobOverUnkeyedInputThroughTheShuffleEqualsOneFusedInstanceWhileTasksMove(@TempDir Path dir)
            throws Exception {
        // Every key on every partition: the fused job per instance would emit partial counts.
        new ScaleOutScenario("scale-builtin", JobSpec.defaults(), Delivery.AT_LEAST_ONCE, dir, settings -> settings,
                jobs).tasksMoveWhileWindowsAreOpen(ScaleOutScenario.firstHalfProduced("scale-builtin", 12, 4_000));
    }

    @Test
    void anExistingRepartitionTopicOfAnotherPartitionCountIsRefusedNamingTheFlag(@TempDir Path dir) throws Exception {
        String group = "scale-mismatch";
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 1);
        broker.createTopic(ScaleOut.repartitionTopic(group), 2);
        KafkaJob job = builtIn(group, JobSpec.defaults(), new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE,
                false, null, null, CheckpointSettings.Store.DIR, null), "a", new JobMetrics());
        org.assertj.core.api.Assertions.assertThatThrownBy(job::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'scale-mismatch-repartition' has 2 partitions, this job needs 3")
                .hasMessageContaining("--repartition-partitions 2");
    }

    private KafkaJob builtIn(String group, JobSpec spec, CheckpointSettings checkpoints, String instance,
                             JobMetrics metrics) {
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, spec).inputTopic(group + "-in")
                .outputTopic(group + "-out").groupId(group).idleTimeoutMs(0).checkpoints(checkpoints)
                .instanceId(instance).scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT)), metrics);
        jobs.add(job);
        return job;
    }

    /** The consumer lag over every partition the instance owns; a partition of unknown lag counts as a million. */
    static long lagOf(JobMetrics m) {
        long lag = 0;
        for (JobMetrics.PartitionStats p : m.partitions()) {
            lag += p.lag() < 0 ? 1_000_000 : p.lag();
        }
        return lag;
    }

    /** {@code task} with the state of its newest snapshot in {@code store}. */
    private static <T extends ScaledKafkaJob.StageTask> T latest(CheckpointStore store, T task) throws Exception {
        try {
            Checkpoint cp = store.loadLatest().checkpoint().orElseThrow();
            TapeStateReader in = new TapeStateReader(cp.state());
            in.beginObject(null);
            task.restoreState(in);
            in.endObject();
            return task;
        } finally {
            if (store instanceof AutoCloseable) {
                ((AutoCloseable) store).close();
            }
        }
    }
}
