package io.flinklite.app.cli;

import io.flinklite.app.KafkaJob;
import io.flinklite.app.metrics.Observability;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.Simulator;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.runtime.metrics.JobMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code flinklite demo}: everything in one process. Starts a real single-node Kafka broker (KRaft) in this JVM, or
 * uses the cluster named by {@code --bootstrap-servers}; creates the topics; runs the simulator on its own thread and
 * the job on this one. Ctrl-C stops the simulator, the job (output flushed, offsets committed) and the broker.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run everything in one process: an embedded Kafka broker, simulated disordered traffic, and the "
                + "job, with results printed as they fire.",
                "With --bootstrap-servers it uses that cluster instead of starting a broker. Ctrl-C stops everything.",
                "Demo defaults that differ from run and simulate: --late-topic late-events, --dead-letter-topic "
                        + "dead-letters, --idle-wall-clock, --invalid-fraction 0.005."},
        footer = {"", "Examples:",
                "  flinklite demo",
                "  flinklite demo --rate 200 --disorder uniform --max-delay 4s",
                "  flinklite demo --bootstrap-servers localhost:9092 --window tumbling:10s"})
public final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The demo mixes in this share of invalid records, to show the dead-letter topic, unless told otherwise. */
    static final double DEMO_INVALID_FRACTION = 0.005;

    @Mixin
    SimulatorOptions traffic;

    @Mixin
    RunOptions run;

    @Mixin
    JobOptions job;

    @Mixin
    KafkaOptions kafka;

    @Mixin
    CheckpointOptions checkpoints;

    @Mixin
    MetricsOptions metricsOptions;

    /** Created on the embedded broker for the README's join example. */
    static final String[] JOIN_EXAMPLE_TOPICS = {"orders", "payments"};

    @Override
    public Integer call() throws Exception {
        // Its own messages go to stderr with the logs: stdout carries only the results, for pipelines.
        PrintStream out = System.err;
        // The demo shows every output, and lets event time follow the clock when traffic stops, unless told otherwise.
        if (!given("--invalid-fraction")) {
            traffic.invalidFraction = DEMO_INVALID_FRACTION;
        }
        if (!given("--late-topic")) {
            run.lateTopic = "late-events";
        }
        if (!given("--dead-letter-topic")) {
            run.deadLetterTopic = "dead-letters";
        }
        if (!given("--idle-wall-clock")) {
            run.idleWallClock = true;
        }
        CountDownLatch allStopped = new CountDownLatch(1);
        Thread stopHook = null;
        EmbeddedKafkaBroker broker = null;
        Simulator simulator = null;
        Thread simulatorThread = null;
        Observability observability = null;
        try {
            KafkaConnection connection;
            if (kafka.bootstrapServersGiven()) {
                connection = kafka.connection();
                out.println("demo: using the Kafka cluster at " + connection.bootstrapServers());
            } else {
                out.println("demo: starting an embedded Kafka broker (KRaft, single node)...");
                long startNanos = System.nanoTime();
                broker = EmbeddedKafkaBroker.start();
                connection = new KafkaConnection(broker.bootstrapServers(), kafka.connection().properties(),
                        kafka.connection().connectTimeoutMs());
                out.printf("demo: broker ready at %s in %.1f s%n", broker.bootstrapServers(),
                        (System.nanoTime() - startNanos) / 1e9);
                if (!given("--checkpoint-dir")) {
                    // The embedded broker starts empty every time: checkpoints of an earlier demo would name offsets
                    // and state that no longer exist, so each demo checkpoints into a directory of its own.
                    checkpoints.checkpointDir = Files.createTempDirectory("flinklite-demo-checkpoints").toString();
                    out.println("demo: checkpoints go to " + checkpoints.checkpointDir
                            + " (see them with: bin/flinklite checkpoint inspect " + checkpoints.checkpointDir + ")");
                }
            }
            KafkaJob.Settings settings = run.settings(connection, job.spec()).checkpoints(checkpoints.settings());
            createTopics(out, connection, settings, traffic.partitions);
            if (broker != null) {
                // Empty, co-partitioned by key: what the README's join example writes to and reads (kcat cannot create
                // a topic, and the embedded broker creates none on first use).
                for (String topic : JOIN_EXAMPLE_TOPICS) {
                    connection.ensureTopic(topic, 2);
                }
                out.println("demo: topics " + String.join(" and ", JOIN_EXAMPLE_TOPICS) + " (2 partitions each, empty)"
                        + " wait for the README's join example");
            }

            JobMetrics metrics = new JobMetrics();
            KafkaJob kafkaJob = new KafkaJob(settings, metrics);
            simulator = new Simulator(connection, settings.inputTopic(), traffic.keyed, traffic.generator(),
                    System::currentTimeMillis);
            Simulator sim = simulator;
            simulatorThread = new Thread(() -> sim.run(-1, traffic.rate, null, 0), "flinklite-demo-simulator");
            simulatorThread.setDaemon(true);

            stopHook = new Thread(() -> {
                out.println("demo: stopping (simulator, job, broker)...");
                sim.stop();
                kafkaJob.stop();
                SimulateCommand.awaitQuietly(allStopped);
            }, "flinklite-demo-stop");
            Runtime.getRuntime().addShutdownHook(stopHook);

            simulatorThread.start();
            out.printf("demo: simulator sending %s events/s to %s (disorder %s, max delay %d s, %.1f%% invalid)%n",
                    traffic.rate > 0 ? Long.toString((long) traffic.rate) : "as many", settings.inputTopic(),
                    traffic.disorder, traffic.maxDelayMs / 1000, traffic.invalidFraction * 100);
            out.println("demo: job " + settings.spec());
            out.println("demo: results appear on stdout as windows close (the first within about "
                    + firstResultSeconds(settings) + " s); each also goes to topic " + settings.outputTopic());
            out.println("demo: watch the topics with kcat, e.g.  kcat -C -b " + connection.bootstrapServers() + " -t "
                    + settings.outputTopic());
            out.println("demo: late events go to " + settings.lateTopic() + ", invalid records to "
                    + settings.deadLetterTopic() + " (reason in the flinklite.reason header)");
            observability = Observability.start(metricsOptions.config(), metrics, kafkaJob.webConsole(), System.err);
            out.println("demo: web UI at " + observability.uiUrl() + " (JSON API under /api/v1/)");
            out.println("demo: metrics at " + observability.metricsUrl() + " (health: /health/live, /health/ready)");
            out.println("demo: press Ctrl-C to stop everything");
            kafkaJob.run();
            sim.stop();
            simulatorThread.join(5_000);
            Simulator.Stats stats = sim.stats();
            out.printf("demo: simulator sent %,d events (%,d invalid); job read %,d, accepted %,d, filtered %,d, "
                            + "late %,d, invalid %,d, results %,d%n", stats.sent(), stats.invalid(),
                    metrics.eventsTotal(), metrics.eventsAccepted(), metrics.eventsFiltered(), metrics.eventsLate(),
                    metrics.eventsInvalidTotal(), metrics.windowsFlushed());
            return 0;
        } finally {
            if (observability != null) {
                observability.close();
            }
            if (simulator != null) {
                simulator.stop();
                if (simulatorThread != null) {
                    simulatorThread.join(5_000);
                }
                simulator.close();
            }
            if (broker != null) {
                broker.close();
                out.println("demo: broker stopped");
            }
            allStopped.countDown();
            if (stopHook != null) {
                SimulateCommand.removeHook(stopHook);
            }
        }
    }

    /** True when the user set {@code option} as a flag, an environment variable or in the config file. */
    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option)
                || ConfigDefaults.of(spec).setting(option.substring(2)) != null;
    }

    private static void createTopics(PrintStream out, KafkaConnection connection, KafkaJob.Settings settings,
                                     int inputPartitions) {
        StringBuilder created = new StringBuilder();
        for (String topic : new String[] {settings.inputTopic(), settings.outputTopic(), settings.lateTopic(),
                settings.deadLetterTopic()}) {
            if (topic != null && connection.ensureTopic(topic, topic.equals(settings.inputTopic()) ? inputPartitions : 1)) {
                created.append(created.length() == 0 ? "" : ", ").append(topic);
            }
        }
        if (created.length() > 0) {
            out.println("demo: created topics " + created + " (" + settings.inputTopic() + " with " + inputPartitions
                    + " partitions)");
        }
    }

    /** When the first window closes: its end plus the out-of-orderness, counted from a start at a random moment. */
    private static long firstResultSeconds(KafkaJob.Settings settings) {
        long size = settings.spec().window().sizeMs() > 0 ? settings.spec().window().sizeMs() : settings.spec().window().gapMs();
        return TimeUnit.MILLISECONDS.toSeconds(size + settings.spec().outOfOrdernessMs());
    }
}
