package io.flinklite.app.cli;

import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.StateTape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointInspectCommandTest {

    @TempDir
    Path dir;

    private String output;

    private int run(String... args) {
        StringWriter text = new StringWriter();
        CommandLine cli = new CommandLine(new FlinkLiteCommand());
        cli.setOut(new PrintWriter(text, true));
        cli.setErr(new PrintWriter(text, true));
        int code = cli.execute(args);
        output = text.toString();
        return code;
    }

    private static Checkpoint checkpoint(long id) {
        StateTape state = new StateTape.Writer().startObject().field("keyGroups").startArray()
                .startObject().field("group", 1L).field("keys").startArray()
                .startObject().field("key", "critical").field("panes").startArray()
                .startObject().field("start", 0L).endObject().startObject().field("start", 5_000L).endObject()
                .endArray().endObject()
                .endArray().endObject()
                .endArray().endObject().finish();
        return new Checkpoint(id, id - 1, 1_700_000_000_000L, JobSpec.defaults().fingerprint(), "at-least-once",
                List.of(new SourcePosition("flink-events", 0, 1234, 1_699_999_990_000L),
                        new SourcePosition("flink-events", 1, 99, Long.MIN_VALUE)),
                1_699_999_990_000L, state, List.of());
    }

    @Test
    void summarisesTheCheckpointARestartWouldRestore() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(checkpoint(1));
        store.write(checkpoint(2));

        assertThat(run("checkpoint", "inspect", dir.toString())).isZero();
        assertThat(output)
                .contains("checkpoint.json", "checkpoint-2.json", "checkpoint-1.json")
                .contains("a restart restores checkpoint.json")
                .contains("id:          2")
                .contains("time:        2023-11-14T22:13:20Z")
                .containsPattern("flink-events-0 +next offset 1234 +watermark 1699999990000 \\(2023-11-14T22:13:10Z\\)")
                .containsPattern("flink-events-1 +next offset 99 +watermark none yet")
                .contains("open panes:  2 over 1 keys in 1 key groups")
                .containsPattern("critical +2");
    }

    @Test
    void reportsADamagedLatestAndTheFallback() throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        store.write(checkpoint(1));
        store.write(checkpoint(2));
        try (FileChannel ch = FileChannel.open(store.fileOf(2), StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }

        assertThat(run("checkpoint", "inspect", dir.toString())).isZero();
        assertThat(output).containsPattern("checkpoint-2.json +INVALID +no checksum")
                .contains("a restart restores checkpoint-1.json (falling back past damaged checkpoints)")
                .contains("id:          1");
    }

    @Test
    void aDamagedFileIsInvalidWithExitCodeOne() throws IOException {
        Path file = dir.resolve("x.json");
        Files.writeString(file, "{\"formatVersion\": 1");
        assertThat(run("checkpoint", "inspect", file.toString())).isEqualTo(1);
        assertThat(output).contains("INVALID").contains("truncated");
    }

    @Test
    void anEmptyDirectoryHasNoValidCheckpoint() {
        assertThat(run("checkpoint", "inspect", dir.toString())).isEqualTo(1);
        assertThat(output).contains("no valid checkpoint");
    }
}
