package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.app.cli.FlinkLiteCommand;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code demo} end to end in its own JVM, stopped by SIGTERM as Ctrl-C would; {@code simulate} against a broker. */
@org.junit.jupiter.api.extension.ExtendWith(SharedKafkaBroker.class)
class DemoAndSimulateIT {

    @Test
    void demoShowsResultsAndStopsEverythingOnSigterm() throws Exception {
        String output;
        try (ChildFlinkLite demo = ChildFlinkLite.start(
                "demo", "--rate", "300", "--metrics-host", "127.0.0.1", "--metrics-port", "0",
                // No checkpoints: the default ./checkpoints would be shared with other tests' jobs.
                "--checkpoint-dir", "none")) {
            demo.awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.startsWith("{\"key\":")));
            demo.stopWithSigterm(Duration.ofSeconds(30));
            output = demo.output();
            // stdout carries the results and nothing else, so `demo | grep critical` works.
            assertThat(demo.stdoutLines()).isNotEmpty().allMatch(l -> l.matches(
                    "\\{\"key\":\"(important|critical)\",\"windowStart\":\\d+,\"windowEnd\":\\d+,\"count\":\\d+}"), "a result line");
        }
        assertThat(output).contains("demo: broker ready at 127.0.0.1:", "demo: created topics flink-events",
                "demo: metrics at http://127.0.0.1:",
                "stopped: output flushed, offsets committed", "demo: simulator sent", "demo: broker stopped");
        assertThat(output).doesNotContain("Exception");
    }

    @Test
    void simulateCreatesTheTopicAndSendsTheCount() throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = FlinkLiteCommand.execute(Configuration.empty(), "simulate", "--bootstrap-servers",
                    broker.bootstrapServers(), "--topic", "sim-cli", "--partitions", "2", "--count", "500",
                    "--rate", "0", "--seed", "3", "--invalid-fraction", "0.1", "--keyed");
        } finally {
            System.setErr(original);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        assertThat(text).contains("simulate: created topic sim-cli with 2 partitions", "done: 500 sent, 500 acknowledged");
        var records = KafkaTestSupport.readTopic(broker.bootstrapServers(), "sim-cli", 500);
        assertThat(records).hasSize(500);
        assertThat(records).extracting(r -> r.partition()).containsOnly(0, 1);
        assertThat(KafkaTestSupport.values(records)).anyMatch(v -> v.startsWith("{\"id\":1,"));
    }
}
