package io.flinklite.app;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The mechanism of issue 10, deterministically: two other members of the job's consumer group hold two of the three
 * input partitions and are SIGKILLed just as the job joins, so their sessions linger for the default session timeout
 * (45 s) while the job owns one partition and reads all of it. Event time must not advance on that partial view: once
 * the job owns all three, every window is exact (as {@code replay} computes it) and nothing was late.
 */
@ExtendWith(SharedKafkaBroker.class)
class PartialViewRejoinIT {

    private static EmbeddedKafkaBroker broker;

    @TempDir
    static Path work;

    @BeforeAll
    static void shareBroker() {
        broker = SharedKafkaBroker.get();
    }

    @Test
    void deadMembersHoldingTwoOfThreePartitionsNeverMakeAWindowWrongOrAnEventLate() throws Exception {
        createTopics(Map.of("partial-in", 3, "partial-out", 1));
        long base = System.currentTimeMillis() - 3_600_000;
        List<Placed> events = KafkaTestSupport.disorderedEvents(10, 9_000, new int[] {0, 1, 2}, base);
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(100);
        KafkaTestSupport.produce(broker.bootstrapServers(), "partial-in", events);

        List<Holder> holders = List.of(Holder.start("partial-in", "partial"), Holder.start("partial-in", "partial"));
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = null;
        Thread thread = null;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            // Both holders in the group, the three partitions split between them, nothing committed.
            await().atMost(Duration.ofSeconds(60)).until(() -> holders.get(0).holding() + holders.get(1).holding() == 3
                    && holders.get(0).holding() > 0 && holders.get(1).holding() > 0);

            job = new KafkaJob(new KafkaJob.Settings(KafkaConnection.of(broker.bootstrapServers()), spec)
                    .inputTopic("partial-in").outputTopic("partial-out").groupId("partial")
                    .checkpoints(new CheckpointSettings(work.resolve("checkpoints"), 1_000, Delivery.AT_LEAST_ONCE,
                            false, null)), metrics);
            KafkaJob running = job;
            thread = new Thread(() -> {
                try {
                    running.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "job");
            thread.start();
            // As the job joins: it gets a partition, the holders keep two, and then they die without leaving.
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || metrics.partitions().length > 0);
            for (Holder h : holders) {
                h.kill();
            }
            long killedAt = System.currentTimeMillis();
            assertThat(failure.get()).isNull();
            assertThat(metrics.partitions()).as("the job owns only part of the input for now").hasSizeLessThan(3);

            // Until the dead sessions time out the job reads its partition to the end, but fires nothing.
            await().atMost(Duration.ofSeconds(120)).until(() -> failure.get() != null || metrics.partitions().length == 3);
            assertThat(failure.get()).isNull();
            System.out.printf("partial view: the job owned all three partitions %d ms after the holders died%n",
                    System.currentTimeMillis() - killedAt);

            List<String> got = KafkaTestSupport.values(
                    KafkaTestSupport.readTopic(broker.bootstrapServers(), "partial-out", expected.size()));
            assertThat(counts(got)).as("every window exact, each once").isEqualTo(counts(expected));
            assertThat(metrics.eventsLate()).as("late events").isZero();
            assertThat(metrics.eventsTotal()).isEqualTo(events.size());
        } finally {
            for (Holder h : holders) {
                h.kill();
            }
            if (job != null) {
                job.stop();
                job.awaitStopped(30_000);
            }
            if (thread != null) {
                thread.join(30_000);
            }
        }
    }

