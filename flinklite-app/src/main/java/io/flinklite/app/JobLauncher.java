package io.flinklite.app;

import io.flinklite.api.Job;
import io.flinklite.api.JobContext;
import io.flinklite.api.OutputRecord;
import io.flinklite.api.Sink;
import io.flinklite.api.Sinks;
import io.flinklite.api.UserJob;
import io.flinklite.api.WindowResult;
import io.flinklite.app.userjar.UserAggregate;
import io.flinklite.app.userjar.UserJar;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.SourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides what {@code run} runs and where its results go, beyond the Kafka input and output that {@link KafkaJob}
 * opens: the built-in job, the built-in job with a user aggregate ({@code --jar --aggregate-class}), or a user job
 * ({@code --jar --job}); and the plug-in sinks ({@link SinkRegistry}: PostgreSQL, Cassandra) beside the Kafka output.
 *
 * <p>{@link #open} does everything that can fail because of a typo before any record is read: it loads the user's
 * jar and classes and opens the plug-in sinks (connecting to their databases). {@link #taskFactory()} then builds the task inside
 * {@link KafkaJob#run()}, so user jobs get the same checkpoints, metrics, status line and shutdown handling as the
 * built-in one. {@link #close()} after the job stopped: closes the user job's sinks, the plug-in sinks and the jar.
 *
 * <p>Used by the thread that runs the job.
 */
public final class JobLauncher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobLauncher.class);

    /** What the user asked for on the command line. Immutable. */
    public static final class Request {
        final Path jar;
        final String jobClass;
        final String aggregateClass;
        final String valueField;
        final Map<String, String> parameters;

        /**
         * @param jar            the user's jar, or null
         * @param jobClass       a {@link UserJob} in the jar, or null
         * @param aggregateClass an aggregate function in the jar for the built-in job, or null
         * @param valueField     the JSON number field a user aggregate reads, or null
         * @param parameters     {@code --job-param}s for the user job
         */
        public Request(Path jar, String jobClass, String aggregateClass, String valueField, Map<String, String> parameters) {
            this.jar = jar;
            this.jobClass = blankToNull(jobClass);
            this.aggregateClass = blankToNull(aggregateClass);
            this.valueField = blankToNull(valueField);
            this.parameters = Map.copyOf(parameters);
            if (this.jar == null && (this.jobClass != null || this.aggregateClass != null)) {
                throw new IllegalArgumentException((this.jobClass != null ? "--job" : "--aggregate-class")
                        + " names a class in your jar: add --jar JAR");
            }
            if (this.jar != null && this.jobClass == null && this.aggregateClass == null) {
                throw new IllegalArgumentException("--jar needs --job CLASS (a user job) or --aggregate-class CLASS"
                        + " (an aggregate for the built-in job)");
            }
            if (this.jobClass != null && this.aggregateClass != null) {
                throw new IllegalArgumentException("--job and --aggregate-class exclude each other: a user job chooses"
                        + " its own aggregate");
            }
            if (this.valueField != null && this.aggregateClass == null) {
                throw new IllegalArgumentException("--value-field is for --aggregate-class (the built-in aggregates"
                        + " name their field in --aggregate, e.g. avg:amount)");
            }
            if (!this.parameters.isEmpty() && this.jobClass == null) {
                throw new IllegalArgumentException("--job-param is for user jobs (--job)");
            }
        }

        /** The built-in job, no user code. */
        public static Request builtIn() {
            return new Request(null, null, null, null, Map.of());
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }

    private final Request request;
    private final UserJar jar;
    private final UserJob userJob;
    private final UserAggregate.Counting<?> aggregate;
    private final SinkRegistry.Opened sinks;
    private Job<?, ?, ?> builtJob;
    /** The runtime's outputs as handed to user code; closed to it once the job stopped. */
    private final List<RuntimeOutput<?>> userFacingOutputs = new ArrayList<>();

    private JobLauncher(Request request, UserJar jar, UserJob userJob, UserAggregate.Counting<?> aggregate,
                        SinkRegistry.Opened sinks) {
        this.request = request;
        this.jar = jar;
        this.userJob = userJob;
        this.aggregate = aggregate;
        this.sinks = sinks;
    }

    /**
     * Loads the user's classes, then opens the plug-in sinks.
     *
     * @param sinks opens the plug-in sinks the settings ask for ({@link SinkRegistry#open}); called once, after the
     *              user's classes loaded
     * @throws IllegalArgumentException         for a missing jar or class, or a class of the wrong kind, or a
     *                                          malformed sink setting
     * @throws io.flinklite.sink.SinkException  when a sink's destination cannot be reached, refuses the credentials
     *                                          or has a table of another shape
     */
    public static JobLauncher open(Request request, java.util.function.Supplier<SinkRegistry.Opened> sinks) {
        Objects.requireNonNull(request, "request");
        UserJar jar = request.jar == null ? null : UserJar.open(request.jar);
        try {
            UserJob userJob = request.jobClass == null ? null : jar.instantiate(request.jobClass, UserJob.class, "job");
            UserAggregate.Counting<?> aggregate = request.aggregateClass == null ? null
                    : UserAggregate.load(jar, request.aggregateClass);
            return new JobLauncher(request, jar, userJob, aggregate, sinks.get());
        } catch (RuntimeException e) {
            closeQuietly(jar);
            throw e;
        }
    }

    /** Builds the task {@link KafkaJob} runs: see the class comment. */
    public KafkaJob.TaskFactory taskFactory() {
        return new KafkaJob.TaskFactory() {
            @Override
            public StreamTask create(KafkaJob.Settings settings, TaskOptions options, SourceReader source,
                                     Sink<WindowResult> kafkaResults, Sink<OutputRecord> records, Sink<byte[]> late,
                                     DeadLetterHandler deadLetters, JobMetrics metrics) throws Exception {
                return createTask(settings, options, source, kafkaResults, records, late, deadLetters, metrics);
            }

            @Override
            public ScaledKafkaJob.Stages stages(KafkaJob.Settings settings, JobMetrics metrics) {
                if (userJob != null) {
                    return null;
                }
                if (aggregate != null) {
                    // The user's aggregate runs on this thread, the scaled-out job's task thread.
                    Thread.currentThread().setContextClassLoader(jar.classLoader());
                    LOG.info("built-in job with aggregate class {} from {}, scaled out", aggregate.className(),
                            jar.path().getFileName());
                    return ShuffleStages.userAggregate(settings, metrics, sinks.sinks(), aggregate, request.valueField);
                }
                return ShuffleStages.builtIn(settings, metrics, sinks.sinks());
            }

            @Override
            public String userJob() {
                return userJob == null ? null : request.jobClass + " " + new TreeMap<>(request.parameters);
            }

            @Override
            public String userAggregate() {
                return aggregate == null ? null : aggregate.className() + " of " + request.valueField;
            }

            @Override
            public List<String> extraResultSinks() {
                List<String> out = new ArrayList<>();
                for (String name : sinks.names()) {
                    out.add("sink " + name);
                }
                return out;
            }
        };
    }

    private StreamTask createTask(KafkaJob.Settings settings, TaskOptions options, SourceReader source,
                                  Sink<WindowResult> kafkaResults, Sink<OutputRecord> records, Sink<byte[]> late, DeadLetterHandler deadLetters,
                                  JobMetrics metrics) throws Exception {
        Sink<WindowResult> results = withResultSinks(kafkaResults, sinks.sinks());
        if (userJob != null || aggregate != null) {
            results = guard(results);
            late = late == null ? null : guard(late);
        }
        if (userJob != null) {
            // User functions run on this, the task thread: let them find their own resources.
            Thread.currentThread().setContextClassLoader(jar.classLoader());
            Job<?, ?, ?> job = buildUserJob(results, records == null ? null : guard(records), late,
                    settings.inputTopics());
            requireOneTopicPerSource(job, settings.inputTopics());
            builtJob = job;
            LOG.info("running user job {} from {}: key field {}, value field {}, {}", request.jobClass,
                    jar.path().getFileName(), job.source().keyField(), job.source().valueField(),
                    job.isProcessJob() ? "process function " + job.processFunction().getClass().getName()
                            : job.isJoinJob() ? "join " + job.join() + " with " + job.join().function().getClass().getName()
                            : "window " + job.assigner());
            return StreamTask.forJob(job, options, source, deadLetters, metrics);
        }
        if (aggregate != null) {
            Thread.currentThread().setContextClassLoader(jar.classLoader());
            Job<?, ?, ?> job = UserAggregate.builtInJob(settings.spec(), options, request.valueField, aggregate,
                    results, late);
            builtJob = job;
            LOG.info("built-in job with aggregate class {} from {}", aggregate.className(), jar.path().getFileName());
            return StreamTask.forJob(job, options, source, deadLetters, metrics);
        }
        return KafkaJob.BUILT_IN.create(settings, options, source, results, records, late, deadLetters, metrics);
    }

    /**
     * The results sink of a job: {@code kafka} and the plug-in sinks as one. The plug-in sinks take part in the same
     * flushes as the Kafka output: before each checkpoint (or task snapshot) completes, before offsets are committed,
     * at shutdown. So a checkpoint never covers a result one of them has not made durable.
     */
    static Sink<WindowResult> withResultSinks(Sink<WindowResult> kafka, List<Sink<WindowResult>> plugins) {
        List<Sink<WindowResult>> all = new ArrayList<>();
        all.add(kafka);
        all.addAll(plugins);
        return Sinks.fanOut(all);
    }

    /** A user job's sources are bound to the topics one to one, in order: any other count is refused, naming both. */
    private void requireOneTopicPerSource(Job<?, ?, ?> job, List<String> topics) {
        List<String> names = new ArrayList<>();
        for (var s : job.sources()) {
            names.add(s.name());
        }
        if (names.size() != topics.size()) {
            throw new IllegalArgumentException("job " + request.jobClass + " reads " + names.size() + " source(s) "
                    + names + " but run reads " + topics.size() + " topic(s) " + topics + ": give --input-topic one "
                    + "topic per source, in the order of the job's sources (e.g. --input-topic "
                    + String.join(",", names) + ")");
        }
    }

    private Job<?, ?, ?> buildUserJob(Sink<WindowResult> results, Sink<OutputRecord> records, Sink<byte[]> late,
                                      List<String> topics) throws Exception {
        Map<String, String> parameters = request.parameters;
        List<String> inputTopics = List.copyOf(topics);
        JobContext context = new JobContext() {
            @Override
            public Sink<WindowResult> results() { return results; }

            @Override
            public Sink<OutputRecord> records() {
                if (records == null) {
                    throw new IllegalStateException("the job's own records go to the --output-topic: give one "
                            + "(not none)");
                }
                return records;
            }

            @Override
            public List<String> inputTopics() { return inputTopics; }

            @Override
            public Sink<byte[]> lateEvents() { return late; }

            @Override
            public Map<String, String> parameters() { return parameters; }
        };
        Job<?, ?, ?> job;
        try {
            job = userJob.build(context);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("job " + request.jobClass + ": " + e.getMessage(), e);
        }
        if (job == null) {
            throw new IllegalArgumentException("job " + request.jobClass + " built no job (build returned null)");
        }
        return job;
    }

    /** The names of the plug-in sinks it opened, e.g. {@code [cassandra, jdbc]}; for tests. */
    public List<String> sinkNames() {
        return sinks.names();
    }

    /**
     * Closes the user job's own sinks, then the plug-in sinks (flushing what is left), then the jar's class loader.
     * The first failure is thrown after everything was attempted.
     */
    @Override
    public void close() throws Exception {
        // KafkaJob has closed its outputs by now: user sinks that flush them on close must not reach them.
        for (RuntimeOutput<?> output : userFacingOutputs) {
            output.stopped = true;
        }
        Exception first = null;
        if (builtJob != null) {
            for (AutoCloseable s : builtJob.allSinks()) {
                first = closeCollecting(s, first);
            }
        }
        first = closeCollecting(sinks, first);
        first = closeCollecting(jar, first);
        if (jar != null) {
            Thread.currentThread().setContextClassLoader(JobLauncher.class.getClassLoader());
        }
        if (first != null) {
            throw first;
        }
    }

    private static Exception closeCollecting(AutoCloseable c, Exception first) {
        if (c == null) {
            return first;
        }
        try {
            c.close();
        } catch (Exception e) {
            if (first == null) {
                return e;
            }
            first.addSuppressed(e);
        }
        return first;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception ignored) {
            // Already failing; the original error says more.
        }
    }

    private <T> Sink<T> guard(Sink<T> output) {
        RuntimeOutput<T> guarded = new RuntimeOutput<>(output);
        userFacingOutputs.add(guarded);
        return guarded;
    }

    /**
     * One of the runtime's outputs (results, late events) as user code sees it: writes and flushes go through while
     * the job runs; closing it is the runtime's business, so {@link #close()} does nothing, and neither does a flush
     * once the job stopped (a user sink that flushes its target when closed must not reach a closed Kafka producer).
     */
    private static final class RuntimeOutput<T> implements Sink<T> {
        private final Sink<T> delegate;
        volatile boolean stopped;

        RuntimeOutput(Sink<T> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void write(T result) throws Exception {
            if (stopped) {
                throw new IllegalStateException("the job has stopped; its outputs are closed");
            }
            delegate.write(result);
        }

        @Override
        public void flush() throws Exception {
            if (!stopped) {
                delegate.flush();
            }
        }

        @Override
        public void close() {
            // The runtime closes its outputs itself.
        }
    }
}
