package io.flinklite.app.cli;

import io.flinklite.app.JobLauncher;
import io.flinklite.app.KafkaJob;
import io.flinklite.app.SinkRegistry;
import io.flinklite.app.metrics.Observability;
import io.flinklite.runtime.metrics.JobMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code flinklite run}: the built-in job on a Kafka cluster until SIGTERM/SIGINT, which stops it cleanly (output
 * flushed, offsets committed, consumer closed) within seconds.
 *
 * <p>While the job runs, {@link Observability} serves its {@link JobMetrics} ({@code /metrics}, {@code /health/*})
 * and prints the status line.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = SinkOptions.class,
        description = {"Run the job on Kafka: read JSON events, assign event time with per-partition watermarks, keep "
                + "the selected types, key, window, aggregate, and write each result to the output topic.",
                "Stops cleanly on Ctrl-C or SIGTERM (flushes the output, commits offsets, closes the consumer)."},
        footer = {"", "Examples:",
                "  flinklite run",
                "  flinklite run --bootstrap-servers broker:9092 --window tumbling:1m",
                "  flinklite run --dead-letter-topic bad-events --late-topic late-events",
                "  flinklite run --input-topic orders,returns                       # one stream of two topics",
                "  flinklite run --input-topic orders --join-topic payments --join interval:0s:10m --key-field orderId --types '*'",
                "  flinklite run --config flinklite.properties",
                "  flinklite run --kafka-property security.protocol=SASL_SSL",
                "  FLINKLITE_JDBC_PASSWORD=... flinklite run --jdbc-url jdbc:postgresql://db:5432/analytics --jdbc-user app",
                "  flinklite run --cassandra-contact-points db1:9042,db2:9042 --cassandra-local-dc dc1 --cassandra-keyspace analytics",
                "  flinklite run --jar my-job.jar --job com.example.MyJob --job-param gap=30s",
                "", "Every flag can also be set in the --config file (key = flag name without dashes) or as an "
                + "environment variable FLINKLITE_<FLAG_NAME>; flags win. See docs/kafka.md."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    RunOptions run;

    @Mixin
    JobOptions job;

    @Mixin
    JoinOptions join;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    UserJobOptions userCode;

    @Mixin
    CheckpointOptions checkpoints;

    @Mixin
    MetricsOptions metrics;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        JobMetrics jobMetrics = new JobMetrics();
        // User classes and the plug-in sinks are checked first: a typo there fails before Kafka is touched.
        JobLauncher opened;
        try {
            opened = JobLauncher.open(userCode.request(), () -> SinkRegistry.installed()
                    .open(SinkOptions.values(spec), System.getenv(), run.groupId, jobMetrics));
        } catch (IllegalArgumentException e) {
            throw userCode.asUsageError(e);
        }
        try (JobLauncher launcher = opened) {
            KafkaJob kafkaJob = new KafkaJob(join.apply(run.settings(kafka.connection(), job.spec()), spec.commandLine())
                    .checkpoints(checkpoints.settings())
                    .taskFactory(launcher.taskFactory()), jobMetrics);
            // The server starts before the job checks Kafka, so a busy metrics port is reported before anything else.
            try (Observability ignored = Observability.start(metrics.config(), jobMetrics, kafkaJob.webConsole(), System.err)) {
                return runUntilSignal(kafkaJob);
            }
        }
    }

    /**
     * Runs {@code kafkaJob} on this thread; SIGTERM/SIGINT stop it, and the JVM waits (up to 15 s) for the clean stop.
     *
     * @return 0 after a clean stop
     */
    static int runUntilSignal(KafkaJob kafkaJob) throws Exception {
        Thread hook = new Thread(() -> {
            kafkaJob.stop();
            try {
                kafkaJob.awaitStopped(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "flinklite-stop");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException e) {
            // SIGTERM arrived while starting (a supervisor's stop right after its start): nothing ran, nothing to stop.
            return 0;
        }
        try {
            kafkaJob.run();
        } finally {
            SimulateCommand.removeHook(hook);
        }
        return 0;
    }
}