    /**
     * Two live instances share the group on input keyed by partition (every event of a key on one partition): each
     * holds its watermark at the other's partitions' reports (the watermarks committed with their offsets), so
     * neither waits for partitions it will never read, and together they give exactly the single-instance results.
     */
    @Test
    void twoLiveInstancesOnKeyedInputFollowEachOthersReportsAndTogetherGiveTheExactResults() throws Exception {
        createTopics(Map.of("keyed-in", 3, "keyed-out", 1));
        long base = System.currentTimeMillis() - 3_600_000;
        List<Placed> events = new ArrayList<>();
        for (Placed e : KafkaTestSupport.disorderedEvents(11, 6_000, new int[] {0}, base)) {
            String text = e.text();
            int partition = text.contains("\"important\"") ? 0 : text.contains("\"critical\"") ? 1 : 2;
            events.add(new Placed(partition, e.json));
        }
        // The closing event (a filtered "normal" a minute after the rest) went to partition 2: one each for 0 and 1.
        long end = base + 6_000 * 50L + 70_000;
        events.add(new Placed(0, KafkaTestSupport.event(900_001, end, "normal")));
        events.add(new Placed(1, KafkaTestSupport.event(900_002, end, "normal")));
        JobSpec spec = JobSpec.defaults();
        List<String> expected = KafkaTestSupport.replayResults(spec, events);
        assertThat(expected).hasSizeGreaterThan(100);

        List<JobMetrics> metrics = List.of(new JobMetrics(), new JobMetrics());
        List<KafkaJob> jobs = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < 2; i++) {
                KafkaJob job = new KafkaJob(new KafkaJob.Settings(KafkaConnection.of(broker.bootstrapServers()), spec)
                        .inputTopic("keyed-in").outputTopic("keyed-out").groupId("keyed").keyedInput(true)
                        .checkpoints(new CheckpointSettings(work.resolve("keyed-" + i), 1_000, Delivery.AT_LEAST_ONCE,
                                false, null)), metrics.get(i));
                Thread t = new Thread(() -> {
                    try {
                        job.run();
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                }, "job-" + i);
                t.start();
                jobs.add(job);
                threads.add(t);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null
                    || metrics.get(0).partitions().length + metrics.get(1).partitions().length == 3
                    && metrics.get(0).partitions().length > 0 && metrics.get(1).partitions().length > 0);
            assertThat(failure.get()).isNull();
            KafkaTestSupport.produce(broker.bootstrapServers(), "keyed-in", events);

            List<String> got = KafkaTestSupport.values(
                    KafkaTestSupport.readTopic(broker.bootstrapServers(), "keyed-out", expected.size()));
            assertThat(failure.get()).isNull();
            assertThat(counts(got)).as("both instances together: every window exact, each once").isEqualTo(counts(expected));
            assertThat(metrics.get(0).eventsLate() + metrics.get(1).eventsLate()).as("late events").isZero();
        } finally {
            for (KafkaJob job : jobs) {
                job.stop();
                job.awaitStopped(30_000);
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    /** Creates the topics and waits until the broker's metadata lists them (creation returns before it does). */
    private static void createTopics(Map<String, Integer> topics) {
        topics.forEach(broker::createTopic);
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.admin().listTopics().names().get().containsAll(topics.keySet()));
    }

    private static Map<String, Integer> counts(List<String> lines) {
        Map<String, Integer> c = new HashMap<>();
        lines.forEach(l -> c.merge(l, 1, Integer::sum));
        return c;
    }

    /** A group member in a JVM of its own ({@link HolderMain}), holding partitions until it is SIGKILLed. */
    private static final class Holder {
        private final ChildFlinkLite process;

        private Holder(ChildFlinkLite process) {
            this.process = process;
        }

        static Holder start(String topic, String group) throws Exception {
            return new Holder(ChildFlinkLite.startMain(HolderMain.class, broker.bootstrapServers(), topic, group));
        }

        /** How many partitions it holds, by its last "holding N" line. */
        int holding() {
            List<String> lines = process.lines();
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith("holding ")) {
                    return Integer.parseInt(lines.get(i).substring(8).trim());
                }
            }
            return 0;
        }

        void kill() throws InterruptedException {
            process.kill(); // SIGKILL: no LeaveGroup, the session lingers
        }
    }

    /** The holder process: a plain consumer of the group, with the default session timeout, that never commits. */
    public static final class HolderMain {
        public static void main(String[] args) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, args[2]);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
            TreeSet<Integer> held = new TreeSet<>();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(args[1]), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        partitions.forEach(tp -> held.remove(tp.partition()));
                        System.out.println("holding " + held.size());
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        partitions.forEach(tp -> held.add(tp.partition()));
                        System.out.println("holding " + held.size());
                    }
                });
                List<Object> ignored = new ArrayList<>();
                while (true) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> ignored.clear());
                }
            }
        }
    }
}
