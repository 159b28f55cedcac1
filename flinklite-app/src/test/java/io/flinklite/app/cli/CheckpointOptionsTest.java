package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The checkpoint flags of {@code run}: bad combinations are one clear line, before anything connects. */
class CheckpointOptionsTest {

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

    @Test
    void exactlyOnceNeedsCheckpoints() {
        assertThat(run("run", "--delivery", "exactly-once", "--checkpoint-dir", "none")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8).trim())
                .isEqualTo("flinklite: --delivery 'exactly-once' (from the command line): exactly-once needs checkpoints: "
                        + "give a --checkpoint-dir\nsee 'flinklite run --help'");
    }

    @Test
    void anUnknownDeliveryNamesTheChoices() {
        assertThat(run("run", "--delivery", "at-most-once")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("flinklite: --delivery 'at-most-once' (from the command line): expected at-least-once or exactly-once");
    }

    @Test
    void aZeroIntervalIsRefused() {
        assertThat(run("run", "--checkpoint-interval", "0s")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--checkpoint-interval '0s' (from the command line): must be positive");
    }

    @Test
    void aFreshStartWithoutCheckpointsIsRefused() {
        assertThat(run("run", "--checkpoint-dir", "none", "--fresh-start")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("flinklite: --fresh-start has no effect without checkpoints");
    }
}
