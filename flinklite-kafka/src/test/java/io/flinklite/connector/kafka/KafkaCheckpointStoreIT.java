package io.flinklite.connector.kafka;

import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointValidator;
import io.flinklite.runtime.checkpoint.CorruptCheckpointException;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;
import io.flinklite.runtime.checkpoint.TapeStateWriter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link KafkaCheckpointStore} against the real in-process broker, default client settings: round trip and
 * retention, chunking of a state of several MB through a topic whose {@code max.message.bytes} is 64 KiB, damaged and
 * partial snapshots skipped, and exactly-once writes that become visible only with their transaction.
 */
@ExtendWith(SharedKafkaBroker.class)
class KafkaCheckpointStoreIT {

    private static final CheckpointValidator ANY = CheckpointValidator.NONE;
    private static final String TASK = KafkaCheckpointStore.taskKeyOf("ckstore-in");
    private static EmbeddedKafkaBroker broker;
    private static KafkaConnection connection;

    @BeforeAll
    static void connect() {
        broker = SharedKafkaBroker.get();
        connection = KafkaConnection.of(broker.bootstrapServers());
    }

    private static Checkpoint checkpoint(long id, long previousId, StateTape state, WindowResult... pending) {
        return new Checkpoint(id, previousId, 1_700_000_000_000L + id, JobSpec.defaults().fingerprint(),
                pending.length > 0 ? "exactly-once" : "at-least-once",
                List.of(new SourcePosition("ckstore-in", 0, 100 * id, 5 * id, null)), 5 * id, state, List.of(pending));
    }

    /** A well-formed state of about {@code bytes} bytes, random so that nothing compresses it away. */
    private static StateTape state(int bytes, long seed) {
        Random random = new Random(seed);
        TapeStateWriter w = new TapeStateWriter(bytes + 1024, bytes / 1000 + 16);
        w.beginObject(null);
        w.beginArray("blobs");
        StringBuilder sb = new StringBuilder(1000);
        for (int written = 0; written < bytes; written += 1000) {
            sb.setLength(0);
            for (int i = 0; i < 1000; i++) {
                sb.append((char) ('a' + random.nextInt(26)));
            }
            w.writeString(null, sb.toString());
        }
        w.endArray();
        w.endObject();
        return w.finish();
    }

    @Test
    void roundTripRetentionAndTheCreatedTopicIsCompacted() throws Exception {
        String topic = "ckstore-roundtrip-checkpoints";
        List<Checkpoint> written = new ArrayList<>();
        try (KafkaCheckpointStore store = KafkaCheckpointStore.create(connection, topic, TASK, 3, ANY, null)) {
            store.prepare();
            assertThat(store.ids()).isEmpty();
            assertThat(store.highestId()).isEmpty();
            assertThat(store.loadLatest().checkpoint()).isEmpty();
            for (long id = 1; id <= 5; id++) {
                Checkpoint c = checkpoint(id, id - 1, state(2_000, id));
                store.write(c);
                written.add(c);
            }
        }
        try (KafkaCheckpointStore reread = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            assertThat(reread.ids()).as("the newest 3 retained").containsExactly(5L, 4L, 3L);
            assertThat(reread.highestId()).hasValue(5);
            CheckpointStore.Found found = reread.loadLatest();
            assertThat(found.checkpoint()).contains(written.get(4));
            assertThat(found.warnings()).isEmpty();
            assertThat(reread.load(3)).isEqualTo(written.get(2));
            assertThatThrownBy(() -> reread.load(1)).isInstanceOf(java.nio.file.NoSuchFileException.class);
        }
        try (Admin admin = connection.admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }
        // Rotated checkpoints are tombstoned (so compaction removes them), never left as live records.
        Map<String, byte[]> latest = latestValues(topic);
        assertThat(latest.get(TASK + "/1/manifest")).isNull();
        assertThat(latest.get(TASK + "/1/chunk/0")).isNull();
        assertThat(latest).containsKey(TASK + "/1/manifest");
        assertThat(latest.get(TASK + "/5/manifest")).isNotNull();
    }

