package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run}'s flags for several topics: each mistake is one line naming the flag, then the hint, exit 2. */
class RunSeveralTopicsOptionsTest {
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

    private void assertUsageError(String expected, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        // Never reached: every case fails before Kafka is touched.
        all[args.length + 1] = "--bootstrap-servers";
        all[args.length + 2] = "127.0.0.1:1";
        err.reset();
        assertThat(run(all)).as(String.join(" ", args)).isEqualTo(2);
        String text = err.toString(StandardCharsets.UTF_8);
        assertThat(text).contains(expected).contains("see 'flinklite run --help'");
        assertThat(text.lines().filter(l -> l.startsWith("flinklite:")).count()).as(text).isEqualTo(1);
    }

    @Test
    void joinFlagsThatOnlyMakeSenseTogetherAreRefusedNamingTheFlag() {
        assertUsageError("--join", "--join", "interval:0s:1m");
        assertUsageError("--join-topic", "--join-topic", "payments");
        assertUsageError("is also --input-topic", "--input-topic", "orders", "--join-topic", "orders",
                "--join", "tumbling:10s");
        assertUsageError("--window does not apply to a join", "--input-topic", "orders", "--join-topic", "payments",
                "--join", "tumbling:10s", "--window", "tumbling:1m");
        assertUsageError("a join reads one left topic", "--input-topic", "a,b", "--join-topic", "payments",
                "--join", "interval:0s:1m");
        assertUsageError("--join", "--input-topic", "orders", "--join-topic", "payments", "--join", "interval:5s:1s");
    }

    @Test
    void aListOfInputTopicsMayNotHoldAnEmptyNameOrATopicTwice() {
        assertUsageError("a topic name is empty", "--input-topic", "a,,b");
        assertUsageError("names 'a' twice", "--input-topic", "a,b,a");
    }
}
