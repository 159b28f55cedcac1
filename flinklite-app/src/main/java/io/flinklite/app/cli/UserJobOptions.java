package io.flinklite.app.cli;

import io.flinklite.app.JobLauncher;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The flags of {@code run} that bring user code: a job of your own, or your aggregate for the built-in job. */
public final class UserJobOptions {

    /** The built-in job's flags, which a user job replaces with its own choices. */
    private static final String[] BUILT_IN_JOB_FLAGS = {
            "--window", "--out-of-orderness", "--allowed-lateness", "--types", "--key-field", "--aggregate",
            // A user job names its own event time (Pipeline.fromEvents with a TimestampSpec).
            "--event-time", "--timestamp-field", "--timestamp-format",
    };

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--jar", paramLabel = "JAR",
            description = "Your jar, built against FlinkLite's API (flinklite-core as a provided dependency).")
    Path jar;

    @Option(names = "--job", paramLabel = "CLASS",
            description = "Run this io.flinklite.api.UserJob from --jar instead of the built-in job; the --window, "
                    + "--types, --aggregate ... flags do not apply (the job defines them), the Kafka, checkpoint, "
                    + "metrics and --jdbc-* flags do.")
    String jobClass;

    @Option(names = "--job-param", paramLabel = "KEY=VALUE",
            description = "A parameter for the --job, read with JobContext.parameters(). Repeatable.")
    Map<String, String> parameters = new LinkedHashMap<>();

    @Option(names = "--aggregate-class", paramLabel = "CLASS",
            description = "Aggregate the built-in job's windows with this class from --jar instead of --aggregate: an "
                    + "io.flinklite.api.AggregateFunction<Event, ACC, R> with a numeric R (written as value) that "
                    + "also implements AccumulatorSerializer<ACC>.")
    String aggregateClass;

    @Option(names = "--value-field", paramLabel = "FIELD",
            description = "The JSON number field an --aggregate-class reads as Event.value() (default: none).")
    String valueField;

    /** What these flags ask for. @throws IllegalArgumentException for a combination that makes no sense */
    public JobLauncher.Request request() {
        // A flag that would be silently ignored is a mistake the user should hear about.
        if (jobClass != null) {
            for (String flag : BUILT_IN_JOB_FLAGS) {
                if (given(flag)) {
                    throw new IllegalArgumentException(flag + " does not apply to --job: the job defines its own"
                            + " (pass settings to it with --job-param)");
                }
            }
        }
        if (aggregateClass != null && given("--aggregate")) {
            throw new IllegalArgumentException("--aggregate and --aggregate-class exclude each other");
        }
        if (valueField != null) {
            try {
                io.flinklite.job.TimestampSpec.checkPath(valueField);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--value-field", valueField, e.getMessage());
            }
        }
        return new JobLauncher.Request(jar, jobClass, aggregateClass, valueField, parameters);
    }

    /**
     * The flag behind a failure to load the user's code ({@code UserJar}, {@code UserAggregate}): a jar that is not
     * there, a class not in it or of the wrong kind is a mistake in {@code --jar}, {@code --job} or
     * {@code --aggregate-class}. Anything else is returned as it is.
     */
    IllegalArgumentException asUsageError(IllegalArgumentException e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.startsWith("job jar ") && jar != null) {
            return new UsageException("--jar", jar.toString(), m);
        }
        if (m.startsWith("job class ") && jobClass != null) {
            return new UsageException("--job", jobClass, m);
        }
        if ((m.startsWith("aggregate class ") || m.startsWith("bad accumulator")) && aggregateClass != null) {
            return new UsageException("--aggregate-class", aggregateClass, m);
        }
        return e;
    }

    private boolean given(String flag) {
        CommandLine cli = mixee == null ? null : mixee.commandLine();
        return cli != null && cli.getParseResult() != null && cli.getParseResult().hasMatchedOption(flag);
    }
}
