package io.flinklite.app.cli;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaConnectorException;
import io.flinklite.connector.kafka.Simulator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code flinklite simulate}: produces the seed job's disordered traffic to a topic, creating the topic when it is
 * missing. Ctrl-C stops it after flushing what it sent.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Produce disordered JSON events ({\"id\":1,\"timestamp\":...,\"message\":\"important\"}) to a Kafka topic.",
                "Ids count up from 1; timestamps lag the clock by the disorder profile; messages are drawn from the "
                        + "type mix. The topic is created when missing."},
        footer = {"", "Examples:",
                "  flinklite simulate --count 100000 --rate 5000",
                "  flinklite simulate --disorder uniform --max-delay 4s --seed 42",
                "  flinklite simulate --invalid-fraction 0.01 --invalid-kinds not_json,oversized",
                "  flinklite simulate --type-mix important=3,normal=5,critical=1 --keyed"})
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic to produce to (default: ${DEFAULT-VALUE}).",
            defaultValue = "flink-events")
    String topic;

    @Option(names = "--count", paramLabel = "N",
            description = "How many events to send; 0 or less to run until Ctrl-C (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    long count;

    @Option(names = "--progress-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often to print progress on stderr; 0s for never (default: ${DEFAULT-VALUE}).",
            defaultValue = "5s")
    long progressIntervalMs;

    @Mixin
    SimulatorOptions traffic;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        var generator = traffic.generator(); // every flag checked before Kafka is touched
        KafkaConnection connection = kafka.connection();
        Simulator.Stats stats;
        try {
            if (connection.ensureTopic(topic, traffic.partitions)) {
                err.println("simulate: created topic " + topic + " with " + traffic.partitions + " partitions");
            }
            try (Simulator simulator = new Simulator(connection, topic, traffic.keyed, generator,
                    System::currentTimeMillis)) {
                CountDownLatch finished = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    simulator.stop();
                    awaitQuietly(finished);
                }, "flinklite-simulate-stop");
                Runtime.getRuntime().addShutdownHook(hook);
                err.println("simulate: sending " + (count > 0 ? count + " events" : "events until Ctrl-C")
                        + " to " + topic + " at " + connection.bootstrapServers()
                        + (traffic.rate > 0 ? " at " + (long) traffic.rate + "/s" : " as fast as possible"));
                try {
                    stats = simulator.run(count > 0 ? count : -1, traffic.rate,
                            (s, recentRate) -> err.printf("simulate: %,d sent (%,.0f/s), %,d acknowledged, %,d invalid, %,d failed%n",
                                    s.sent(), recentRate, s.acknowledged(), s.invalid(), s.failed()),
                            progressIntervalMs);
                } finally {
                    finished.countDown();
                    removeHook(hook);
                }
            }
        } catch (KafkaConnectorException e) {
            throw new UserFacingException(e.getMessage(), e);
        }
        err.printf("simulate: done: %,d sent, %,d acknowledged, %,d invalid, %,d failed%s%n", stats.sent(),
                stats.acknowledged(), stats.invalid(), stats.failed(),
                stats.firstError() == null ? "" : " (first error: " + stats.firstError() + ")");
        return stats.failed() == 0 ? 0 : 1;
    }

    static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(java.util.concurrent.TimeUnit.SECONDS.toMillis(10), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook is running and waits for us.
        }
    }
}
