package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCommandTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        PrintStream oldErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return FlinkLiteCommand.execute(args);
        } finally {
            System.setErr(oldErr);
        }
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void writesOneLinePerFiringAndLateEventsUnchanged() throws Exception {
        Path in = dir.resolve("events.jsonl");
        Files.write(in, List.of(
                "{\"id\":1,\"timestamp\":1000,\"message\":\"critical\",\"amount\":2.5}",
                "{\"id\":2,\"timestamp\":12000,\"message\":\"info\"}",
                "not json",
                "{\"id\":3,\"timestamp\":3000,\"message\":\"critical\",\"amount\":1}"));
        Path out = dir.resolve("results.jsonl");
        Path late = dir.resolve("late.jsonl");
        int code = run("replay", "--input", in.toString(), "--output", out.toString(), "--window", "tumbling:10s",
                "--out-of-orderness", "0ms", "--aggregate", "sum:amount", "--late-output", late.toString());
        assertThat(code).isZero();
        assertThat(Files.readAllLines(out)).containsExactly(
                "{\"key\":\"critical\",\"windowStart\":0,\"windowEnd\":10000,\"count\":1,\"value\":2.5}");
        assertThat(Files.readAllLines(late)).containsExactly(
                "{\"id\":3,\"timestamp\":3000,\"message\":\"critical\",\"amount\":1}");
        assertThat(stderr()).contains("flinklite: line 3: not_json").contains("1 late");
    }

    @Test
    void badFlagValuesNameTheFlagAndFail() throws Exception {
        Path in = dir.resolve("e.jsonl");
        Files.writeString(in, "");
        assertThat(run("replay", "--input", in.toString(), "--output", dir.resolve("o").toString(),
                "--out-of-orderness", "5 parsecs")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("flinklite: --out-of-orderness '5 parsecs' (from the command line): bad duration "
                + "'5 parsecs': unknown unit ' parsecs' (use ms, s, m or h)\nsee 'flinklite replay --help'\n");
        err.reset();
        assertThat(run("replay", "--input", in.toString(), "--output", dir.resolve("o").toString(),
                "--types", " , ")).isEqualTo(2);
        assertThat(stderr()).contains("flinklite: --types ' , ' (from the command line): bad types ' , '")
                .contains("see 'flinklite replay --help'");
    }

    @Test
    void unknownFlagsAndMissingFilesFailWithAClearMessage() {
        assertThat(run("replay", "--input", "x", "--output", "y", "--bogus")).isEqualTo(2);
        assertThat(stderr()).contains("flinklite: Unknown option: '--bogus'");
        err.reset();
        assertThat(run("replay", "--input", dir.resolve("missing.jsonl").toString(), "--output",
                dir.resolve("o").toString())).isEqualTo(1);
        assertThat(stderr()).startsWith("flinklite: cannot read --input ").doesNotContain("Exception");
    }

    @Test
    void missingRequiredFlagsFail() {
        assertThat(run("replay", "--output", "y")).isEqualTo(2);
        assertThat(stderr()).contains("--input");
    }
}
