package io.flinklite.app;

import org.junit.jupiter.api.extension.ExtendWith;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code flinklite run} as a user meets it: a clean stop on SIGTERM, and one clear line for each setup mistake. */
@ExtendWith(SharedKafkaBroker.class)
class RunCommandIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void shareBroker() {
        broker = SharedKafkaBroker.get();
    }

    @Test
    void sigtermStopsRunCleanlyFlushingResultsAndCommittingOffsets() throws Exception {
        broker.createTopic("sig-in", 3);
        broker.createTopic("sig-out", 1);
        long base = System.currentTimeMillis() - 600_000;
        List<KafkaTestSupport.Placed> events = KafkaTestSupport.disorderedEvents(3, 600, new int[] {0, 1, 2}, base);
        KafkaTestSupport.produce(broker.bootstrapServers(), "sig-in", events);
        List<String> expected = KafkaTestSupport.replayResults(io.flinklite.job.JobSpec.defaults(), events);

        String output;
        try (ChildFlinkLite run = ChildFlinkLite.start(
                "run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", "sig-in",
                "--output-topic", "sig-out", "--group-id", "sig", "--metrics-host", "127.0.0.1", "--metrics-port", "0",
                "--checkpoint-dir", Files.createTempDirectory("flinklite-run-it").toString())) {
            // Every result printed on stdout means every record was processed.
            run.awaitLines(Duration.ofSeconds(60),
                    lines -> lines.stream().filter(l -> l.startsWith("{\"key\"")).count() == expected.size());
            run.stopWithSigterm(Duration.ofSeconds(30));
            output = run.output();
        }
        assertThat(output).contains("stopped: output flushed, offsets committed");
        assertThat(output).doesNotContain("Exception");
        // The lines on stdout are the records of the output topic.
        assertThat(output.lines().filter(l -> l.startsWith("{\"key\"")))
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "sig-out", expected.size())))
                .containsExactlyInAnyOrderElementsOf(expected);
        long committed = broker.admin().listConsumerGroupOffsets("sig").partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
        assertThat(committed).isEqualTo(events.size());
    }

    @Test
    void aMissingInputTopicIsOneClearLine() {
        CliRun r = run("run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", "no-such-topic");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).startsWith("flinklite: topic 'no-such-topic' does not exist on " + broker.bootstrapServers())
                .doesNotContain("\n").doesNotContain("Exception");
    }

    @Test
    void aMissingOutputTopicNamesTheFlagToChange() {
        broker.createTopic("has-input", 1);
        CliRun r = run("run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", "has-input",
                "--output-topic", "no-such-output");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).contains("topic 'no-such-output' does not exist").contains("--output-topic none")
                .contains("--create-topics").doesNotContain("\n");
    }

    @Test
    void anUnreachableBrokerIsOneClearLineAfterTheConnectTimeout() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        CliRun r = run("run", "--bootstrap-servers", "127.0.0.1:" + closedPort, "--connect-timeout", "2s");
        assertThat(r.code).isEqualTo(1);
        assertThat(r.err.trim()).startsWith("flinklite: cannot reach Kafka at 127.0.0.1:" + closedPort + " within 2.0 s")
                .doesNotContain("\n");
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheValue() {
        CliRun r = run("run", "--window", "hopping:10s");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("hopping:10s").doesNotContain("Exception");
        CliRun d = run("run", "--idle-timeout", "soon");
        assertThat(d.code).isEqualTo(2);
        assertThat(d.err).contains("soon");
    }

    /**
     * The savepoint workflow and the fallback, as a user meets them: a checkpoint kept with {@code checkpoint keep}
     * survives rotation; a damaged newest checkpoint (a directory in its place) falls back to the previous one with a
     * warning; {@code --restore-from} restores exactly the kept one; an invalid {@code --restore-from} is one line.
     */
    @Test
    void keptCheckpointsRestoreExactlyAndADamagedNewestFallsBack() throws Exception {
        broker.createTopic("keep-in", 3);
        broker.createTopic("keep-out", 1);
        Path dir = Files.createTempDirectory("flinklite-keep-it");
        long base = System.currentTimeMillis() - 600_000;
        List<KafkaTestSupport.Placed> first = KafkaTestSupport.disorderedEvents(5, 300, new int[] {0, 1, 2}, base);
        KafkaTestSupport.produce(broker.bootstrapServers(), "keep-in", first);
        String[] job = {"run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", "keep-in",
                "--output-topic", "keep-out", "--group-id", "keep", "--metrics-host", "127.0.0.1", "--metrics-port", "0",
                "--checkpoint-dir", dir.toString(), "--checkpoint-interval", "1s"};

        runUntilIdle(job);
        CheckpointStore store = new CheckpointStore(dir);
        long keptId = store.highestId().orElseThrow();
        assertThat(CliRun.runBare("checkpoint", "keep", dir.toString()).code).isZero();
        Path kept = dir.resolve("kept/checkpoint-" + keptId + ".json");
        assertThat(kept).exists();

        // A later run (a checkpoint a second) rotates the numbered checkpoints past the kept one.
        KafkaTestSupport.produce(broker.bootstrapServers(), "keep-in",
                KafkaTestSupport.disorderedEvents(6, 300, new int[] {0, 1, 2}, base + 400_000));
        runUntilIdle(job);
        long newest = store.highestId().orElseThrow();
        assertThat(store.fileOf(keptId)).doesNotExist();

        // The newest checkpoint replaced by a directory: the restart falls back to the one before, with a warning.
        Files.delete(store.fileOf(newest));
        Files.delete(dir.resolve(CheckpointStore.LATEST));
        Files.createDirectory(store.fileOf(newest));
        String fallback = runUntilIdle(job);
        assertThat(fallback).contains("skipping damaged checkpoint " + store.fileOf(newest) + ": not a regular file but a directory")
                .contains("restoring checkpoint " + (newest - 1) + " of")
                .doesNotContain("Exception");

        String restored = runUntilIdle(append(job, "--restore-from", kept.toString()));
        assertThat(restored).contains("restoring " + kept + " (checkpoint " + keptId)
                .contains("restoring checkpoint " + keptId + " of").doesNotContain("Exception");

        Files.writeString(dir.resolve("bad.json"), "{\"formatVersion\": 0");
        try (ChildFlinkLite bad = ChildFlinkLite.start(append(job, "--restore-from", dir.resolve("bad.json").toString()))) {
            assertThat(bad.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(bad.lines()).filteredOn(l -> l.startsWith("flinklite: ")).singleElement().asString()
                    .contains("cannot restore " + dir.resolve("bad.json") + ": no checksum");
            assertThat(bad.output()).doesNotContain("Exception");
        }
    }

    /** Runs {@code args} until its status says it read everything, stops it with SIGTERM, returns what it printed. */
    private static String runUntilIdle(String... args) throws Exception {
        try (ChildFlinkLite run = ChildFlinkLite.start(args)) {
            run.awaitLines(Duration.ofSeconds(60), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            Thread.sleep(3_000); // time to read what is there
            run.stopWithSigterm(Duration.ofSeconds(30));
            assertThat(run.output()).contains("final checkpoint");
            return run.output();
        }
    }

    /**
     * Event time from the Kafka record timestamp: the values carry none. Output, late and dead-letter topics are
     * created by {@code --create-topics}; a tombstone is dead-lettered as null with reason {@code null_value}.
     */
    @Test
    void eventTimeFromTheRecordTimestampCreatedTopicsAndATombstoneDeadLettered() throws Exception {
        broker.createTopic("kt-in", 1);
        long base = (System.currentTimeMillis() - 600_000) / 10_000 * 10_000;
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("kt-in", 0, (Long) (base + 1_000), (byte[]) null, utf8("{\"message\":\"critical\"}")));
            producer.send(new ProducerRecord<>("kt-in", 0, (Long) (base + 2_000), utf8("k"), (byte[]) null));
            producer.send(new ProducerRecord<>("kt-in", 0, (Long) (base + 3_000), (byte[]) null,
                    utf8("{\"message\":\"critical\",\"timestamp\":\"ignored\"}")));
            producer.send(new ProducerRecord<>("kt-in", 0, (Long) (base + 25_000), (byte[]) null, utf8("{\"message\":\"normal\"}")));
        }
        String line = "{\"key\":\"critical\",\"windowStart\":" + base + ",\"windowEnd\":" + (base + 10_000) + ",\"count\":2}";
        String output = runUntil(line, "--input-topic", "kt-in", "--output-topic", "kt-out", "--late-topic", "kt-late",
                "--dead-letter-topic", "kt-dlq", "--create-topics", "--topic-partitions", "2", "--event-time", "kafka",
                "--window", "tumbling:10s", "--out-of-orderness", "0s", "--group-id", "kt");
        assertThat(output).contains("created topic kt-out").contains("created topic kt-dlq").doesNotContain("Exception");
        assertThat(broker.admin().describeTopics(List.of("kt-out", "kt-late", "kt-dlq")).allTopicNames().get(30, TimeUnit.SECONDS)
                .values()).allSatisfy(d -> assertThat(d.partitions()).hasSize(2));
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), "kt-out", 1))).containsExactly(line);
        var dead = KafkaTestSupport.readTopic(broker.bootstrapServers(), "kt-dlq", 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isNull();
        assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(KafkaTestSupport.header(dead.get(0), "flinklite.reason")).isEqualTo("null_value");
    }

    /** ISO-8601 in a nested field and epoch seconds through Kafka, invalid values dead-lettered with their reason. */
    @Test
    void eventTimeFromANestedIsoFieldAndFromEpochSeconds() throws Exception {
        long base = (System.currentTimeMillis() - 600_000) / 10_000 * 10_000;
        String iso1 = java.time.Instant.ofEpochMilli(base + 1_000).toString();
        String iso2 = java.time.Instant.ofEpochMilli(base + 2_500).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        broker.createTopic("iso-in", 1);
        broker.createTopic("iso-dlq", 1);
        KafkaTestSupport.produce(broker.bootstrapServers(), "iso-in", List.of(
                placed("{\"p\":{\"ts\":\"" + iso1 + "\"},\"type\":\"click\"}"),
                placed("{\"p\":{\"ts\":\"" + iso2 + "\"},\"type\":\"click\"}"),
                placed("{\"p\":{\"ts\":\"2026-12-01T10:00:00\"},\"type\":\"click\"}"),
                placed("{\"p\":{},\"type\":\"click\"}"),
                placed("{\"p\":{\"ts\":\"" + java.time.Instant.ofEpochMilli(base + 30_000) + "\"},\"type\":\"view\"}")));
        String line = "{\"key\":\"click\",\"windowStart\":" + base + ",\"windowEnd\":" + (base + 10_000) + ",\"count\":2}";
        runUntil(line, "--input-topic", "iso-in", "--output-topic", "none", "--dead-letter-topic", "iso-dlq",
                "--timestamp-field", "p.ts", "--timestamp-format", "iso-8601", "--key-field", "type", "--types", "*",
                "--window", "tumbling:10s", "--out-of-orderness", "0s", "--group-id", "iso");
        assertThat(KafkaTestSupport.readTopic(broker.bootstrapServers(), "iso-dlq", 2).stream()
                .map(r -> KafkaTestSupport.header(r, "flinklite.reason")))
                .containsExactly("bad_timestamp", "missing_timestamp");

        broker.createTopic("s-in", 1);
        KafkaTestSupport.produce(broker.bootstrapServers(), "s-in", List.of(
                placed("{\"ts\":" + (base / 1000 + 1) + ".25,\"message\":\"critical\"}"),
                placed("{\"ts\":" + (base / 1000 + 2) + ",\"message\":\"critical\"}"),
                placed("{\"ts\":" + (base / 1000 + 40) + ",\"message\":\"normal\"}")));
        runUntil("{\"key\":\"critical\",\"windowStart\":" + base + ",\"windowEnd\":" + (base + 10_000) + ",\"count\":2}",
                "--input-topic", "s-in", "--output-topic", "none", "--timestamp-field", "ts", "--timestamp-format",
                "epoch-s", "--window", "tumbling:10s", "--out-of-orderness", "0s", "--group-id", "s");
    }

    private static KafkaTestSupport.Placed placed(String json) {
        return new KafkaTestSupport.Placed(0, utf8(json));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code flinklite run ARGS} in a child JVM until it printed {@code resultLine} on stdout; its output. */
    private static String runUntil(String resultLine, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("run", "--bootstrap-servers", broker.bootstrapServers(),
                "--metrics-host", "127.0.0.1", "--metrics-port", "0", "--checkpoint-dir", "none"));
        all.addAll(List.of(args));
        try (ChildFlinkLite run = ChildFlinkLite.start(all.toArray(new String[0]))) {
            run.awaitLines(Duration.ofSeconds(60), lines -> lines.contains(resultLine));
            run.stopWithSigterm(Duration.ofSeconds(30));
            return run.output();
        }
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
