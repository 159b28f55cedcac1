package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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

    private static EmbeddedKafkaBroker broker;
    private static KafkaConnection connection;
    private final List<KafkaJob> jobs = new ArrayList<>();

    @BeforeAll
    static void connect() {
        broker = SharedKafkaBroker.get();
        connection = KafkaConnection.of(broker.bootstrapServers());
    }

    @AfterEach
    void stopJobs() throws Exception {
        for (KafkaJob job : jobs) {
            job.stop();
            job.awaitStopped(30_000);
        }
    }

    @Test
    void twoInstancesWithTasksMovingCommitExactlyTheFusedResults(@TempDir Path dir) throws Exception {
        String group = "eos-move";
        int partitions = 3;
        broker.createTopic(group + "-in", partitions);
        broker.createTopic(group + "-out", 2);
        List<Placed> events = KafkaTestSupport.disorderedEvents(12, 4_000, new int[] {0, 1, 2},
                System.currentTimeMillis() - 600_000);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        assertThat(expected).hasSizeGreaterThan(50);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, events.size() / 2));

        JobMetrics first = new JobMetrics();
        AtomicReference<Throwable> failedA = KafkaTestSupport.startJob(job(group, dir, "a", first, System.out));
        await().atMost(Duration.ofSeconds(60)).until(() -> failedA.get() != null || first.windowsFlushed() > 0
                && first.transactionsCommitted() > 0);
        assertThat(failedA.get()).isNull();
        JobMetrics second = new JobMetrics();
        AtomicReference<Throwable> failedB = KafkaTestSupport.startJob(job(group, dir, "b", second, System.out));
        await().atMost(Duration.ofSeconds(60)).until(() -> failedB.get() != null
                || second.tasks() != null && second.tasks().ownedTasks() > 0 && first.tasks().ownedTasks() > 0);
        assertThat(failedB.get()).isNull();
        assertThat(second.tasks().restoredBytes()).as("the moved tasks' state").isPositive();
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(events.size() / 2,
                events.size()));
        await().atMost(Duration.ofSeconds(120)).until(() -> failedA.get() != null || failedB.get() != null
                || first.windowsFlushed() + second.windowsFlushed() >= expected.size());
        assertThat(failedA.get()).isNull();
        assertThat(failedB.get()).isNull();
        for (KafkaJob job : jobs) {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        assertThat(first.transactionsAborted() + second.transactionsAborted()).isZero();
        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size(), true));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }

    /**
     * Instance "a" freezes in the middle of a transaction (its task thread blocked while printing a result: results,
     * partials and markers of the open transaction already sent, nothing committed), as a process that was SIGKILLed
     * or stalled. Instance "a" started again, as the same process restarted in its working directory would be (same
     * instance id): its consumer takes over the static membership and its producer's {@code initTransactions} aborts
     * the frozen transaction and fences the old producer. It resumes every task from the last committed snapshots.
     * Then the old one wakes up, a zombie: its commit must fail and it must stop, committing nothing.
     */
    @Test
    void anInstanceFrozenMidTransactionIsReplacedByItsRestartAndItsZombieCannotCommit(@TempDir Path dir)
            throws Exception {
        String group = "eos-crash";
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 2);
        List<Placed> events = KafkaTestSupport.disorderedEvents(41, 4_000, new int[] {0, 1, 2},
                System.currentTimeMillis() - 600_000);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, events.size() / 2));

        CountDownLatch frozen = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger printed = new AtomicInteger();
        AtomicLong commitsAtFirstResult = new AtomicLong(-1);
        AtomicReference<JobMetrics> zombieMetrics = new AtomicReference<>(new JobMetrics());
        // Freezes at a result printed two commits after the first result: results and keyed snapshots have committed
        // by then, and the frozen transaction holds results, partials and markers that never will.
        PrintStream freezing = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                if (b != '\n') {
                    return;
                }
                long commits = zombieMetrics.get().transactionsCommitted();
                commitsAtFirstResult.compareAndSet(-1, commits);
                if (printed.incrementAndGet() > 20 && commits >= commitsAtFirstResult.get() + 2
                        && frozen.getCount() > 0) {
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
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(events.size() / 2,
                events.size()));
        await().atMost(Duration.ofSeconds(90)).until(() -> zombieFailed.get() != null || frozen.getCount() == 0);
        assertThat(zombieFailed.get()).isNull();
        long committedBefore = zombieMetrics.get().transactionsCommitted();
        CheckpointSettings store = new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.KAFKA, null);
        for (int p = 0; p < 3; p++) {
            CheckpointStore keyed = store.taskStore(new TaskId(ScaleOut.repartitionTopic(group), p), connection, group,
                    null);
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

        release.countDown();
        await().atMost(Duration.ofSeconds(60)).until(() -> zombieFailed.get() != null);
        assertThat(zombieFailed.get()).as("the zombie stops").hasMessageContaining("another process");
        assertThat(zombieMetrics.get().transactionsCommitted()).as("the zombie commits nothing more")
                .isEqualTo(committedBefore);

        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size(), true));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
        // The frozen transaction's results were written, and aborted: read uncommitted, they are there too.
        List<String> all = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                group + "-out", expected.size() + 1, false));
        assertThat(all.size()).as("aborted results exist, uncommitted").isGreaterThan(expected.size());
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
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic(group + "-in")
                .outputTopic(group + "-out").groupId(group).idleTimeoutMs(0)
                .console(console, ResultPrinter.Format.JSON)
                .checkpoints(new CheckpointSettings(dir, 1_000, Delivery.EXACTLY_ONCE, false, null, null,
                        CheckpointSettings.Store.KAFKA, null))
                .instanceId(instance).scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT)), metrics);
        jobs.add(job);
        return job;
    }

    private static long lagOf(JobMetrics m) {
        long lag = 0;
        for (JobMetrics.PartitionStats p : m.partitions()) {
            lag += p.lag() < 0 ? 1_000_000 : p.lag();
        }
        return lag;
    }
}
