package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.flinklite.app.KafkaCheckpointCommandsIT.Cli;
import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code checkpoint list} and {@code checkpoint inspect} on the task snapshots a real scaled-out job wrote (the
 * built-in job over three unkeyed partitions, stopped with windows open), from a checkpoint directory and from the
 * Kafka checkpoint topic: one line per task, each task's state by stage, damaged snapshots named, exit codes.
 */
@ExtendWith(SharedKafkaBroker.class)
class ScaleOutCheckpointCommandsIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();

    /** Runs one instance until every event is read and a checkpoint taken, then stops it (a final snapshot per task). */
    private void runAndStop(String group, CheckpointSettings checkpoints) throws Exception {
        broker.createTopic(group + "-in", 3);
        broker.createTopic(group + "-out", 1);
        long base = System.currentTimeMillis() - 600_000;
        // No closing events: the last windows stay open in the keyed tasks' snapshots.
        List<Placed> events = KafkaTestSupport.disorderedEventsWithoutEnd(7, 3_000, new int[] {0, 1, 2}, base);
        KafkaTestSupport.produce(broker.bootstrapServers(), group + "-in", events);
        io.flinklite.runtime.metrics.JobMetrics metrics = new io.flinklite.runtime.metrics.JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic(group + "-in")
                .outputTopic(group + "-out").groupId(group).idleTimeoutMs(0).checkpoints(checkpoints)
                .instanceId("a").scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT)), metrics);
        AtomicReference<Throwable> failed = KafkaTestSupport.startJob(job);
        await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null
                || metrics.eventsTotal() >= events.size() && metrics.windowsFlushed() > 0
                && metrics.tasks() != null && metrics.tasks().ownedTasks() == 6);
        assertThat(failed.get()).isNull();
        // The open-windows gauges: one per owned keyed task, the unlabelled one their sum.
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.windowTasks().size() == 3);
        long windows = 0;
        for (io.flinklite.runtime.metrics.JobMetrics.WindowGauges g : metrics.windowTasks().values()) {
            windows += g.openWindows();
        }
        assertThat(metrics.windowTasks()).containsOnlyKeys(group + "-repartition/0", group + "-repartition/1",
                group + "-repartition/2");
        assertThat(metrics.openWindows()).isEqualTo(windows).isPositive();
        job.stop();
        assertThat(job.awaitStopped(30_000)).isTrue();
        assertThat(failed.get()).isNull();
        assertThat(metrics.windowTasks()).as("a stopped instance owns no task").isEmpty();
    }

    @Test
    void listAndInspectReadEveryTaskOfACheckpointDirectoryAndNameADamagedOne(@TempDir Path dir) throws Exception {
        String group = "tasks-cli-dir";
        runAndStop(group, new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.DIR, null));

        Cli list = Cli.run("checkpoint", "list", dir.toString());
        assertThat(list.code).as(list.out).isZero();
        assertThat(list.out).contains("task snapshots in " + dir)
                .containsPattern(group + "-in/0 +source +\\d+ .* valid")
                .containsPattern(group + "-in/2 +source +\\d+ .* valid")
                .containsPattern(group + "-repartition/1 +keyed +\\d+ .*windows, .*panes, .*keys +valid");
        // Every event read: the source tasks' next offsets add up to the input.
        long offsets = 0;
        for (String line : list.out.split("\n")) {
            if (line.startsWith(group + "-in/")) {
                offsets += Long.parseLong(line.trim().split(" +")[4]);
            }
        }
        assertThat(offsets).isEqualTo(3_000);

        Cli keyed = Cli.run("checkpoint", "inspect", dir.toString(), "--task", group + "-repartition/0");
        assertThat(keyed.code).as(keyed.out).isZero();
        assertThat(keyed.out).contains("task " + group + "-repartition/0:").contains("keyed task")
                .containsPattern("windows: +[1-9]\\d* open windows, [1-9]\\d* panes over [1-9]\\d* keys")
                .contains("3 of 3 source partitions reported")
                .contains(group + "-in/0").contains(group + "-in/2")
                .doesNotContain("task " + group + "-in/0:");
        Cli source = Cli.run("checkpoint", "inspect", dir.toString(), "--task", group + "-in/1");
        assertThat(source.code).as(source.out).isZero();
        assertThat(source.out).contains("source task").contains("source:      " + group + "-in/1/3")
                .containsPattern("partials: +\\d+ \\(key, pane\\) partials")
                .containsPattern("resumes at: +" + group + "-in-1 next offset \\d+");

        // The latest snapshot of one task damaged (checkpoint.json, a link to the newest numbered file, replaced):
        // the task falls back to the numbered file, and says so.
        Path task = dir.resolve(group + "-in").resolve("1");
        Files.delete(task.resolve("checkpoint.json"));
        Files.writeString(task.resolve("checkpoint.json"), "{\"truncated", StandardCharsets.UTF_8);
        Cli fallback = Cli.run("checkpoint", "list", dir.toString(), "--task", group + "-in/1");
        assertThat(fallback.code).as(fallback.out).isZero();
        assertThat(fallback.out).containsPattern(group + "-in/1 +source .*valid, past 1 damaged: .*no checksum");
        // Every snapshot of it damaged: INVALID, exit 1, no stack trace.
        try (Stream<Path> files = Files.list(task)) {
            for (Path f : files.toList()) {
                Files.writeString(f, "garbage", StandardCharsets.UTF_8);
            }
        }
        Cli damaged = Cli.run("checkpoint", "list", dir.toString());
        assertThat(damaged.code).as(damaged.out).isEqualTo(1);
        assertThat(damaged.out).containsPattern(group + "-in/1 .*INVALID: .*no checksum")
                .contains("1 task(s) without a valid snapshot").doesNotContain("\tat ");
        Cli inspectDamaged = Cli.run("checkpoint", "inspect", dir.toString(), "--task", group + "-in/1");
        assertThat(inspectDamaged.code).isEqualTo(1);
        assertThat(inspectDamaged.out).contains("damaged:").contains("INVALID: no valid snapshot").doesNotContain("\tat ");
        Cli unknown = Cli.run("checkpoint", "inspect", dir.toString(), "--task", group + "-in/7");
        assertThat(unknown.code).isEqualTo(1);
        assertThat(unknown.out).contains("no task " + group + "-in/7").contains("its tasks are " + group + "-in/0");
    }

    @Test
    void listAndInspectReadEveryTaskOfTheKafkaCheckpointTopic(@TempDir Path dir) throws Exception {
        String group = "tasks-cli-kafka";
        runAndStop(group, new CheckpointSettings(dir, 1_000, Delivery.AT_LEAST_ONCE, false, null, null,
                CheckpointSettings.Store.KAFKA, null));
        String[] where = {"--checkpoint-store", "kafka", "--bootstrap-servers", broker.bootstrapServers(),
                "--group-id", group, "--input-topic", group + "-in"};
        Cli list = Cli.run(concat(new String[] {"checkpoint", "list"}, where));
        assertThat(list.code).as(list.out).isZero();
        assertThat(list.out).contains("task snapshots in topic '" + group + "-checkpoints'")
                .containsPattern(group + "-in/0 +source +\\d+ .* valid")
                .containsPattern(group + "-repartition/2 +keyed +\\d+ .*windows.* valid");
        Cli inspect = Cli.run(concat(new String[] {"checkpoint", "inspect"}, where));
        assertThat(inspect.code).as(inspect.out).isZero();
        assertThat(inspect.out).contains("task " + group + "-in/0:").contains("task " + group + "-repartition/2:")
                .contains("3 of 3 source partitions reported").doesNotContain("INVALID");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
