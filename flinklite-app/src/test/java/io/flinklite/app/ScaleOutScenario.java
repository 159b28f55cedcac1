package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The in-process scale-out scenarios the ITs share, on the module's shared broker ({@code @ExtendWith
 * (SharedKafkaBroker.class)}): topics and input of a group, {@code run --scale-out} jobs of one command line (job,
 * delivery, further flags), and "tasks move while windows are open": two instances, the second joining once the
 * first fired windows and checkpointed, the second half of the input only once tasks moved to it.
 */
final class ScaleOutScenario {
    private final String group;
    private final JobSpec spec;
    private final Delivery delivery;
    private final Path dir;
    private final UnaryOperator<KafkaJob.Settings> flags;
    private final RunningJobs jobs;

    /**
     * @param flags what the instances' command line adds to the scaled-out job of {@code group} (input
     *              {@code <group>-in}, output {@code <group>-out}, no idle timeout, task snapshots in the Kafka store
     *              under {@code delivery}, checkpoints every second)
     * @param jobs  where the jobs go, so they are stopped after the test whatever its outcome
     */
    ScaleOutScenario(String group, JobSpec spec, Delivery delivery, Path dir, UnaryOperator<KafkaJob.Settings> flags,
                     RunningJobs jobs) {
        this.group = group;
        this.spec = spec;
        this.delivery = delivery;
        this.dir = dir;
        this.flags = flags;
        this.jobs = jobs;
    }

    /** One instance, {@code instance} its id (its transactional id under exactly-once), counting into {@code metrics}. */
    KafkaJob job(String instance, JobMetrics metrics) {
        KafkaJob job = new KafkaJob(flags.apply(new KafkaJob.Settings(KafkaTestSupport.connection(), spec)
                .inputTopic(group + "-in").outputTopic(group + "-out").groupId(group).idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 1_000, delivery, false, null, null,
                        CheckpointSettings.Store.KAFKA, null))
                .instanceId(instance).scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT))), metrics);
        jobs.add(job);
        return job;
    }

    /**
     * The input topic (3 partitions) and output topic (2) of the group, and {@code n} disordered events with every key
     * on every partition (unkeyed: every window merges partials of several source tasks), of which the first half is
     * produced.
     */
    static List<Placed> firstHalfProduced(String group, long seed, int n) {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 2);
        List<Placed> events = KafkaTestSupport.disorderedEvents(seed, n, new int[] {0, 1, 2},
                System.currentTimeMillis() - 600_000);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, events.size() / 2));
        return events;
    }

    /**
     * Tasks that move while windows are open: instance "a" runs over the first half of {@code events} until it fired
     * windows and checkpointed (under exactly-once: committed a transaction); instance "b" joins, and once both own
     * tasks (state restored from "a"'s snapshots) the second half is produced; both run until the windows of the
     * replay came out, then stop cleanly. Asserts: no failure, state moved, a rebalance, nothing late, no transaction
     * aborted, and the output ({@code read_committed} under exactly-once) equals the replay, each result once.
     */
    void tasksMoveWhileWindowsAreOpen(List<Placed> events) throws Exception {
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(50);
        boolean exactlyOnce = delivery == Delivery.EXACTLY_ONCE;
        JobMetrics first = new JobMetrics();
        AtomicReference<Throwable> failedA = KafkaTestSupport.startJob(job("a", first));
        await().atMost(Duration.ofSeconds(60)).until(() -> failedA.get() != null || first.windowsFlushed() > 0
                && first.lastCheckpointTimeMs() > 0 && (!exactlyOnce || first.transactionsCommitted() > 0));
        assertThat(failedA.get()).isNull();
        JobMetrics second = new JobMetrics();
        AtomicReference<Throwable> failedB = KafkaTestSupport.startJob(job("b", second));
        // The second half only once tasks moved: their open windows (spanning both halves) moved with them.
        await().atMost(Duration.ofSeconds(60)).until(() -> failedB.get() != null
                || second.tasks() != null && second.tasks().ownedTasks() > 0 && first.tasks().ownedTasks() > 0);
        assertThat(failedB.get()).isNull();
        assertThat(second.tasks().restoredBytes()).as("the moved tasks' state").isPositive();
        String bootstrap = SharedKafkaBroker.get().bootstrapServers();
        KafkaTestSupport.produce(bootstrap, group + "-in", events.subList(events.size() / 2, events.size()));
        await().atMost(Duration.ofSeconds(120)).until(() -> failedA.get() != null || failedB.get() != null
                || first.windowsFlushed() + second.windowsFlushed() >= expected.size());
        assertThat(failedA.get()).isNull();
        assertThat(failedB.get()).isNull();
        for (KafkaJob job : jobs) {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        assertThat(second.tasks().rebalances()).isPositive();
        assertThat(first.eventsLate() + second.eventsLate()).isZero();
        assertThat(first.transactionsAborted() + second.transactionsAborted()).isZero();
        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(bootstrap, group + "-out",
                expected.size(), exactlyOnce));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }
}
