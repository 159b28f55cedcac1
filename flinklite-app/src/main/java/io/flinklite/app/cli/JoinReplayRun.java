package io.flinklite.app.cli;

import io.flinklite.api.Sink;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.json.JoinPairJson;
import io.flinklite.runtime.replay.JoinReplay;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * {@code flinklite replay --input LEFT --join-input RIGHT --join SPEC}: the join half of the replay command (issue 13's
 * contract), apart so that {@link ReplayCommand} stays the single-input job. Checks the flags that only make sense
 * together, runs {@link JoinReplay}, writes one line per pair and the late events, and reports on stderr.
 */
final class JoinReplayRun {
    private JoinReplayRun() {
    }

    static int run(ReplayCommand cmd) throws Exception {
        CommandLine cli = cmd.spec.commandLine();
        if (cmd.joinInput == null) {
            throw new CommandLine.ParameterException(cli, "--join needs --join-input, the right input of the join");
        }
        if (cmd.join == null) {
            throw new CommandLine.ParameterException(cli, "--join-input needs --join, e.g. --join interval:-5s:5s "
                    + "or --join tumbling:10s");
        }
        JobSpec job = cmd.job.spec();
        JoinOptions.checkJobFlags(cli, cmd.join, job.allowedLatenessMs());
        ReplayCommand.requireFieldEventTime(cli, job);
        PrintWriter err = cli.getErr();
        if (cmd.joinInput.equals("-") && cmd.input.equals("-")) {
            throw new CommandLine.ParameterException(cli, "--input and --join-input cannot both be stdin");
        }
        long[] invalidSeen = new long[1];
        try (InputStream left = ReplayCommand.openInput(cmd.input, "--input");
             InputStream right = ReplayCommand.openInput(cmd.joinInput, "--join-input");
             OutputStream pairsOut = ReplayCommand.openOutput(cmd.output, "--output");
             OutputStream lateOut = cmd.lateOutput == null ? null : ReplayCommand.openOutput(cmd.lateOutput, "--late-output")) {
            JoinReplay.Stats stats;
            try {
                stats = JoinReplay.run(job, cmd.join, left, right, new PairFileSink(pairsOut),
                        lateOut == null ? null : new ReplayCommand.LateFileSink(lateOut), message -> {
                            if (++invalidSeen[0] <= ReplayCommand.MAX_REPORTED_INVALID) {
                                err.println("flinklite: " + message);
                            }
                        });
            } catch (IOException e) {
                throw new UserFacingException("cannot read or write during the replay: " + e.getMessage(), e);
            }
            if (invalidSeen[0] > ReplayCommand.MAX_REPORTED_INVALID) {
                err.println("flinklite: ... and " + (invalidSeen[0] - ReplayCommand.MAX_REPORTED_INVALID)
                        + " more invalid lines");
            }
            err.println("flinklite: joined (" + cmd.join + ") " + stats + " in "
                    + String.format(Locale.ROOT, "%.2f s", stats.elapsedNanos() / 1e9));
            err.flush();
        }
        return 0;
    }

    /** Pairs as JSON lines; the replay's thread writes, {@code flush} pushes them to the file. */
    static final class PairFileSink implements Sink<JoinedPair<byte[], byte[]>> {
        private final OutputStream out;
        private final JoinPairJson json = new JoinPairJson();

        PairFileSink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(JoinedPair<byte[], byte[]> pair) throws IOException {
            json.writeLine(pair, out);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    static final class JoinConverter implements CommandLine.ITypeConverter<JoinSpec> {
        @Override
        public JoinSpec convert(String value) {
            try {
                return JoinSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
