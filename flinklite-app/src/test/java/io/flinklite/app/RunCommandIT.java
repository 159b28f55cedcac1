package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code flinklite run} as a user meets it: a clean stop on SIGTERM, and one clear line for each setup mistake. */
class RunCommandIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
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
            // Every result logged as one readable line means every record was processed.
            run.awaitLines(Duration.ofSeconds(60),
                    lines -> lines.stream().filter(l -> l.contains(" count=")).count() == expected.size());
            run.stopWithSigterm(Duration.ofSeconds(30));
            output = run.output();
        }
        assertThat(output).contains("stopped: output flushed, offsets committed");
        assertThat(output).doesNotContain("Exception");
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
                .doesNotContain("\n");
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

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
