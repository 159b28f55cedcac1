package io.flinklite.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link CrashRecoveryIT} with the broker SIGKILLed once in the middle of the input and restarted at once (same
 * ports, same log directory, so it recovers its log as after a crash), while the jobs are SIGKILLed and restarted
 * as there: exactly-once output still equals the replay's, at-least-once still misses nothing and repeats only whole
 * results. The broker runs as a process of its own ({@link ChildKafkaBroker}) so that it can be killed.
 */
class BrokerRestartCrashIT extends CrashRecoveryIT {

    /** How long the broker stays down. */
    private static final long DOWN_MS = Long.getLong("flinklite.crashtest.broker.down.ms", 3_000);

    private ChildKafkaBroker child;

    /**
     * A job restarted after a SIGKILL while the broker is down must wait for it rather than give up at start (30 s by
     * default, which a loaded machine's broker recovery can take); the running jobs ride the outage out as they are.
     */
    @Override
    List<String> extraJobFlags() {
        return List.of("--connect-timeout", "3m");
    }

    @Override
    Cluster startCluster() throws Exception {
        child = new ChildKafkaBroker(Files.createTempDirectory("flinklite-child-broker"), "crashtest-broker");
        child.start();
        return child;
    }

    @Override
    void whileInputFlows(Cluster cluster, long produceMs) throws Exception {
        long start = System.currentTimeMillis();
        // Once every job reads: the outage is to hit running jobs, not the start-up checks of the first run.
        long deadline = start + 120_000;
        for (String name : List.of("eo-clean", "eo-crash", "alo-crash")) {
            Path log = jobLog(name);
            while (!(Files.exists(log) && Files.readString(log).contains("assigned partitions"))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100); // polling a file another process writes
            }
        }
        long middle = start + produceMs / 2 - System.currentTimeMillis();
        if (middle > 0) {
            Thread.sleep(middle); // pacing: the middle of the input
        }
        child.kill();
        Thread.sleep(DOWN_MS); // the outage itself
        child.start();
    }
}
