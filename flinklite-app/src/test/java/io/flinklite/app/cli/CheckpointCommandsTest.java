package io.flinklite.app.cli;

import io.flinklite.job.JobSpec;
import io.flinklite.job.Timestamps;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TapeStateWriter;
import io.flinklite.runtime.json.CheckpointJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code checkpoint list}, {@code inspect}, {@code keep} and the checkpoint checks of {@code run} that happen before
 * anything connects: each damaged case is one line and an exit code, never a stack trace or a hang.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class CheckpointCommandsTest {

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

    /** Through the entry point's own handlers, as bin/flinklite runs: stderr captured. */
    private int execute(String... args) {
        CapturedCli cli = new CapturedCli();
        try {
            return cli.run(args);
        } finally {
            output = cli.stderr();
        }
    }

    /** A checkpoint of the default job with the open windows of six events (keys critical and important). */
    public static Checkpoint realCheckpoint(long id) {
        byte[][] events = new byte[6][];
        for (int i = 0; i < events.length; i++) {
            events[i] = ("{\"timestamp\":" + (1_700_000_000_000L + i * 1_000) + ",\"message\":\""
                    + (i % 2 == 0 ? "critical" : "important") + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        StreamTask task = StreamTask.forSpec(JobSpec.defaults(), TaskOptions.replay(), new ArraySourceReader(events),
                r -> { }, null, DeadLetterHandler.DISCARD, new JobMetrics());
        task.addHook((t, now) -> t.stop());
        try {
            task.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        TapeStateWriter state = new TapeStateWriter(4_096, 64);
        state.beginObject(null);
        task.snapshotState(state);
        state.endObject();
        return new Checkpoint(id, id - 1, 1_700_000_000_000L, JobSpec.defaults().fingerprint(), Delivery.AT_LEAST_ONCE.label(),
                List.of(new SourcePosition("flink-events", 0, 1234, 1_699_999_990_000L),
                        new SourcePosition("flink-events", 1, 99, Long.MIN_VALUE)),
                task.watermarkMs(), state.finish(), List.of());
    }

    private DirectoryCheckpointStore storeWith(long... ids) throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        for (long id : ids) {
            store.write(realCheckpoint(id));
        }
        return store;
    }

    /** Checkpoint 2's file with its first key group moved out of range, checksummed as if FlinkLite had written it. */
    private void impossibleKeyGroupIn(DirectoryCheckpointStore store, long id) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointJson.write(realCheckpoint(id), out);
        String text = out.toString(StandardCharsets.UTF_8).replaceFirst("\"keyGroup\"\\s*:\\s*\\d+", "\"keyGroup\" : 999");
        int comma = text.lastIndexOf(',', text.lastIndexOf("\"checksum\""));
        CRC32C crc = new CRC32C();
        crc.update(text.substring(0, comma).getBytes(StandardCharsets.UTF_8));
        text = text.substring(0, comma) + text.substring(comma).replaceFirst("crc32c:[0-9a-f]{8}",
                "crc32c:" + String.format(Locale.ROOT, "%08x", crc.getValue()));
        Files.delete(store.fileOf(id));
        Files.deleteIfExists(dir.resolve(DirectoryCheckpointStore.LATEST));
        Files.writeString(store.fileOf(id), text);
        Files.writeString(dir.resolve(DirectoryCheckpointStore.LATEST), text);
    }

    @Test
    void inspectSummarisesTheCheckpointARestartWouldRestore() throws IOException {
        storeWith(1, 2);
        assertThat(run("checkpoint", "inspect", dir.toString())).isZero();
        assertThat(output)
                .contains("checkpoint.json", "checkpoint-2.json", "checkpoint-1.json")
                .contains("a restart restores checkpoint.json")
                .contains("id:          2")
                .contains("time:        " + Timestamps.format(1_700_000_000_000L))
                .containsPattern("flink-events-0 +next offset 1234 +watermark 1699999990000 \\(" + Timestamps.format(1_699_999_990_000L) + "\\)")
                .containsPattern("flink-events-1 +next offset 99 +watermark none yet")
                .contains("state:       restores (checked by restoring it into the job)")
                .containsPattern("critical +\\d+");
    }

    @Test
    void inspectSaysInvalidForAValidChecksumOverAnImpossibleKeyGroupAndShowsTheFallback() throws IOException {
        DirectoryCheckpointStore store = storeWith(1, 2);
        impossibleKeyGroupIn(store, 2);
        assertThat(run("checkpoint", "inspect", dir.toString())).isZero();
        assertThat(output).containsPattern("checkpoint-2.json +INVALID +its state holds key group 999")
                .contains("a restart restores checkpoint-1.json (falling back past damaged checkpoints)")
                .contains("id:          1")
                .doesNotContain("Exception");

        assertThat(run("checkpoint", "inspect", store.fileOf(2).toString())).isEqualTo(1);
        assertThat(output.trim()).isEqualTo(store.fileOf(2) + ": INVALID: its state holds key group 999, outside [0, 128)");
    }

    @Test
    void inspectOfAFifoSaysInvalidWithoutHanging() throws Exception {
        Path fifo = dir.resolve("checkpoint.json");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThat(run("checkpoint", "inspect", fifo.toString())).isEqualTo(1);
        assertThat(output).contains("INVALID: not a regular file but a FIFO, socket or device");
        assertThat(run("checkpoint", "inspect", dir.toString())).isEqualTo(1);
        assertThat(output).containsPattern("checkpoint.json +INVALID +not a regular file").contains("no valid checkpoint");
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
        assertThat(run("checkpoint", "list", dir.toString())).isEqualTo(1);
        assertThat(output).contains("no valid checkpoint");
    }

    @Test
    void listShowsEveryFileWithIdTimeSizeStateAndValidity() throws IOException {
        DirectoryCheckpointStore store = storeWith(1, 2, 3);
        Files.writeString(store.fileOf(2), "{ damaged");
        Files.writeString(dir.resolve("checkpoint-" + Long.MAX_VALUE + ".json"), "{}");
        store.keep(1);

        assertThat(run("checkpoint", "list", dir.toString())).isZero();
        String time = Timestamps.format(1_700_000_000_000L);
        assertThat(output).contains("FILE", "ID", "TIME", "SIZE", "STATE", "VALIDITY")
                .containsPattern("checkpoint-3.json +3 +" + Pattern.quote(time) + " +[0-9.]+ (B|KiB) +\\d+ panes, 2 keys +valid\\R")
                .containsPattern("checkpoint-2.json +- +- +.* INVALID: no checksum")
                .containsPattern("checkpoint.json +3 .* valid, a restart restores this one")
                .containsPattern("kept/checkpoint-1.json +1 .* valid, kept \\(never rotated away\\)")
                .containsPattern("checkpoint-9223372036854775807.json .* IGNORED");
    }

    @Test
    void keepSurvivesRetentionAndRestoresFromTheKeptFile() throws IOException {
        DirectoryCheckpointStore store = storeWith(1, 2);
        assertThat(run("checkpoint", "keep", dir.toString())).isZero();
        Path kept = dir.resolve("kept/checkpoint-2.json");
        assertThat(output).contains("kept checkpoint 2 as " + kept.toAbsolutePath()).contains("--restore-from");
        for (long id = 3; id <= 8; id++) {
            store.write(realCheckpoint(id));
        }
        assertThat(store.fileOf(2)).doesNotExist();
        assertThat(kept).exists();
        assertThat(store.loadFile(kept).id()).isEqualTo(2);

        assertThat(run("checkpoint", "keep", "--id", "8", dir.toString())).isZero();
        assertThat(dir.resolve("kept/checkpoint-8.json")).exists();
    }

    @Test
    void keepRefusesAMissingOrInvalidCheckpointInOneLine() throws IOException {
        DirectoryCheckpointStore store = storeWith(1, 2);
        assertThat(execute("checkpoint", "keep", "--id", "7", dir.toString())).isEqualTo(1);
        assertThat(output.trim()).startsWith("flinklite: cannot keep checkpoint 7: there is no").doesNotContain("\n");
        impossibleKeyGroupIn(store, 2);
        assertThat(execute("checkpoint", "keep", "--id", "2", dir.toString())).isEqualTo(1);
        assertThat(output.trim()).contains("its state holds key group 999").doesNotContain("\n");
        assertThat(dir.resolve("kept/checkpoint-2.json")).doesNotExist();
    }

    @Test
    void runRefusesAnUnusableCheckpointDirectoryAtStartAsAUsageError() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String[][] cases = {
                {file.toString(), "is a regular file, not a directory"},
                {"/proc/flinklite-nonexistent/checkpoints", "cannot be created"},
                {"/proc/self", "cannot write in"},
                {"", "--checkpoint-dir '' (from the command line): must not be empty"},
        };
        for (String[] c : cases) {
            int code = execute("run", "--checkpoint-dir", c[0], "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "1s");
            assertThat(code).as(c[0]).isEqualTo(2);
            assertThat(output.lines().findFirst().orElse("")).as(c[0]).startsWith("flinklite: ").contains(c[1]);
            assertThat(output).as(c[0]).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void runWithRestoreFromRefusesAnInvalidFileBeforeConnecting() throws IOException {
        DirectoryCheckpointStore store = storeWith(1, 2);
        impossibleKeyGroupIn(store, 2);
        Path checkpoints = dir.resolve("new");
        assertThat(execute("run", "--checkpoint-dir", checkpoints.toString(), "--restore-from", dir.resolve("nope.json").toString(),
                "--fresh-start")).isNotZero();
        assertThat(output).contains("--fresh-start and --restore-from exclude each other").doesNotContain("\tat ");
        assertThat(execute("run", "--checkpoint-dir", "none", "--restore-from", store.fileOf(1).toString())).isEqualTo(2);
        assertThat(output).contains("--restore-from needs checkpoints");
    }

    @Test
    void aBadCheckpointStoreOrAMisplacedCheckpointTopicIsAUsageError() {
        assertThat(execute("checkpoint", "list", "--checkpoint-store", "s3")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-store 's3' (from the command line): expected dir or kafka")
                .contains("see 'flinklite checkpoint list --help'").doesNotContain("\tat ");
        assertThat(execute("checkpoint", "inspect", "--checkpoint-topic", "t")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-topic 't' (from the command line): only --checkpoint-store kafka"
                + " has a topic").doesNotContain("\tat ");
        assertThat(execute("checkpoint", "list", dir.toString(), "--checkpoint-store", "kafka")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-store 'kafka' (from the command line): the kafka store is a topic,"
                + " so the directory or file argument (" + dir + ") cannot also be read");
        assertThat(execute("run", "--checkpoint-store", "tape")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-store 'tape' (from the command line): expected dir or kafka");
        assertThat(execute("run", "--checkpoint-store", "kafka", "--checkpoint-dir", "none")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-dir 'none' (from the command line): 'none' turns checkpoints off,"
                + " but --checkpoint-store kafka asks for them");
        assertThat(execute("run", "--checkpoint-topic", "t")).as("%s", output).isEqualTo(2);
        assertThat(output).contains("flinklite: --checkpoint-topic 't' (from the command line): only --checkpoint-store kafka");
    }
}
