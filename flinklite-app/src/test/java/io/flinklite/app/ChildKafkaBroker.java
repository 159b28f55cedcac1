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
 * A Kafka broker as a process of its own ({@link EmbeddedKafkaBroker#main}), so that a test can SIGKILL it and start
 * it again on the same ports and log directory: it then recovers its log as after a crash. Its output goes to
 * {@code target/<name>.log}, with a line at every start and kill.
 */
final class ChildKafkaBroker implements CrashRecoveryIT.Cluster {
    private final Path dir;
    private final int port = freePort();
    private final int controllerPort = freePort();
    private final Path log;
    private Process process;
    private Admin admin;

    /** A broker keeping its log in {@code dir}, not started yet. */
    ChildKafkaBroker(Path dir, String name) throws IOException {
        this.dir = dir;
        this.log = Path.of("target", name + ".log").toAbsolutePath();
        Files.deleteIfExists(log);
    }

    /** Starts the process and returns once it answers a metadata request (at most 2 minutes: log recovery). */
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

    /** SIGKILL: no controlled shutdown, the log is recovered at the next {@link #start()}. */
    void kill() throws Exception {
        process.destroyForcibly();
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
