package io.flinklite.app;

import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The scenarios of {@link ScaleOutProcessesIT} with the BROKER SIGKILLed: three {@code flinklite run --scale-out
 * --checkpoint-store kafka} processes, the same command line each in its own directory, default client timeouts,
 * unkeyed disordered input over 3 partitions with late events; the broker (a process of its own, {@link
 * ChildKafkaBroker}) is SIGKILLed at a seeded moment while every task has open windows and a checkpoint may be in
 * flight, and started again on the same ports and log directory after a seeded 1-5 s; one instance may be SIGKILLed
 * and restarted too. The seed is printed; {@code -Dflinklite.killit.seed=N} repeats it. The expected output is the
 * replay's, which {@link ScaleOutProcessesIT} checks against an uninterrupted fused instance.
 *
 * <p>Two scenarios run by default (sliding windows, at-least-once and exactly-once); the session-window ones run with
 * {@code -Dflinklite.killit.broker.all=true}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutBrokerKillIT {

    private ChildKafkaBroker broker;

    @BeforeAll
    void startBroker() throws Exception {
        broker = new ChildKafkaBroker(Files.createTempDirectory("flinklite-scaleout-broker"), "scaleout-broker");
        broker.start();
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /**
     * At-least-once, sliding windows, the broker killed mid-stream: every result the replay has, with its exact
     * value, duplicates only of identical whole results; every late event.
     */
    @Test
    void atLeastOnceBrokerKilledMidStreamLosesNoWindow(@TempDir Path root) throws Exception {
        ScaleOutProcessesIT.sigkillScenario(root, "bk-alo", JobSpec.defaults(), false,
                new ScaleOutProcessesIT.Faults(broker, broker, false));
    }

    /**
     * Exactly-once, sliding windows, the broker killed mid-stream and one instance SIGKILLed and restarted (before,
     * during or after the outage): the read_committed output equals the replay's exactly.
     */
    @Test
    void exactlyOnceBrokerAndInstanceKilledCommitEachWindowOnce(@TempDir Path root) throws Exception {
        ScaleOutProcessesIT.sigkillScenario(root, "bk-eos", JobSpec.defaults(), true,
                new ScaleOutProcessesIT.Faults(broker, broker, true));
    }

    /** At-least-once, session windows (sent raw through the shuffle), the broker and one instance killed. */
    @Test
    @EnabledIfSystemProperty(named = "flinklite.killit.broker.all", matches = "true")
    void atLeastOnceBrokerAndInstanceKilledLosesNoSession(@TempDir Path root) throws Exception {
        ScaleOutProcessesIT.sigkillScenario(root, "bk-alo-ses", JobSpec.defaults().withWindow(WindowSpec.parse("session:5s")),
                false, new ScaleOutProcessesIT.Faults(broker, broker, true));
    }

    /** Exactly-once, session windows, the broker killed mid-stream. */
    @Test
    @EnabledIfSystemProperty(named = "flinklite.killit.broker.all", matches = "true")
    void exactlyOnceBrokerKilledCommitsEachSessionOnce(@TempDir Path root) throws Exception {
        ScaleOutProcessesIT.sigkillScenario(root, "bk-eos-ses", JobSpec.defaults().withWindow(WindowSpec.parse("session:5s")),
                true, new ScaleOutProcessesIT.Faults(broker, broker, false));
    }
}
