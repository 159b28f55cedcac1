package io.flinklite.app.cli;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.graph.ResultEncoder;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ReplayStats;
import picocli.CommandLine.Command;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.BufferedOutputStream;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code flinklite replay}: runs the built-in job over a file of JSON events, deterministically, and writes one JSON
 * line per window firing. The flags are an exact contract (issue 2): other tools and the Flink differential tests
 * rely on them.
 */
@Command(name = "replay",
        mixinStandardHelpOptions = true,
        description = {
                "Replays JSON events (one object per line) through the event-time job and",
                "writes one JSON line per window firing:",
                "  {\"key\":..,\"windowStart\":..,\"windowEnd\":..,\"count\":..[,\"value\":..]}",
                "The watermark advances after every valid event (max timestamp -",
                "out-of-orderness - 1); at the end of the input every open window fires.",
                "Invalid lines are reported on stderr and skipped.",
                "With --join-input and --join: a stream-stream join of the two files, one",
                "JSON line per pair: {\"key\":..,\"left\":{..},\"right\":{..}[,\"windowStart\":..,\"windowEnd\":..]}"})
public final class ReplayCommand implements Callable<Integer> {

    /** Invalid lines reported one by one on stderr before only counting the rest. */
    static final int MAX_REPORTED_INVALID = 1000;

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSON-lines events; - for stdin")
    String input;

    @Option(names = "--output", required = true, paramLabel = "FILE", description = "results, one JSON line per firing; - for stdout")
    String output;

    /** The job flags, shared with {@code run} and {@code demo} so the three cannot drift apart. */
    @Mixin
    JobOptions job;

    @Option(names = "--late-output", paramLabel = "FILE",
            description = "write events later than the allowed lateness here, unchanged")
    String lateOutput;

    @Option(names = "--join-input", paramLabel = "FILE",
            description = "the right input of a join (--input is the left), read in turns with --input, one line each")
    String joinInput;

    @Option(names = "--join", paramLabel = "SPEC", converter = JoinReplayRun.JoinConverter.class,
            description = "interval:LOWER:UPPER (r - l within the bounds, inclusive), tumbling:SIZE, "
                    + "sliding:SIZE:SLIDE or session:GAP; needs --join-input")
    JoinSpec join;

    @Override
    public Integer call() throws Exception {
        if (join != null || joinInput != null) {
            return JoinReplayRun.run(this);
        }
        JobSpec job = this.job.spec();
        requireFieldEventTime(spec.commandLine(), job);
        PrintWriter err = spec.commandLine().getErr();
        long[] invalidSeen = new long[1];
        try (InputStream in = openInput(input, "--input");
             OutputStream resultsOut = openOutput(output, "--output");
             OutputStream lateOut = lateOutput == null ? null : openOutput(lateOutput, "--late-output")) {
            ResultFileSink results = new ResultFileSink(resultsOut);
            LateFileSink late = lateOut == null ? null : new LateFileSink(lateOut);
            ReplayStats stats;
            try {
                stats = Replay.run(job, in, results, late, message -> {
                    if (++invalidSeen[0] <= MAX_REPORTED_INVALID) {
                        err.println("flinklite: " + message);
                    }
                });
            } catch (IOException e) {
                throw new UserFacingException("cannot read or write during the replay: " + e.getMessage(), e);
            }
            if (invalidSeen[0] > MAX_REPORTED_INVALID) {
                err.println("flinklite: ... and " + (invalidSeen[0] - MAX_REPORTED_INVALID) + " more invalid lines");
            }
            err.println("flinklite: replayed " + stats + " in "
                    + String.format(Locale.ROOT, "%.2f s", stats.elapsedNanos() / 1e9));
            err.flush();
        }
        return 0;
    }

    /** A file's lines carry no Kafka record timestamp: {@code --event-time kafka} cannot work in a replay. */
    static void requireFieldEventTime(CommandLine cli, JobSpec job) {
        if (job.timestamps().fromKafka()) {
            throw new CommandLine.ParameterException(cli, "--event-time: 'kafka' cannot be used by replay: the lines "
                    + "of a file have no Kafka record timestamp; use --event-time field with --timestamp-field");
        }
    }

    static InputStream openInput(String path, String flag) {
        if (path.equals("-")) {
            return new NonClosing(System.in);
        }
        try {
            return new FileInputStream(path);
        } catch (FileNotFoundException e) {
            throw new UserFacingException("cannot read " + flag + " " + path + ": " + reason(e));
        }
    }

    static OutputStream openOutput(String path, String flag) {
        if (path.equals("-")) {
            return new BufferedOutputStream(new NonClosingOut(System.out), 1 << 16);
        }
        try {
            return new BufferedOutputStream(new FileOutputStream(path), 1 << 16);
        } catch (FileNotFoundException e) {
            throw new UserFacingException("cannot write " + flag + " " + path + ": " + reason(e));
        }
    }

    /** FileNotFoundException's message is "path (reason)"; keep the reason. */
    private static String reason(FileNotFoundException e) {
        String m = e.getMessage();
        int open = m == null ? -1 : m.lastIndexOf('(');
        return open >= 0 && m.endsWith(")") ? m.substring(open + 1, m.length() - 1) : String.valueOf(m);
    }

    /** Results as JSON lines; the task thread writes, {@code flush} pushes them to the file. */
    static final class ResultFileSink implements Sink<WindowResult> {
        private final OutputStream out;
        private final StringBuilder line = new StringBuilder(128);

        ResultFileSink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(WindowResult result) throws IOException {
            line.setLength(0);
            ResultEncoder.WINDOW_RESULTS.appendValue(result, line);
            line.append('\n');
            out.write(line.toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** Late events, each unchanged on its own line. */
    static final class LateFileSink implements Sink<byte[]> {
        private final OutputStream out;

        LateFileSink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(byte[] event) throws IOException {
            out.write(event);
            out.write('\n');
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /** stdin must stay open for the JVM. */
    private static final class NonClosing extends java.io.FilterInputStream {
        NonClosing(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }

    /** stdout must stay open for the JVM; closing only flushes. */
    private static final class NonClosingOut extends java.io.FilterOutputStream {
        NonClosingOut(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
