package io.flinklite.app.cli;

import io.flinklite.app.KafkaJob;
import io.flinklite.job.JoinSpec;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code run --join-topic RIGHT --join SPEC}: a stream-stream join of the input topic (left) with another (right),
 * as {@code replay --join-input --join} joins two files (issue 13's contract). The other job flags apply to both
 * sides ({@code --key-field}, {@code --types}, {@code --out-of-orderness}, the timestamp flags); the window and the
 * aggregate do not: the join emits pairs, and its window is part of {@code --join}.
 */
public final class JoinOptions {

    @Option(names = "--join-topic", paramLabel = "TOPIC",
            description = "The right input of a join (--input-topic is the left), read by the same consumer; needs --join.")
    String joinTopic;

    @Option(names = "--join", paramLabel = "SPEC", converter = JoinReplayRun.JoinConverter.class,
            description = "Join --input-topic with --join-topic: interval:LOWER:UPPER (a pair when left.ts + LOWER <= "
                    + "right.ts <= left.ts + UPPER), tumbling:SIZE, sliding:SIZE:SLIDE or session:GAP (pairs of a "
                    + "key in a window, when it fires); writes one JSON line per pair, keyed by the join key; needs "
                    + "--join-topic.")
    JoinSpec join;

    /** True when the job joins. */
    boolean joins() {
        return joinTopic != null || join != null;
    }

    /**
     * Adds the join to {@code settings}, after checking the flags that only make sense together.
     *
     * @throws UsageException naming the flag
     */
    KafkaJob.Settings apply(KafkaJob.Settings settings, CommandLine cli) {
        if (!joins()) {
            return settings;
        }
        if (joinTopic == null) {
            throw UsageException.of("--join", "needs --join-topic, the right input of the join");
        }
        if (join == null) {
            throw UsageException.of("--join-topic", "needs --join, e.g. --join interval:-5s:5s or --join tumbling:10s");
        }
        String right = joinTopic.trim();
        if (settings.inputTopics().size() > 1) {
            throw new UsageException("--input-topic", String.join(",", settings.inputTopics()),
                    "a join reads one left topic; join a union with the Java API");
        }
        if (right.isEmpty() || right.contains(",")) {
            throw new UsageException("--join-topic", joinTopic, "expected one topic name");
        }
        if (right.equals(settings.inputTopic())) {
            throw new UsageException("--join-topic", joinTopic, "is also --input-topic; a join reads two topics");
        }
        checkJobFlags(cli, join, settings.spec().allowedLatenessMs());
        return settings.join(right, join);
    }

    /**
     * The job flags a join does not take, the same for {@code run} and {@code replay}: {@code --window} and
     * {@code --aggregate} are refused; {@code --allowed-lateness} of an interval join is ignored with a warning.
     */
    static void checkJobFlags(CommandLine cli, JoinSpec join, long allowedLatenessMs) {
        for (String flag : new String[] {"--window", "--aggregate"}) {
            if (cli.getParseResult().hasMatchedOption(flag)) {
                throw new CommandLine.ParameterException(cli, flag + " does not apply to a join: the join emits pairs,"
                        + " and its window is part of --join (e.g. --join tumbling:10s)");
            }
        }
        if (join.isInterval() && allowedLatenessMs > 0) {
            cli.getErr().println("flinklite: --allowed-lateness does not apply to an interval join (Flink's has none "
                    + "either); ignored");
        }
    }
}
