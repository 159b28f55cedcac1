package io.flinklite.connector.kafka;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OriginSink;
import io.flinklite.runtime.operator.RecordContext;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The connector's pieces against a real broker: reader, output, simulator, clear errors, and kcat interop. */
@ExtendWith(SharedKafkaBroker.class)
class KafkaConnectorIT {

    private static EmbeddedKafkaBroker broker;
    private static KafkaConnection connection;

    @BeforeAll
    static void shareBroker() {
        broker = SharedKafkaBroker.get();
        connection = KafkaConnection.of(broker.bootstrapServers());
    }

    /** Polls until {@code expected} records arrived (or 30 s passed), recording partition changes. */
    private static final class Collector implements PartitionListener {
        final Set<Integer> assigned = new TreeSet<>();
        final List<String> values = new ArrayList<>();
        final Map<Integer, Long> lastOffset = new HashMap<>();

        @Override
        public void partitionAssigned(int partition) {
            assigned.add(partition);
        }

        @Override
        public void partitionRevoked(int partition) {
            assigned.remove(partition);
        }

        void pollUntil(KafkaSourceReader reader, int expected) {
            pollUntil(reader, expected, 30_000);
        }

        void pollUntil(KafkaSourceReader reader, int expected, long atMostMs) {
            RecordBatch batch = new RecordBatch();
            long deadline = System.currentTimeMillis() + atMostMs;
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                batch.clear();
                reader.poll(batch, this, 200);
                for (int i = 0; i < batch.size(); i++) {
                    values.add(new String(batch.payload(i), batch.payloadOffset(i), batch.payloadLength(i), StandardCharsets.UTF_8));
                    lastOffset.put(batch.partition(i), batch.offset(i));
                }
            }
        }
    }

    private static void produce(String topic, int partition, String... values) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(connection.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, partition, null, v.getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void readerDeliversEveryPartitionAndResumesAfterItsCommittedOffsets() {
        broker.createTopic("reader-in", 3);
        for (int p = 0; p < 3; p++) {
            produce("reader-in", p, "p" + p + "-a", "p" + p + "-b");
        }
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "reader-in", "g1", KafkaSourceReader.StartFrom.EARLIEST)) {
            Collector c = new Collector();
            c.pollUntil(reader, 6);
            assertThat(c.values).containsExactlyInAnyOrder("p0-a", "p0-b", "p1-a", "p1-b", "p2-a", "p2-b");
            assertThat(c.assigned).containsExactly(0, 1, 2);
            assertThat(reader.assignedPartitions()).containsExactly(0, 1, 2);
            assertThat(reader.currentPositions()).containsEntry(0, 2L).containsEntry(1, 2L).containsEntry(2, 2L);
            assertThat(reader.lag(1)).isZero();
            assertThat(reader.topicOf(2)).isEqualTo("reader-in");
            reader.commit();
        }
        produce("reader-in", 1, "p1-c");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "reader-in", "g1", KafkaSourceReader.StartFrom.EARLIEST)) {
            Collector c = new Collector();
            c.pollUntil(reader, 1);
            assertThat(c.values).containsExactly("p1-c");
        }
    }

    @Test
    void aRevokedPartitionIsCommittedWhereThisReaderStoppedAndItsNewOwnerReportsBacklogAndWatermark() {
        broker.createTopic("move-in", 2);
        produce("move-in", 0, "a0", "a1", "a2");
        produce("move-in", 1, "b0", "b1", "b2");
        try (KafkaSourceReader first = new KafkaSourceReader(connection, "move-in", "g6", KafkaSourceReader.StartFrom.EARLIEST);
             KafkaSourceReader second = new KafkaSourceReader(connection, "move-in", "g6", KafkaSourceReader.StartFrom.EARLIEST)) {
            Collector one = new Collector();
            one.pollUntil(first, 6);
            assertThat(first.partitionCount()).isEqualTo(2);
            // Nothing committed yet: the second member joins and takes one partition away (cooperatively).
            Collector two = new Collector();
            long deadline = System.currentTimeMillis() + 60_000;
            RecordBatch batch = new RecordBatch();
            while (two.assigned.isEmpty() && System.currentTimeMillis() < deadline) {
                batch.clear();
                first.poll(batch, one, 100);
                two.pollUntil(second, 1, 100);
            }
            assertThat(two.assigned).hasSize(1);
            assertThat(one.assigned).hasSize(1);
            int moved = two.assigned.iterator().next();
            // The revocation committed where the first reader stopped: the new owner reads nothing twice.
            produce("move-in", moved, "new");
            two.pollUntil(second, 1);
            assertThat(two.values).containsExactly("new");

            // The first reader sees the moved partition's backlog and its owner's report once committed.
            second.commit(Map.of(moved, 4L), Map.of(moved, 12_345L));
            produce("move-in", moved, "waiting");
            long until = System.currentTimeMillis() + 30_000;
            while ((first.lag(moved) != 1 || first.reportedWatermark(moved) != 12_345L) && System.currentTimeMillis() < until) {
                batch.clear();
                first.poll(batch, one, 100);
                second.poll(new RecordBatch(), two, 10);
            }
            assertThat(first.lag(moved)).as("records wait beyond the committed offset").isEqualTo(1);
            assertThat(first.reportedWatermark(moved)).isEqualTo(12_345L);
            assertThat(first.reportedWatermark(1 - moved)).as("its own partition: its records tell").isEqualTo(Long.MIN_VALUE);
        }
    }

    @Test
    void aSecondProcessWithTheSameInstanceIdFencesTheFirstWhichStopsWithOneClearLine() {
        broker.createTopic("fence-in", 1);
        produce("fence-in", 0, "x");
        try (KafkaSourceReader first = new KafkaSourceReader(connection, "fence-in", "g7", KafkaSourceReader.StartFrom.EARLIEST, "same-id");
             KafkaSourceReader second = new KafkaSourceReader(connection, "fence-in", "g7", KafkaSourceReader.StartFrom.EARLIEST, "same-id")) {
            new Collector().pollUntil(first, 1);
            Collector two = new Collector();
            two.pollUntil(second, 1);
            assertThat(two.values).containsExactly("x");
            assertThatThrownBy(() -> {
                long deadline = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < deadline) {
                    first.poll(new RecordBatch(), new Collector(), 200);
                    first.commit();
                }
            }).isInstanceOf(KafkaConnectorException.class)
                    .hasMessageContaining("instance id 'same-id'").hasMessageContaining("--instance-id");
        }
    }

    @Test
    void restoredPositionsWinOverCommittedOffsets() {
        broker.createTopic("restore-in", 1);
        produce("restore-in", 0, "0", "1", "2", "3");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "restore-in", "g2", KafkaSourceReader.StartFrom.EARLIEST)) {
            reader.restorePositions(Map.of(0, 2L));
            Collector c = new Collector();
            c.pollUntil(reader, 2);
            assertThat(c.values).containsExactly("2", "3");
        }
    }

    @Test
    void aNewGroupCanStartAtTheEnd() {
        broker.createTopic("latest-in", 1);
        produce("latest-in", 0, "old");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "latest-in", "g3", KafkaSourceReader.StartFrom.LATEST)) {
            Collector c = new Collector();
            // Join the group and get a position before the new record is produced.
            long deadline = System.currentTimeMillis() + 30_000;
            while (c.assigned.isEmpty() && System.currentTimeMillis() < deadline) {
                reader.poll(new RecordBatch(), c, 200);
            }
            reader.currentPositions();
            produce("latest-in", 0, "new");
            c.pollUntil(reader, 1);
            assertThat(c.values).containsExactly("new");
        }
    }

    @Test
    void resultsAreWrittenAsReplayJsonKeyedByWindowKey() throws Exception {
        broker.createTopic("results", 2);
        try (KafkaOutput output = new KafkaOutput(connection, "it")) {
            Sink<WindowResult> sink = output.resultSink("results");
            sink.write(WindowResult.ofCount("critical", 1_700_000_000_000L, 1_700_000_010_000L, 42));
            sink.write(WindowResult.ofValue("important", 0, 5_000, 3, 1.5));
            sink.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll("results", 2);
        Map<String, String> byKey = new HashMap<>();
        records.forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8)));
        assertThat(byKey).containsEntry("critical",
                "{\"key\":\"critical\",\"windowStart\":1700000000000,\"windowEnd\":1700000010000,\"count\":42}")
                .containsEntry("important", "{\"key\":\"important\",\"windowStart\":0,\"windowEnd\":5000,\"count\":3,\"value\":1.5}");
    }

    @Test
    void theBatchCarriesEachRecordsKeyAndHeadersReadFromTheConsumerRecordWhenAsked() {
        broker.createTopic("kh-in", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(connection.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> keyed = new ProducerRecord<>("kh-in", 0, "order-7".getBytes(StandardCharsets.UTF_8),
                    "{}".getBytes(StandardCharsets.UTF_8));
            keyed.headers().add("trace", "abc".getBytes(StandardCharsets.UTF_8)).add("empty", null);
            producer.send(keyed);
            producer.send(new ProducerRecord<>("kh-in", 0, null, "{}".getBytes(StandardCharsets.UTF_8)));
        }
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "kh-in", "g-kh", KafkaSourceReader.StartFrom.EARLIEST)) {
            RecordBatch batch = new RecordBatch();
            long deadline = System.currentTimeMillis() + 30_000;
            while (batch.size() < 2 && System.currentTimeMillis() < deadline) {
                reader.poll(batch, new Collector(), 200);
            }
            assertThat(batch.size()).isEqualTo(2);
            assertThat(new String(batch.key(0), StandardCharsets.UTF_8)).isEqualTo("order-7");
            assertThat(batch.headerCount(0)).isEqualTo(2);
            assertThat(batch.headerName(0, 0)).isEqualTo("trace");
            assertThat(new String(batch.headerValue(0, 0), StandardCharsets.UTF_8)).isEqualTo("abc");
            assertThat(batch.headerName(0, 1)).isEqualTo("empty");
            assertThat(batch.headerValue(0, 1)).isNull();
            assertThat(batch.key(1)).isNull();
            assertThat(batch.headerCount(1)).isZero();
        }
    }

    @Test
    void aLateEventWrittenWithItsOriginKeepsKeyAndHeadersAndNamesWhereItWasRead() throws Exception {
        broker.createTopic("late-origin", 1);
        RecordContext origin = new RecordContext() {
            @Override public boolean hasRecord() { return true; }
            @Override public String topic() { return "events"; }
            @Override public int partition() { return 3; }
            @Override public long offset() { return 42; }
            @Override public long recordTimestampMs() { return -1; }
            @Override public byte[] key() { return "order-7".getBytes(StandardCharsets.UTF_8); }
            @Override public int headerCount() { return 1; }
            @Override public String headerName(int i) { return "trace"; }
            @Override public byte[] headerValue(int i) { return "abc".getBytes(StandardCharsets.UTF_8); }
            @Override public byte[] payload() { return null; }
            @Override public int payloadOffset() { return 0; }
            @Override public int payloadLength() { return 0; }
        };
        try (KafkaOutput output = new KafkaOutput(connection, "it")) {
            Sink<byte[]> late = output.lateSink("late-origin");
            assertThat(late).isInstanceOf(OriginSink.class);
            ((OriginSink) late).write("{\"timestamp\":0}".getBytes(StandardCharsets.UTF_8), origin);
            late.write("{\"timestamp\":1}".getBytes(StandardCharsets.UTF_8));
            output.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> out = readAll("late-origin", 2);
        ConsumerRecord<byte[], byte[]> r = out.get(0);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("{\"timestamp\":0}");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("order-7");
        assertThat(header(r, "trace")).isEqualTo("abc");
        assertThat(header(r, KafkaOutput.HEADER_REASON)).isEqualTo("late");
        assertThat(header(r, KafkaOutput.HEADER_TOPIC)).isEqualTo("events");
        assertThat(header(r, KafkaOutput.HEADER_PARTITION)).isEqualTo("3");
        assertThat(header(r, KafkaOutput.HEADER_OFFSET)).isEqualTo("42");
        ConsumerRecord<byte[], byte[]> plain = out.get(1);
        assertThat(plain.key()).isNull();
        assertThat(header(plain, KafkaOutput.HEADER_REASON)).isEqualTo("late");
        assertThat(plain.headers().lastHeader(KafkaOutput.HEADER_TOPIC)).isNull();
    }

    @Test
    void deadLettersAreForwardedUnchangedWithKeyReasonAndOrigin() {
        broker.createTopic("dl-in", 2);
        broker.createTopic("dl-out", 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(connection.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("dl-in", 1, "k".getBytes(StandardCharsets.UTF_8), "not json".getBytes(StandardCharsets.UTF_8)));
        }
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "dl-in", "g4", KafkaSourceReader.StartFrom.EARLIEST);
             KafkaOutput output = new KafkaOutput(connection, "it")) {
            DeadLetterHandler handler = output.deadLetters("dl-out", reader);
            RecordBatch batch = new RecordBatch();
            long deadline = System.currentTimeMillis() + 30_000;
            while (batch.isEmpty() && System.currentTimeMillis() < deadline) {
                reader.poll(batch, new Collector(), 200);
            }
            assertThat(batch.size()).isEqualTo(1);
            handler.deadLetter(batch.partition(0), batch.offset(0), batch.payload(0), batch.payloadOffset(0),
                    batch.payloadLength(0), InvalidReason.NOT_JSON, "not JSON");
            output.flush();
        }
        ConsumerRecord<byte[], byte[]> r = readAll("dl-out", 1).get(0);
        assertThat(new String(r.value(), StandardCharsets.UTF_8)).isEqualTo("not json");
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(header(r, KafkaOutput.HEADER_REASON)).isEqualTo("not_json");
        assertThat(header(r, KafkaOutput.HEADER_TOPIC)).isEqualTo("dl-in");
        assertThat(header(r, KafkaOutput.HEADER_PARTITION)).isEqualTo("1");
        assertThat(header(r, KafkaOutput.HEADER_OFFSET)).isEqualTo("0");
    }

    @Test
    void aFailedWriteIsNeverSilentTheNextFlushThrowsNamingIt() throws Exception {
        // The broker never auto-creates topics, so the producer cannot send to this one.
        KafkaConnection impatient = new KafkaConnection(broker.bootstrapServers(), Map.of(), 1_000);
        try (KafkaOutput output = new KafkaOutput(impatient, "it-fail")) {
            Sink<WindowResult> sink = output.resultSink("no-such-results-topic");
            sink.write(WindowResult.ofCount("critical", 0, 10_000, 1));
            assertThatThrownBy(sink::flush).isInstanceOf(KafkaConnectorException.class)
                    .hasMessageStartingWith("writing to Kafka topic 'no-such-results-topic' failed:");
            assertThat(output.failures()).isEqualTo(1);
            assertThat(output.acknowledged()).isZero();
            // Sticky: no later flush may pretend the lost record was written, so nothing commits past it.
            assertThatThrownBy(sink::flush).isInstanceOf(KafkaConnectorException.class)
                    .hasMessageStartingWith("writing to Kafka topic 'no-such-results-topic' failed:");
            // A checkpoint failing on it says the job stops (CheckpointCoordinator), not that it will be retried.
            assertThatThrownBy(output::checkWrites).isInstanceOf(KafkaConnectorException.class)
                    .isInstanceOf(io.flinklite.runtime.checkpoint.CheckpointCoordinator.StopsTheJob.class);
        }
    }

    @Test
    void theSizeCheckIsTheBrokersOwnARecordOfExactlyTheLimitIsWrittenOneByteMoreNever() throws Exception {
        broker.createTopic("edge", 1, Map.of("max.message.bytes", "500"));
        RecordLimits limits = RecordLimits.of(connection, ProducerSettings.idempotent(connection, "it"), List.of("edge"));
        int header = RecordLimits.headerSize(KafkaOutput.HEADER_REASON, "late".getBytes(StandardCharsets.UTF_8));
        int fits = 0;
        while (limits.tooLarge("edge", -1, fits + 1, header, 1) == null) {
            fits++;
        }
        assertThat(fits).isBetween(400, 500);
        // Kafka's own producer: the broker refuses one byte more.
        try (KafkaProducer<byte[], byte[]> plain = new KafkaProducer<>(connection.clientProperties(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ProducerRecord<byte[], byte[]> over = new ProducerRecord<>("edge", null, null, null, new byte[fits + 1],
                    List.of(new org.apache.kafka.common.header.internals.RecordHeader(KafkaOutput.HEADER_REASON,
                            "late".getBytes(StandardCharsets.UTF_8))));
            assertThatThrownBy(() -> plain.send(over).get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.RecordTooLargeException.class);
        }
        JobMetrics metrics = new JobMetrics();
        try (KafkaOutput output = new KafkaOutput(connection, "it-edge", List.of("edge"), null, metrics)) {
            Sink<byte[]> late = output.lateSink("edge");
            late.write(new byte[fits]);
            late.flush();
            assertThat(output.acknowledged()).isEqualTo(1);
            late.write(new byte[fits + 1]);
            assertThatThrownBy(output::checkWrites).isInstanceOf(KafkaConnectorException.class)
                    .hasMessageContaining("topic 'edge' can never be written")
                    .hasMessageContaining("over the max.message.bytes of 500 of topic 'edge'");
            assertThat(metrics.outputRecordsTooLarge()).isEqualTo(1);
            assertThatThrownBy(late::flush).isInstanceOf(KafkaConnectorException.class);
        }
        assertThat(readAll("edge", 1)).hasSize(1);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void ensureTopicCreatesWithoutDescribingTheTopicAgain() {
        // The CreateTopics response already carries the partition count; a DescribeTopics after it was a second
        // round trip (and, on a busy controller, a second chance to time out) for a fact we had.
        java.util.concurrent.atomic.AtomicInteger describes = new java.util.concurrent.atomic.AtomicInteger();
        Map<String, Object> config = new HashMap<>();
        config.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin counting = new org.apache.kafka.clients.admin.ForwardingAdmin(config) {
            @Override
            public org.apache.kafka.clients.admin.DescribeTopicsResult describeTopics(
                    org.apache.kafka.common.TopicCollection topics, org.apache.kafka.clients.admin.DescribeTopicsOptions options) {
                describes.incrementAndGet();
                return super.describeTopics(topics, options);
            }
        }) {
            assertThat(connection.ensureTopic(counting, "ensure-once", 2, -1)).isTrue();
            assertThat(describes).hasValue(0);
            assertThat(connection.ensureTopic(counting, "ensure-once", 2, -1)).isFalse();
            assertThat(describes).hasValue(0);
            // The broker's own partition count when none is asked for, still without a describe.
            assertThat(connection.ensureTopic(counting, "ensure-default", -1, -1)).isTrue();
            assertThat(describes).hasValue(0);
        }
        assertThat(connection.partitionCount("ensure-once")).isEqualTo(2);
        assertThat(connection.partitionCount("ensure-default")).isEqualTo(1);
    }

    @Test
    void simulatorSendsExactlyWhatItsSeededGeneratorMakes() {
        assertThat(connection.ensureTopic("sim", 3)).isTrue();
        assertThat(connection.ensureTopic("sim", 3)).isFalse();
        long now = 1_700_000_000_000L;
        Simulator.Stats stats;
        try (Simulator sim = new Simulator(connection, "sim", true, seeded(), () -> now)) {
            stats = sim.run(300, 0, null, 0);
        }
        assertThat(stats.sent()).isEqualTo(300);
        assertThat(stats.acknowledged()).isEqualTo(300);
        assertThat(stats.failed()).isZero();

        TrafficGenerator expected = seeded();
        TrafficGenerator.Generated g = new TrafficGenerator.Generated();
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            want.add(new String(expected.next(now, g).value(), StandardCharsets.UTF_8));
        }
        List<ConsumerRecord<byte[], byte[]>> got = readAll("sim", 300);
        List<String> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : got) {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            values.add(v);
            if (r.key() != null) {
                // Keyed by message: the key is inside the value.
                assertThat(v).contains("\"message\":\"" + new String(r.key(), StandardCharsets.UTF_8) + "\"");
            }
        }
        assertThat(values).containsExactlyInAnyOrderElementsOf(want);
        assertThat(connection.partitionCount("sim")).isEqualTo(3);
    }

    private static TrafficGenerator seeded() {
        return new TrafficGenerator(42, TrafficGenerator.Disorder.SEED, 50_000, List.of("important", "normal", "critical"),
                new double[] {1, 1, 1}, 0.05, TrafficGenerator.InvalidKind.values());
    }

    @Test
    void aMissingTopicAndAnUnreachableBrokerGiveOneClearSentence() throws Exception {
        assertThatThrownBy(() -> connection.partitionCount("no-such-topic"))
                .isInstanceOf(KafkaConnectorException.class)
                .hasMessageContaining("topic 'no-such-topic' does not exist on " + broker.bootstrapServers());
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        KafkaConnection nowhere = new KafkaConnection("127.0.0.1:" + closedPort, Map.of(), 2_000);
        assertThatThrownBy(() -> nowhere.partitionCount("x"))
                .isInstanceOf(KafkaConnectorException.class)
                .hasMessageStartingWith("cannot reach Kafka at 127.0.0.1:" + closedPort + " within 2.0 s");
    }

    @Test
    void recordsProducedByKcatAreReadByTheReader() throws Exception {
        broker.createTopic("kcat-in", 2);
        String input = "{\"id\":1,\"timestamp\":1700000000000,\"message\":\"important\"}\n"
                + "{\"id\":2,\"timestamp\":1700000001000,\"message\":\"critical\"}\n";
        Process kcat = new ProcessBuilder("kcat", "-P", "-b", broker.bootstrapServers(), "-t", "kcat-in", "-p", "1")
                .redirectErrorStream(true).start();
        kcat.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        kcat.getOutputStream().close();
        assertThat(kcat.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(kcat.exitValue()).as(new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, "kcat-in", "g5", KafkaSourceReader.StartFrom.EARLIEST)) {
            Collector c = new Collector();
            c.pollUntil(reader, 2);
            assertThat(c.values).containsExactly(
                    "{\"id\":1,\"timestamp\":1700000000000,\"message\":\"important\"}",
                    "{\"id\":2,\"timestamp\":1700000001000,\"message\":\"critical\"}");
            assertThat(c.lastOffset).containsOnlyKeys(1);
        }
    }

    /** Polls a reader of several topics, recording every record and partition event as "source/partition". */
    private static final class SourcesCollector implements PartitionListener {
        final Set<String> assigned = new TreeSet<>();
        final List<String> values = new ArrayList<>();
        final Map<String, Long> lastOffset = new HashMap<>();

        @Override
        public void partitionAssigned(int partition) {
            throw new AssertionError("a reader of several topics names the source of every partition");
        }

        @Override
        public void partitionRevoked(int partition) {
            throw new AssertionError("a reader of several topics names the source of every partition");
        }

        @Override
        public void partitionAssigned(int source, int partition) {
            assigned.add(source + "/" + partition);
        }

        @Override
        public void partitionRevoked(int source, int partition) {
            assigned.remove(source + "/" + partition);
        }

        void pollUntil(KafkaSourceReader reader, int expected, long atMostMs) {
            RecordBatch batch = new RecordBatch();
            long deadline = System.currentTimeMillis() + atMostMs;
            while (values.size() < expected && System.currentTimeMillis() < deadline) {
                batch.clear();
                reader.poll(batch, this, 200);
                for (int i = 0; i < batch.size(); i++) {
                    String origin = batch.source(i) + "/" + batch.partition(i);
                    assertThat(assigned).as("a record arrives after its partition's assignment").contains(origin);
                    values.add(origin + ":" + new String(batch.payload(i), batch.payloadOffset(i), batch.payloadLength(i),
                            StandardCharsets.UTF_8));
                    lastOffset.put(origin, batch.offset(i));
                }
            }
        }
    }

    private static Map<String, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed(String group) throws Exception {
        Map<String, org.apache.kafka.clients.consumer.OffsetAndMetadata> out = new TreeMap<>();
        // The broker's own admin client: not closed here.
        broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                .forEach((tp, o) -> out.put(tp.topic() + "-" + tp.partition(), o));
        return out;
    }

    @Test
    void oneConsumerReadsTwoTopicsAsTwoSourcesAndCommitsBothInOneGroupWithEachPartitionsWatermark() throws Exception {
        broker.createTopic("two-left", 2);
        broker.createTopic("two-right", 1);
        produce("two-left", 0, "l0");
        produce("two-left", 1, "l1");
        produce("two-right", 0, "r0", "r1");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, List.of("two-left", "two-right"), "g-two",
                KafkaSourceReader.StartFrom.EARLIEST, null)) {
            assertThat(reader.sourceCount()).isEqualTo(2);
            assertThat(reader.sourceOf("two-right")).isEqualTo(1);
            assertThat(reader.sourceOf("elsewhere")).isEqualTo(-1);
            SourcesCollector c = new SourcesCollector();
            c.pollUntil(reader, 4, 30_000);
            assertThat(c.values).containsExactlyInAnyOrder("0/0:l0", "0/1:l1", "1/0:r0", "1/0:r1");
            assertThat(c.assigned).containsExactly("0/0", "0/1", "1/0");
            assertThat(reader.partitionCount(0)).isEqualTo(2);
            assertThat(reader.partitionCount(1)).isEqualTo(1);
            assertThat(reader.partitionCount()).as("source 0, as a reader of one topic answers").isEqualTo(2);
            assertThat(reader.topicOf(1, 0)).isEqualTo("two-right");
            assertThat(reader.topicOf(0, 1)).isEqualTo("two-left");
            assertThat(reader.assignedPartitions(1)).containsExactly(0);
            assertThat(reader.currentPositions(1)).containsExactly(Map.entry(0, 2L));
            assertThat(reader.lag(1, 0)).isZero();
            reader.liveWatermarks((source, partition) -> 1_000L * (source + 1) + partition);
            reader.commit();
        }
        Map<String, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = committed("g-two");
        assertThat(offsets).containsOnlyKeys("two-left-0", "two-left-1", "two-right-0");
        assertThat(offsets.get("two-right-0").offset()).isEqualTo(2);
        assertThat(WatermarkReport.parse(offsets.get("two-left-1").metadata())).isEqualTo(1_001L);
        assertThat(WatermarkReport.parse(offsets.get("two-right-0").metadata())).isEqualTo(2_000L);

        produce("two-right", 0, "r2");
        produce("two-left", 1, "l2");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, List.of("two-left", "two-right"), "g-two",
                KafkaSourceReader.StartFrom.EARLIEST, null)) {
            SourcesCollector c = new SourcesCollector();
            c.pollUntil(reader, 2, 30_000);
            assertThat(c.values).as("each topic resumes after its own committed offsets")
                    .containsExactlyInAnyOrder("1/0:r2", "0/1:l2");
        }
    }

    @Test
    void aTopicNamedTwiceIsRefused() {
        assertThatThrownBy(() -> new KafkaSourceReader(connection, List.of("same", "same"), "g-twice",
                KafkaSourceReader.StartFrom.EARLIEST, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'same' is named twice");
    }

    @Test
    void restoredPositionsGoToTheSourceOfTheirTopicAndAPositionInAnotherTopicIsRefused() {
        broker.createTopic("restore-left", 1);
        broker.createTopic("restore-right", 1);
        produce("restore-left", 0, "a", "b", "c");
        produce("restore-right", 0, "x", "y", "z");
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, List.of("restore-left", "restore-right"),
                "g-restore2", KafkaSourceReader.StartFrom.EARLIEST, null)) {
            assertThatThrownBy(() -> reader.restorePositions(List.of(
                    new io.flinklite.runtime.checkpoint.SourcePosition("restore-left", 0, 1, 0),
                    new io.flinklite.runtime.checkpoint.SourcePosition("restore-other", 0, 1, 0))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'restore-other'")
                    .hasMessageContaining("restore-left, restore-right");
            reader.restorePositions(List.of(
                    new io.flinklite.runtime.checkpoint.SourcePosition("restore-left", 0, 2, 0),
                    new io.flinklite.runtime.checkpoint.SourcePosition("restore-right", 0, 1, 0)));
            SourcesCollector c = new SourcesCollector();
            c.pollUntil(reader, 3, 30_000);
            assertThat(c.values).containsExactlyInAnyOrder("0/0:c", "1/0:y", "1/0:z");
        }
        try (KafkaSourceReader reader = new KafkaSourceReader(connection, List.of("restore-left", "restore-right"),
                "g-restore3", KafkaSourceReader.StartFrom.EARLIEST, null)) {
            reader.restorePositions(1, Map.of(0, 2L));
            SourcesCollector c = new SourcesCollector();
            c.pollUntil(reader, 4, 30_000);
            assertThat(c.values).as("the indexed form: source 1's position only")
                    .containsExactlyInAnyOrder("0/0:a", "0/0:b", "0/0:c", "1/0:z");
        }
    }

    @Test
    void aRebalanceOfTwoTopicsCommitsWhereTheReaderStoppedInEachAndTheNewOwnerReportsBacklogAndWatermarkPerTopic() {
        broker.createTopic("move-left", 2);
        broker.createTopic("move-right", 2);
        for (int p = 0; p < 2; p++) {
            produce("move-left", p, "l" + p + "a", "l" + p + "b");
            produce("move-right", p, "r" + p + "a", "r" + p + "b");
        }
        List<String> topics = List.of("move-left", "move-right");
        try (KafkaSourceReader first = new KafkaSourceReader(connection, topics, "g-move2", KafkaSourceReader.StartFrom.EARLIEST, null);
             KafkaSourceReader second = new KafkaSourceReader(connection, topics, "g-move2", KafkaSourceReader.StartFrom.EARLIEST, null)) {
            SourcesCollector one = new SourcesCollector();
            one.pollUntil(first, 8, 30_000);
            assertThat(one.values).hasSize(8);
            first.liveWatermarks((source, partition) -> 5_000L + 10 * source + partition);
            SourcesCollector two = new SourcesCollector();
            long deadline = System.currentTimeMillis() + 60_000;
            RecordBatch batch = new RecordBatch();
            while (two.assigned.isEmpty() && System.currentTimeMillis() < deadline) {
                batch.clear();
                first.poll(batch, one, 100);
                two.pollUntil(second, 1, 100);
            }
            // Range assignment: each member gets one partition number, of both topics (co-partitioned topics meet).
            while ((two.assigned.size() != 2 || one.assigned.size() != 2) && System.currentTimeMillis() < deadline) {
                batch.clear();
                first.poll(batch, one, 100);
                two.pollUntil(second, 1, 100);
            }
            Set<String> all = new TreeSet<>(one.assigned);
            all.addAll(two.assigned);
            assertThat(all).containsExactly("0/0", "0/1", "1/0", "1/1");
            assertThat(one.assigned).doesNotContainAnyElementsOf(two.assigned);
            assertThat(two.assigned).as("partition p of both topics on one member")
                    .isIn(Set.of("0/0", "1/0"), Set.of("0/1", "1/1"));
            // The revocation committed where the first reader stopped in each topic: the new owner reads nothing twice.
            for (String moved : two.assigned) {
                int source = moved.charAt(0) - '0';
                int partition = moved.charAt(2) - '0';
                produce(topics.get(source), partition, "new-" + moved);
            }
            two.pollUntil(second, two.assigned.size(), 30_000);
            assertThat(two.values).allMatch(v -> v.endsWith(":new-" + v.substring(0, 3)));
            assertThat(two.values).hasSize(two.assigned.size());

            // The first reader sees each moved partition's backlog and its owner's report, per topic.
            List<io.flinklite.runtime.checkpoint.SourcePosition> report = new ArrayList<>();
            for (String moved : two.assigned) {
                int source = moved.charAt(0) - '0';
                int partition = moved.charAt(2) - '0';
                report.add(new io.flinklite.runtime.checkpoint.SourcePosition(topics.get(source), partition, 3,
                        20_000L + 10 * source + partition));
                produce(topics.get(source), partition, "waiting");
            }
            second.commit(report);
            long until = System.currentTimeMillis() + 30_000;
            boolean seen = false;
            while (!seen && System.currentTimeMillis() < until) {
                batch.clear();
                first.poll(batch, one, 100);
                second.poll(new RecordBatch(), two, 10);
                seen = true;
                for (String moved : two.assigned) {
                    int source = moved.charAt(0) - '0';
                    int partition = moved.charAt(2) - '0';
                    seen &= first.lag(source, partition) == 1
                            && first.reportedWatermark(source, partition) == 20_000L + 10 * source + partition;
                }
            }
            assertThat(seen).as("backlog 1 and the owner's watermark for every moved partition, of both topics").isTrue();
            for (String kept : one.assigned) {
                int source = kept.charAt(0) - '0';
                int partition = kept.charAt(2) - '0';
                assertThat(first.reportedWatermark(source, partition)).as("its own partition: its records tell")
                        .isEqualTo(Long.MIN_VALUE);
            }
        }
    }
}
