package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkpoint flags of {@code run}: bad combinations are one clear line, before anything connects. */
class CheckpointOptionsTest {

    private final CapturedCli cli = new CapturedCli();

    @Test
    void exactlyOnceNeedsCheckpoints() {
        assertThat(cli.run("run", "--delivery", "exactly-once", "--checkpoint-dir", "none")).isEqualTo(2);
        assertThat(cli.stderr().trim())
                .isEqualTo("flinklite: --delivery 'exactly-once' (from the command line): exactly-once needs checkpoints: "
                        + "give a --checkpoint-dir\nsee 'flinklite run --help'");
    }

    @Test
    void anUnknownDeliveryNamesTheChoices() {
        assertThat(cli.run("run", "--delivery", "at-most-once")).isEqualTo(2);
        assertThat(cli.stderr())
                .contains("flinklite: --delivery 'at-most-once' (from the command line): expected at-least-once or exactly-once");
    }

    @Test
    void aZeroIntervalIsRefused() {
        assertThat(cli.run("run", "--checkpoint-interval", "0s")).isEqualTo(2);
        assertThat(cli.stderr()).contains("--checkpoint-interval '0s' (from the command line): must be positive");
    }

    @Test
    void aFreshStartWithoutCheckpointsIsRefused() {
        assertThat(cli.run("run", "--checkpoint-dir", "none", "--fresh-start")).isEqualTo(2);
        assertThat(cli.stderr()).contains("flinklite: --fresh-start has no effect without checkpoints");
    }

    /**
     * Every check of the checkpoint flags made after parsing is a usage error like a parse error: exactly one line
     * naming the flag, then the help hint, exit 2; never a stack trace or the generic exit 1.
     */
    @Test
    void everyAfterParseCheckIsOneLineAndTheHint(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        Path kept = Files.writeString(dir.resolve("kept.json"), "{}");
        String[][] cases = {
                {"--delivery", "exactly-once", "--checkpoint-dir", "none"},
                {"--checkpoint-dir", "none", "--fresh-start"},
                {"--checkpoint-dir", "none", "--restore-from", kept.toString()},
                {"--checkpoint-dir", dir.resolve("new").toString(), "--restore-from", kept.toString(), "--fresh-start"},
                {"--checkpoint-dir", file.toString()},
                {"--checkpoint-dir", file.resolve("below").toString()},
                {"--checkpoint-dir", "bad\0path"},
                {"--checkpoint-dir", dir.resolve("new").toString(), "--restore-from", ""},
                {"--checkpoint-dir", "none", "--jar", "x.jar", "--job", "com.example.MyJob", "--window", "tumbling:1m"},
                {"--checkpoint-dir", "none", "--jar", "x.jar", "--aggregate-class", "com.example.Agg", "--aggregate", "sum:v"},
                {"--checkpoint-dir", "none", "--job", "com.example.MyJob"},
        };
        for (String[] flags : cases) {
            cli.reset();
            String[] args = new String[flags.length + 1];
            args[0] = "run";
            System.arraycopy(flags, 0, args, 1, flags.length);
            int code = cli.run(args);
            String[] lines = cli.stderr().trim().split("\n");
            assertThat(code).as(String.join(" ", flags) + " -> " + cli).isEqualTo(2);
            assertThat(lines).as(String.join(" ", flags)).hasSize(2);
            assertThat(lines[0]).as(String.join(" ", flags)).startsWith("flinklite: --").doesNotContain("\tat ")
                    .doesNotContain("Exception");
            assertThat(lines[1]).isEqualTo("see 'flinklite run --help'");
        }
    }

    /** Two flags that exclude each other are named together, not as the first flag's value. */
    @Test
    void excludingFlagsAreNamedTogether(@TempDir Path dir) throws Exception {
        Path kept = Files.writeString(dir.resolve("kept.json"), "{}");
        assertThat(cli.run("run", "--checkpoint-dir", dir.resolve("new").toString(), "--restore-from", kept.toString(),
                "--fresh-start")).isEqualTo(2);
        assertThat(cli.stderr().trim()).isEqualTo("flinklite: --fresh-start and --restore-from"
                + " exclude each other: start without state, or from " + kept + "\nsee 'flinklite run --help'");
        cli.reset();
        assertThat(cli.run("run", "--checkpoint-dir", "none", "--jar", "x.jar", "--aggregate-class", "com.example.Agg",
                "--aggregate", "sum:v")).isEqualTo(2);
        assertThat(cli.stderr().trim()).isEqualTo("flinklite: --aggregate and --aggregate-class"
                + " exclude each other\nsee 'flinklite run --help'");
    }
}
