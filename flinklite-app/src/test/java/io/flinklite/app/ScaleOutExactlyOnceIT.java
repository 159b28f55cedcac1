package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code run --scale-out --delivery exactly-once} in process, on the shared broker: the built-in job over unkeyed
 * input (every key on every partition, so every window merges partials of several source tasks), task snapshots in
 * the Kafka store. What a {@code read_committed} reader of the output sees must equal one fused replay exactly: no
 * window missing, none doubled, none counted from a partial that was sent but never committed.
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutExactlyOnceIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();
    @RegisterExtension
    final RunningJobs jobs = new RunningJobs();

    @Test
    void twoInstancesWithTasksMovingCommitExactlyTheFusedResults(@TempDir Path dir) throws Exception {
        scenario("eos-move", dir, System.out).tasksMoveWhileWindowsAreOpen(ScaleOutScenario.firstHalfProduced("eos-move", 12, 4_000));
    }

    /**
     * Instance "a" freezes in the middle of a transaction (its task thread blocked while printing a result: results,
     * partials and markers of the open transaction already sent, nothing committed), as a process that was SIGKILLed
     * or stalled. Instance "a" started again, as the same process restarted in its working directory would be (same
     * instance id): its consumer takes over the static membership and its producer's {@code initTransactions} aborts
     * the frozen transaction and fences the old producer. It resumes every task from the last committed snapshots.
     * Then the old one wakes up, past its transaction timeout, a zombie: its commit must fail and it must stop,
     * committing nothing, and without registering its id again (which would fence the restart): the restart goes on.
     */
    @Test
    void anInstanceFrozenMidTransactionIsReplacedByItsRestartAndItsZombieCannotCommit(@TempDir Path dir)
            throws Exception {
        String group = "eos-crash";
        List<Placed> events = ScaleOutScenario.firstHalfProduced(group, 41, 4_000);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);

        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong commitsAtFirstResult = new AtomicLong(-1);
        java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<JobMetrics> zombieMetrics = new AtomicReference<>(new JobMetrics());
        AtomicLong armedCommits = new AtomicLong(-1);
        // Once armed, freezes at a result printed in the same transaction as the one before: the frozen transaction
        // then holds results, partials and markers that never commit.
        PrintStream freezing = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (b != '\n') {
                    return;
                }
                long commits = zombieMetrics.get().transactionsCommitted();
                commitsAtFirstResult.compareAndSet(-1, commits);
                // The second result printed in one transaction: the first went to the output in it.
                if (armed.get() && frozen.getCount() > 0 && armedCommits.getAndSet(commits) == commits) {
                    frozen.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }, true);
        KafkaJob zombie = job(group, dir, "a", zombieMetrics.get(), freezing);
        AtomicReference<Throwable> zombieFailed = KafkaTestSupport.startJob(zombie);
        // Two commits after the first result: results and keyed snapshots have committed.
        await().atMost(Duration.ofSeconds(90)).until(() -> zombieFailed.get() != null || commitsAtFirstResult.get() >= 0
                && zombieMetrics.get().transactionsCommitted() >= commitsAtFirstResult.get() + 2);
        assertThat(zombieFailed.get()).isNull();
        armed.set(true);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(events.size() / 2,
                events.size()));
        await().atMost(Duration.ofSeconds(90)).until(() -> zombieFailed.get() != null || frozen.getCount() == 0);
        assertThat(zombieFailed.get()).isNull();
        long committedBefore = zombieMetrics.get().transactionsCommitted();
        CheckpointSettings store = new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.KAFKA, null);
        for (int p = 0; p < 3; p++) {
            CheckpointStore keyed = store.taskStore(new TaskId(ScaleOut.repartitionTopic(group), p), connection, group,
                    null, null);
            try {
                assertThat(keyed.loadLatest().checkpoint()).as("committed snapshot of keyed task " + p).isPresent();
            } finally {
                ((AutoCloseable) keyed).close();
            }
        }

        JobMetrics restarted = new JobMetrics();
        AtomicReference<Throwable> restartFailed = KafkaTestSupport.startJob(job(group, dir, "a", restarted, System.out));
        await().atMost(Duration.ofSeconds(120)).until(() -> restartFailed.get() != null
                || restarted.tasks() != null && restarted.tasks().ownedTasks() == 6 && lagOf(restarted) == 0
                && restarted.transactionsCommitted() > 1);
        assertThat(restartFailed.get()).isNull();
        assertThat(restarted.tasks().restoredBytes()).as("state restored from the committed snapshots").isPositive();

        // Frozen past its transaction timeout (10 s), the zombie's fence looks like the broker timing it out: it must
        // still not register its id again, which would fence its successor.
        Thread.sleep(12_000);
        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> zombieFailed.get() != null);
        assertThat(zombieFailed.get()).as("the zombie stops").hasMessageContaining("another process");
        assertThat(zombieMetrics.get().transactionsCommitted()).as("the zombie commits nothing more")
                .isEqualTo(committedBefore);
        long restartedCommits = restarted.transactionsCommitted();
        await().atMost(Duration.ofSeconds(30)).until(() -> restartFailed.get() != null
                || restarted.transactionsCommitted() > restartedCommits + 3);
        assertThat(restartFailed.get()).as("the restarted instance goes on").isNull();

        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size(), true));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        // The frozen transaction's results were written, and aborted: read uncommitted, they are there too.
        List<String> all = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size() + 1, false));
        assertThat(all.size()).as("aborted results exist, uncommitted").isGreaterThan(expected.size());
    }

    /**
     * A write the broker refuses (the output topic's {@code max.message.bytes} lowered under the running job, so the
     * producer's own check does not catch it) fails the open transaction: it is aborted, logged and counted, every
     * task is dropped and re-created from its last committed snapshot, again at every checkpoint while the refusal
     * lasts. Once the limit is back, the job goes on, and the committed output is still exactly the replay's.
     */
    @Test
    void aRefusedWriteAbortsTheTransactionAndTheTasksResumeFromTheirCommittedSnapshots(@TempDir Path dir)
            throws Exception {
        String group = "eos-abort";
        List<Placed> events = ScaleOutScenario.firstHalfProduced(group, 7, 4_000);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        JobMetrics metrics = new JobMetrics();
        AtomicReference<Throwable> failed = KafkaTestSupport.startJob(job(group, dir, "a", metrics, System.out));
        await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null || metrics.windowsFlushed() > 0
                && metrics.transactionsCommitted() > 1);
        assertThat(failed.get()).isNull();

        // Too small for a result's batch (over 150 bytes), large enough for the transaction markers (78 bytes).
        setMaxMessageBytes(group + "-out", "120");
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(events.size() / 2,
                events.size()));
        await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null || metrics.transactionsAborted() >= 2);
        assertThat(failed.get()).isNull();
        setMaxMessageBytes(group + "-out", "1048588");
        long committed = metrics.transactionsCommitted();
        await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null
                || metrics.transactionsCommitted() > committed + 2 && lagOf(metrics) == 0);
        assertThat(failed.get()).isNull();

        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size(), true));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }

    private void setMaxMessageBytes(String topic, String bytes) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = connection.admin()) {
            org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(java.util.Map.of(r, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("max.message.bytes", bytes),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    @Test
    void theCheckpointDirectoryIsRefusedUnderScaleOutExactlyOnceNamingTheKafkaStore(@TempDir Path dir) {
        String group = "eos-dir";
        broker.createTopic(group + "-in", 1);
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic(group + "-in")
                .outputTopic(null).groupId(group).checkpoints(new CheckpointSettings(dir, 1_000,
                        Delivery.EXACTLY_ONCE, false, null, null, CheckpointSettings.Store.DIR, null))
                .scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT)), new JobMetrics());
        assertThatThrownBy(job::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--checkpoint-store kafka");
    }

    private KafkaJob job(String group, Path dir, String instance, JobMetrics metrics, PrintStream console) {
        return scenario(group, dir, console).job(instance, metrics);
    }

    /** The built-in job of {@code group}, exactly-once, its results printed as JSON lines to {@code console}. */
    private ScaleOutScenario scenario(String group, Path dir, PrintStream console) {
        return new ScaleOutScenario(group, JobSpec.defaults(), Delivery.EXACTLY_ONCE, dir,
                s -> s.console(console, ResultPrinter.Format.JSON), jobs);
    }

    private static long lagOf(JobMetrics m) {
        return ScaleOutTaskRuntimeIT.lagOf(m);
    }
}
