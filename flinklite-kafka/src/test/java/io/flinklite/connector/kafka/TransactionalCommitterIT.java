package io.flinklite.connector.kafka;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointRecovery;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointValidator;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(SharedKafkaBroker.class)
class TransactionalCommitterIT {

    private static EmbeddedKafkaBroker broker;
    private static KafkaConnection connection;

    @BeforeAll
    static void shareBroker() {
        broker = SharedKafkaBroker.get();
        connection = KafkaConnection.of(broker.bootstrapServers());
    }

    private static Checkpoint checkpoint(String input, long id, long offset, WindowResult... results) {
        return new Checkpoint(id, id - 1, 1_700_000_000_000L, JobSpec.defaults().fingerprint(), "exactly-once",
                List.of(new SourcePosition(input, 0, offset, 0), new SourcePosition(input, 1, offset + 1, 0)), 0,
                StateTape.empty(), List.of(results));
    }

    @Test
    void aCommittedCheckpointsResultsAndIdAreVisibleTogether() {
        broker.createTopic("in-a", 2);
        broker.createTopic("out-a", 1);
        String group = TransactionalCommitter.commitGroupOf("job-a");
        WindowResult r1 = WindowResult.ofCount("critical", 0, 10_000, 3);
        WindowResult r2 = WindowResult.ofCount("important", 0, 10_000, 1);
        try (TransactionalCommitter committer = new TransactionalCommitter(connection, "tx-a", group, "out-a")) {
            committer.initTransactions();
            assertThat(committer.committedCheckpointId("in-a")).isEmpty();
            committer.commit(checkpoint("in-a", 1, 10, r1, r2));
            // The commit's markers reach the offsets log asynchronously; recovery reads after initTransactions,
            // which waits for them, a test has to poll.
            await().atMost(Duration.ofSeconds(30)).until(() -> committer.committedCheckpointId("in-a").orElse(0) == 1);
            committer.commit(checkpoint("in-a", 2, 20));
            await().atMost(Duration.ofSeconds(30)).until(() -> committer.committedCheckpointId("in-a").orElse(0) == 2);
        }
        assertThat(readCommitted("out-a", 2)).containsExactly(r1.toJson(), r2.toJson());
        try (Admin admin = connection.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(offsets.get(new TopicPartition("in-a", 0)).offset()).isEqualTo(20);
            assertThat(offsets.get(new TopicPartition("in-a", 1)).offset()).isEqualTo(21);
            assertThat(offsets.get(new TopicPartition("in-a", 1)).metadata()).isEqualTo("flinklite-checkpoint=2");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRestartFencesTheOldInstanceAndAbortsItsOpenTransaction() {
        broker.createTopic("in-b", 2);
        broker.createTopic("out-b", 1);
        String group = TransactionalCommitter.commitGroupOf("job-b");
        WindowResult kept = WindowResult.ofCount("critical", 0, 10_000, 1);
        TransactionalCommitter zombie = new TransactionalCommitter(connection, "tx-b", group, "out-b");
        zombie.initTransactions();
        zombie.commit(checkpoint("in-b", 1, 5, kept));
        // The zombie opens a transaction with a result and dies without committing (its producer is simply abandoned).
        zombie.producerForTest().beginTransaction();
        zombie.producerForTest().send(new ProducerRecord<>("out-b", null, "never visible".getBytes()));
        zombie.producerForTest().flush();

        try (TransactionalCommitter restarted = new TransactionalCommitter(connection, "tx-b", group, "out-b")) {
            restarted.initTransactions();
            assertThat(restarted.committedCheckpointId("in-b")).hasValue(1);
            // The zombie wakes up and tries to commit its transaction: fenced by the restarted instance's epoch.
            assertThatThrownBy(() -> zombie.producerForTest().commitTransaction())
                    .isInstanceOf(org.apache.kafka.common.KafkaException.class);
            restarted.commit(checkpoint("in-b", 2, 9, WindowResult.ofCount("important", 0, 10_000, 2)));
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.committedCheckpointId("in-b").orElse(0) == 2);
        } finally {
            zombie.close();
        }
        assertThat(readCommitted("out-b", 2))
                .containsExactly(kept.toJson(), WindowResult.ofCount("important", 0, 10_000, 2).toJson());
    }

    @Test
    void recoveryCommitsACheckpointWhoseTransactionDiedWithItsProcess(@TempDir Path dir) throws Exception {
        broker.createTopic("in-d", 2);
        broker.createTopic("out-d", 1);
        String group = TransactionalCommitter.commitGroupOf("job-d");
        // File checks only: these checkpoints carry a made-up state, which a job's store rightly refuses.
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir, DirectoryCheckpointStore.DEFAULT_RETAIN, CheckpointValidator.NONE);
        WindowResult first = WindowResult.ofCount("critical", 0, 10_000, 4);
        WindowResult second = WindowResult.ofCount("critical", 5_000, 15_000, 6);
        Checkpoint one = checkpoint("in-d", 1, 10, first);
        Checkpoint two = checkpoint("in-d", 2, 20, second);

        // The crashed process: checkpoint 1 committed; checkpoint 2 written to disk, its transaction begun and its
        // result sent, then the process died before the commit.
        TransactionalCommitter crashed = new TransactionalCommitter(connection, "tx-d", group, "out-d");
        crashed.initTransactions();
        store.write(one);
        crashed.commit(one);
        store.write(two);
        crashed.producerForTest().beginTransaction();
        crashed.producerForTest().send(new ProducerRecord<>("out-d", null, second.toJson().getBytes()));
        crashed.producerForTest().flush();

        // The restarted process recovers: fences the dead one (aborting its transaction), learns that 1 committed,
        // and commits 2 from its file.
        try (TransactionalCommitter restarted = new TransactionalCommitter(connection, "tx-d", group, "out-d")) {
            restarted.initTransactions();
            CheckpointRecovery.Recovered r = CheckpointRecovery.exactlyOnce(store, JobSpec.defaults().fingerprint(),
                    restarted.committedCheckpointId("in-d"), restarted, false, 0);
            assertThat(r.checkpoint()).contains(two);
            assertThat(r.nextId()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> restarted.committedCheckpointId("in-d").orElse(0) == 2);
        } finally {
            crashed.close();
        }
        assertThat(readCommitted("out-d", 2)).containsExactly(first.toJson(), second.toJson());
    }

    @Test
    void offsetsCommittedBySomethingElseAreIgnored() throws Exception {
        broker.createTopic("in-c", 1);
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "job-c.checkpoints");
        try (KafkaConsumer<String, String> other = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            other.commitSync(Map.of(new TopicPartition("in-c", 0), new OffsetAndMetadata(3, "hello")));
        }
        try (TransactionalCommitter committer = new TransactionalCommitter(connection, "tx-c", "job-c.checkpoints", null)) {
            committer.initTransactions();
            assertThat(committer.committedCheckpointId("in-c")).isEmpty();
        }
    }

    private static List<String> readCommitted(String topic, int expected) {
        return readCommitted(connection, topic, expected);
    }

    /** What a read_committed reader of {@code topic} sees, polling 2 s past {@code expected} records. */
    static List<String> readCommitted(KafkaConnection connection, String topic, int expected) {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            // Poll past the expected count for a moment, so that an extra (duplicate) record would be seen.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                if (values.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return values;
    }
}
