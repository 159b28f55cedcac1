package io.flinklite.app;

import io.flinklite.app.cli.FlinkLiteCommand;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The CLI run in the test's JVM with stderr captured: for tests of what a user sees when something is wrong. Adds
 * {@code --metrics-port 0} on loopback (no fixed port) and {@code --checkpoint-dir none} (no shared ./checkpoints).
 */
final class CliRun {
    final int code;
    final String err;

    private CliRun(int code, String err) {
        this.code = code;
        this.err = err;
    }

    static CliRun run(String... args) {
        return run(Configuration.empty(), args);
    }

    static CliRun run(Configuration configuration, String... args) {
        String[] extra = {"--metrics-host", "127.0.0.1", "--metrics-port", "0", "--checkpoint-dir", "none"};
        String[] all = Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return execute(configuration, all);
    }

    /** {@code args} exactly as given, for commands other than {@code run}. */
    static CliRun runBare(String... args) {
        return execute(Configuration.empty(), args);
    }

    private static CliRun execute(Configuration configuration, String... all) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = FlinkLiteCommand.execute(configuration, all);
        } finally {
            System.setErr(original);
        }
        return new CliRun(code, captured.toString(StandardCharsets.UTF_8));
    }
}