    @Test
    void aStateOfSeveralMegabytesIsChunkedThroughASmallMaxMessageBytes() throws Exception {
        String topic = "ckstore-chunked-checkpoints";
        broker.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "max.message.bytes", "65536"));
        Checkpoint big = checkpoint(1, 0, state(5_000_000, 7));
        Checkpoint bigger = checkpoint(2, 1, state(6_000_000, 8));
        try (KafkaCheckpointStore store = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            assertThat(store.chunkBytes()).isLessThan(65536).isGreaterThan(60_000);
            store.prepare();
            long size = store.write(big);
            assertThat(size).isGreaterThan(5_000_000);
            store.write(bigger);
        }
        Map<String, byte[]> latest = latestValues(topic);
        long chunks = latest.keySet().stream().filter(k -> k.startsWith(TASK + "/2/chunk/")).count();
        assertThat(chunks).as("chunks of checkpoint 2").isGreaterThan(90);
        try (KafkaCheckpointStore reread = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            assertThat(reread.loadLatest().checkpoint()).contains(bigger);
            assertThat(reread.load(1)).isEqualTo(big);
        }
    }

    @Test
    void aDamagedOrPartialSnapshotIsSkippedWithOneLineAndOrphanChunksAreRemoved() throws Exception {
        String topic = "ckstore-damaged-checkpoints";
        broker.createTopic(topic, 1, Map.of("cleanup.policy", "compact", "max.message.bytes", "65536"));
        Checkpoint first = checkpoint(1, 0, state(200_000, 1));
        Checkpoint second = checkpoint(2, 1, state(200_000, 2));
        try (KafkaCheckpointStore store = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            store.write(first);
            store.write(second);
        }
        // Checkpoint 2 loses a chunk; checkpoint 3 was interrupted after two chunks, before its manifest.
        try (KafkaProducer<byte[], byte[]> raw = rawProducer()) {
            raw.send(new ProducerRecord<>(topic, 0, bytes(TASK + "/2/chunk/1"), null)).get();
            raw.send(new ProducerRecord<>(topic, 0, bytes(TASK + "/3/chunk/0"), bytes("{\"formatVersion\""))).get();
            raw.send(new ProducerRecord<>(topic, 0, bytes(TASK + "/3/chunk/1"), bytes("1,"))).get();
        }
        try (KafkaCheckpointStore store = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            assertThat(store.highestId()).as("an interrupted write's id is never reused").hasValue(3);
            io.flinklite.runtime.checkpoint.CheckpointRecovery.Recovered recovered =
                    io.flinklite.runtime.checkpoint.CheckpointRecovery.atLeastOnce(store, JobSpec.defaults().fingerprint(), false, 0);
            assertThat(recovered.checkpoint()).contains(first);
            assertThat(recovered.skipped()).as("counted in flinklite_checkpoints_skipped_total").isEqualTo(1);
            assertThat(recovered.nextId()).isEqualTo(4);
            CheckpointStore.Found found = store.loadLatest();
            assertThat(found.checkpoint()).contains(first);
            assertThat(found.warnings()).singleElement().asString()
                    .contains("skipping damaged checkpoint 2").contains("chunk 1 of").contains("is missing");
            assertThatThrownBy(() -> store.load(2)).isInstanceOf(CorruptCheckpointException.class);
        }
        Map<String, byte[]> latest = latestValues(topic);
        assertThat(latest).containsKey(TASK + "/3/chunk/0");
        assertThat(latest.get(TASK + "/3/chunk/0")).as("orphan chunk tombstoned at start").isNull();
        assertThat(latest.get(TASK + "/3/chunk/1")).isNull();
    }

    @Test
    void keptCheckpointsOutliveRetentionAndAFreshStartSupersedesTheRest() throws Exception {
        String topic = "ckstore-kept-checkpoints";
        try (KafkaCheckpointStore store = KafkaCheckpointStore.create(connection, topic, TASK, 2, ANY, null)) {
            store.write(checkpoint(1, 0, state(1_000, 1)));
            assertThat(store.keep(1)).contains("kept");
            for (long id = 2; id <= 4; id++) {
                store.write(checkpoint(id, id - 1, state(1_000, id)));
            }
            assertThat(store.ids()).containsExactly(4L, 3L);
            assertThat(store.keptIds()).containsExactly(1L);
            assertThat(store.moveAside(99)).isPresent();
        }
        try (KafkaCheckpointStore store = KafkaCheckpointStore.open(connection, topic, TASK, 2, ANY, null)) {
            assertThat(store.loadLatest().checkpoint()).as("superseded by --fresh-start").isEmpty();
            assertThat(store.highestId()).hasValue(4);
            assertThat(store.load(1).id()).as("the kept one still reads").isEqualTo(1);
            store.write(checkpoint(5, 0, state(1_000, 5)));
            assertThat(store.loadLatest().checkpoint().orElseThrow().id()).isEqualTo(5);
        }
    }

    @Test
    void exactlyOnceTheSnapshotResultsAndOffsetsCommitInOneTransaction() throws Exception {
        String topic = "ckstore-eo-checkpoints";
        broker.createTopic("ckstore-in", 1);
        broker.createTopic("ckstore-eo-out", 1);
        String group = TransactionalCommitter.commitGroupOf("ckstore-eo");
        WindowResult r = WindowResult.ofCount("critical", 0, 10_000, 3);
        Checkpoint c = checkpoint(1, 0, state(300_000, 3), r);
        try (TransactionalCommitter committer = new TransactionalCommitter(connection, "ckstore-eo-tx", group, "ckstore-eo-out");
             KafkaCheckpointStore store = KafkaCheckpointStore.create(connection, topic, TASK, 3, ANY, committer)) {
            committer.initTransactions();
            store.write(c);
        }
        try (KafkaCheckpointStore reread = KafkaCheckpointStore.open(connection, topic, TASK, 3, ANY, null)) {
            assertThat(reread.loadLatest().checkpoint()).contains(c);
        }
        assertThat(TransactionalCommitter.committedCheckpointId(connection, group, "ckstore-in")).hasValue(1);
        assertThat(readCommittedValues("ckstore-eo-out")).containsExactly(r.toJson());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(connection.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Every key of the topic's partition 0 with its latest value (null for a tombstone), read_committed. */
    private static Map<String, byte[]> latestValues(String topic) {
        Map<String, byte[]> latest = new java.util.HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
        }
        return latest;
    }

    private static List<String> readCommittedValues(String topic) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic)) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.currentTimeMillis() + 30_000;
            while (c.position(tp) < end && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }
}
