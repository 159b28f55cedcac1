package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayCommandTest {
    @TempDir
    Path dir;

    private final CapturedCli cli = new CapturedCli();

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
        int code = cli.run("replay", "--input", in.toString(), "--output", out.toString(), "--window", "tumbling:10s",
                "--out-of-orderness", "0ms", "--aggregate", "sum:amount", "--late-output", late.toString());
        assertThat(code).isZero();
        assertThat(Files.readAllLines(out)).containsExactly(
                "{\"key\":\"critical\",\"windowStart\":0,\"windowEnd\":10000,\"count\":1,\"value\":2.5}");
        assertThat(Files.readAllLines(late)).containsExactly(
                "{\"id\":3,\"timestamp\":3000,\"message\":\"critical\",\"amount\":1}");
        assertThat(cli.stderr()).contains("flinklite: line 3: not_json").contains("1 late");
    }

    @Test
    void badFlagValuesNameTheFlagAndFail() throws Exception {
        Path in = dir.resolve("e.jsonl");
        Files.writeString(in, "");
        assertThat(cli.run("replay", "--input", in.toString(), "--output", dir.resolve("o").toString(),
                "--out-of-orderness", "5 parsecs")).isEqualTo(2);
        assertThat(cli.stderr()).isEqualTo("flinklite: --out-of-orderness '5 parsecs' (from the command line): bad duration "
                + "'5 parsecs': unknown unit ' parsecs' (use ms, s, m or h)\nsee 'flinklite replay --help'\n");
        cli.reset();
        assertThat(cli.run("replay", "--input", in.toString(), "--output", dir.resolve("o").toString(),
                "--types", " , ")).isEqualTo(2);
        assertThat(cli.stderr()).contains("flinklite: --types ' , ' (from the command line): bad types ' , '")
                .contains("see 'flinklite replay --help'");
    }

    @Test
    void unknownFlagsAndMissingFilesFailWithAClearMessage() {
        assertThat(cli.run("replay", "--input", "x", "--output", "y", "--bogus")).isEqualTo(2);
        assertThat(cli.stderr()).contains("flinklite: Unknown option: '--bogus'");
        cli.reset();
        assertThat(cli.run("replay", "--input", dir.resolve("missing.jsonl").toString(), "--output",
                dir.resolve("o").toString())).isEqualTo(1);
        assertThat(cli.stderr()).startsWith("flinklite: cannot read --input ").doesNotContain("Exception");
    }

    @Test
    void missingRequiredFlagsFail() {
        assertThat(cli.run("replay", "--output", "y")).isEqualTo(2);
        assertThat(cli.stderr()).contains("--input");
    }
}
