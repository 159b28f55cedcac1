package io.flinklite.api;

/**
 * The entry point of a job in a user's own jar: {@code bin/flinklite run --jar my-job.jar --job com.example.MyJob}
 * creates the named class with its public no-argument constructor and calls {@link #build} once, then runs the
 * returned {@link Job} on the input topic with the runtime's checkpoints, metrics, status line and shutdown handling.
 *
 * <pre>{@code
 * public final class MyJob implements UserJob {
 *     public Job<?, ?, ?> build(JobContext context) {
 *         return Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(5_000).withIdleness(30_000))
 *                 .keyBy(Event::key)
 *                 .window(WindowAssigner.tumbling(60_000))
 *                 .aggregate(new CountEvents(), new CountEvents())
 *                 .sinkTo(Sinks.toWindowResults(context.results(), count -> count, count -> Double.NaN));
 *     }
 * }
 * }</pre>
 *
 * <p>Called on the thread that starts the job, with the jar's class loader as context class loader. The jar should
 * declare FlinkLite as a {@code provided} dependency: the runtime supplies these classes.
 */
public interface UserJob {

    /**
     * Describes the job. May read {@link JobContext#parameters()} and throw {@link IllegalArgumentException} with a
     * message for the user when one is missing or wrong; the CLI prints it.
     */
    Job<?, ?, ?> build(JobContext context) throws Exception;
}
