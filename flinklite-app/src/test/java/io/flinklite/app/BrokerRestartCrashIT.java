package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@link CrashRecoveryIT} with the broker SIGKILLed once in the middle of the input and restarted at once (same
 * ports, same log directory, so it recovers its log as after a crash), while the jobs are SIGKILLed and restarted
 * as there: exactly-once output still equals the replay's, at-least-once still misses nothing and repeats only whole
 * results. The broker runs as a process of its own ({@link EmbeddedKafkaBroker#main}) so that it can be killed.
 */
class BrokerRestartCrashIT extends CrashRecoveryIT {

    /** How long the broker stays down. */
    private static final long DOWN_MS = Long.getLong("flinklite.crashtest.broker.down.ms", 3_000);

    private ChildBroker child;

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
        child = new ChildBroker(Files.createTempDirectory("flinklite-child-broker"));
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

    /** The broker process: killed with SIGKILL, restarted on the same ports and log directory. */
    private static final class ChildBroker implements Cluster {
        private final Path dir;
        private final int port = freePort();
        private final int controllerPort = freePort();
        private final Path log = Path.of("target", "crashtest-broker.log").toAbsolutePath();
        private Process process;
        private Admin admin;

        ChildBroker(Path dir) throws IOException {
            this.dir = dir;
            Files.deleteIfExists(log);
        }

        void start() throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Files.writeString(log, "---- broker start\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    EmbeddedKafkaBroker.class.getName(), dir.toString(), String.valueOf(port), String.valueOf(controllerPort))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())))
                    .start();
            if (admin == null) {
                Properties p = new Properties();
                p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
                admin = Admin.create(p);
            }
            long deadline = System.currentTimeMillis() + 120_000;
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    if (!process.isAlive() || System.currentTimeMillis() > deadline) {
                        throw new IllegalStateException("the broker did not start; see " + log, e);
                    }
                }
            }
        }

        void kill() throws Exception {
            process.destroyForcibly(); // SIGKILL: no controlled shutdown, the log is recovered at the restart
            process.waitFor(30, TimeUnit.SECONDS);
            Files.writeString(log, "---- broker SIGKILL\n", StandardOpenOption.APPEND);
        }

        @Override
        public String bootstrapServers() {
            return "127.0.0.1:" + port;
        }

        @Override
        public void createTopic(String name, int partitions) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + name, e.getCause());
                }
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic " + name, e);
            }
        }

        @Override
        public void close() {
            if (admin != null) {
                admin.close(java.time.Duration.ofSeconds(2));
            }
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        }

        private static int freePort() {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
