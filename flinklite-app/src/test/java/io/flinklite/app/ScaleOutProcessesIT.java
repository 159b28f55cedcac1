package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three {@code flinklite run --scale-out} processes started with the same command line, each in its own working
 * directory, one group, unkeyed input over 3 partitions, task snapshots in Kafka: one is stopped (SIGTERM) and started
 * again, another stopped for good, while windows are open: the output equals one fused replay's, exactly (clean
 * hand-overs duplicate nothing, even at-least-once). A SIGKILL is not covered: see README "Scaling out".
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutProcessesIT {

    @Test
    void threeProcessesOneJobTwoOfThemStoppingMidStream(@TempDir Path root) throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        String group = "scale-procs";
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 3);
        long base = System.currentTimeMillis() - 600_000;
        List<Placed> events = KafkaTestSupport.disorderedEvents(31, 6_000, new int[] {0, 1, 2}, base);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        int third = events.size() / 3;
        String[] command = {"run", "--bootstrap-servers", broker.bootstrapServers(), "--input-topic", group + "-in",
                "--output-topic", group + "-out", "--group-id", group, "--checkpoint-store", "kafka",
                "--checkpoint-interval", "1s", "--scale-out", "--idle-timeout", "0s", "--metrics-port", "0",
                "--status-interval", "0s"};
        List<ChildFlinkLite> children = new ArrayList<>();
        try {
            ChildFlinkLite[] p = new ChildFlinkLite[3];
            for (int i = 0; i < 3; i++) {
                Path dir = Files.createDirectories(root.resolve("instance-" + i));
                p[i] = ChildFlinkLite.startIn(dir, command);
                children.add(p[i]);
            }
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(0, third));
            for (ChildFlinkLite c : p) {
                c.awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            }
            awaitResults(p, 5);

            p[1].stopWithSigterm(Duration.ofSeconds(30));
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(third, 2 * third));
            p[1] = ChildFlinkLite.startIn(root.resolve("instance-1"), command);
            children.add(p[1]);
            p[1].awaitLines(Duration.ofSeconds(90), lines -> lines.stream().anyMatch(l -> l.contains("assigned partitions")));
            p[2].stopWithSigterm(Duration.ofSeconds(30));
            KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events.subList(2 * third, events.size()));

            List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(),
                    group + "-out", expected.size()));
            p[0].stopWithSigterm(Duration.ofSeconds(30));
            p[1].stopWithSigterm(Duration.ofSeconds(30));
            assertThat(got).as(p[0].output() + "\n----\n" + p[1].output()).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(String.join("\n", p[1].lines())).contains("restored from its snapshot");
        } finally {
            for (ChildFlinkLite c : children) {
                c.close();
            }
        }
    }

    /** Until the processes together printed {@code n} results on stdout. */
    private static void awaitResults(ChildFlinkLite[] p, int n) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> {
            int results = 0;
            for (ChildFlinkLite c : p) {
                results += (int) c.stdoutLines().stream().filter(l -> l.startsWith("{\"key\"")).count();
            }
            return results >= n;
        });
    }
}
