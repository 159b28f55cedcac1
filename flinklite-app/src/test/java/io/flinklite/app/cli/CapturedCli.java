package io.flinklite.app.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The CLI as {@code bin/flinklite} runs it ({@link FlinkLiteCommand#execute(String...)}: config files and environment
 * included), in the test's JVM, with what it prints on stderr kept, run after run, until {@link #reset()}. One test
 * thread only (it swaps {@code System.err}).
 */
final class CapturedCli {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs {@code args}; returns the exit code. */
    int run(String... args) {
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return FlinkLiteCommand.execute(args);
        } finally {
            System.setErr(original);
        }
    }

    /** Everything printed on stderr since this was made or last reset. */
    String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    void reset() {
        err.reset();
    }

    @Override
    public String toString() {
        return stderr();
    }
}
