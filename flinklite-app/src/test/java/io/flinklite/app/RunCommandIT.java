package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
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

    private static CliRun run(String... args) {
        return CliRun.run(args);
    }
}
