package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code replay} with event time from another field, a nested path, each format; invalid values counted by reason. */
class ReplayEventTimeTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(List<String> lines, String... flags) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.write(in, lines);
        List<String> args = new ArrayList<>(List.of("replay", "--input", in.toString(), "--output",
                dir.resolve("out.jsonl").toString(), "--window", "tumbling:10s", "--out-of-orderness", "0s",
                "--types", "*"));
        args.addAll(List.of(flags));
        PrintStream oldErr = System.err;
        err.reset();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return FlinkLiteCommand.execute(args.toArray(new String[0]));
        } finally {
            System.setErr(oldErr);
        }
    }

    private List<String> results() throws Exception {
        return Files.readAllLines(dir.resolve("out.jsonl"));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theReadmeNewcomerTopicWithIso8601InTs() throws Exception {
        assertThat(run(List.of(
                "{\"ts\":\"2026-12-01T10:00:00Z\",\"type\":\"click\"}",
                "{\"ts\":\"2026-12-01T11:00:05+01:00\",\"type\":\"click\"}",
                "{\"ts\":\"2026-12-01T10:00:12Z\",\"type\":\"view\"}",
                "{\"ts\":\"2026-12-01T10:00:00\",\"type\":\"click\"}",
                "{\"ts\":1764583200000,\"type\":\"click\"}",
                "{\"type\":\"click\"}"),
                "--timestamp-field", "ts", "--timestamp-format", "iso-8601", "--key-field", "type")).isZero();
        long start = java.time.Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        assertThat(results()).containsExactlyInAnyOrder(
                "{\"key\":\"click\",\"windowStart\":" + start + ",\"windowEnd\":" + (start + 10_000) + ",\"count\":2}",
                "{\"key\":\"view\",\"windowStart\":" + (start + 10_000) + ",\"windowEnd\":" + (start + 20_000) + ",\"count\":1}");
        assertThat(stderr()).contains("line 4: bad_timestamp", "line 5: bad_timestamp", "line 6: missing_timestamp")
                .contains("3 invalid");
    }

    @Test
    void epochSecondsInANestedField() throws Exception {
        assertThat(run(List.of(
                "{\"payload\":{\"ts\":1.5},\"user\":{\"kind\":\"a\"}}",
                "{\"payload\":{\"ts\":9},\"user\":{\"kind\":\"a\"}}",
                "{\"payload\":{\"ts\":\"9\"},\"user\":{\"kind\":\"a\"}}",
                "{\"payload\":{},\"user\":{\"kind\":\"a\"}}",
                "{\"payload\":{\"ts\":10},\"user\":{\"kind\":7}}"),
                "--timestamp-field", "payload.ts", "--timestamp-format", "epoch-s", "--key-field", "user.kind")).isZero();
        assertThat(results()).containsExactly("{\"key\":\"a\",\"windowStart\":0,\"windowEnd\":10000,\"count\":2}");
        assertThat(stderr()).contains("line 3: bad_timestamp", "line 4: missing_timestamp", "line 5: missing_key");
    }

    @Test
    void epochMillisIsTheDefaultAndRefusesSeconds() throws Exception {
        assertThat(run(List.of("{\"timestamp\":1000,\"message\":\"m\"}", "{\"timestamp\":1.5,\"message\":\"m\"}"))).isZero();
        assertThat(results()).containsExactly("{\"key\":\"m\",\"windowStart\":0,\"windowEnd\":10000,\"count\":1}");
        assertThat(stderr()).contains("line 2: bad_timestamp");
    }

    @Test
    void kafkaRecordTimeIsAUsageErrorInReplay() throws Exception {
        assertThat(run(List.of(), "--event-time", "kafka")).isEqualTo(2);
        assertThat(stderr()).contains("--event-time").contains("kafka").contains("replay");
    }

    @Test
    void timestampFlagsWithKafkaRecordTimeAreAUsageError() throws Exception {
        assertThat(run(List.of(), "--event-time", "kafka", "--timestamp-field", "ts")).isEqualTo(2);
        assertThat(stderr()).startsWith("flinklite: --event-time 'kafka' (from the command line): the Kafka record "
                + "timestamp is the event time");
    }

    @Test
    void badFormatAndPathAreUsageErrors() throws Exception {
        assertThat(run(List.of(), "--timestamp-format", "epoch-us")).isEqualTo(2);
        assertThat(stderr()).contains("--timestamp-format").contains("epoch-us");
        assertThat(run(List.of(), "--timestamp-field", "payload..ts")).isNotZero();
        assertThat(stderr()).contains("--timestamp-field").contains("payload..ts");
    }
}
