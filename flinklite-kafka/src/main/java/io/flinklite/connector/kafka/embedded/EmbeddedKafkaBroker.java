package io.flinklite.connector.kafka.embedded;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one process) running inside this JVM, on
 * free loopback ports, with its log in a temporary directory that {@link #close()} deletes.
 *
 * <p>It serves {@code flinklite demo} and every integration test:
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
 *     broker.createTopic("flink-events", 3);
 *     String bootstrap = broker.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>The settings make a single node work (replication factors of the internal topics 1, or consumer groups and
 * transactions hang) and start fast (one partition for the internal topics, no initial rebalance delay). Topics are
 * never auto-created: a client that names a missing topic sees the same error as on a production cluster. The broker
 * logs through SLF4J; keep its loggers ({@code kafka}, {@code org.apache.kafka}) at WARN so errors stay visible.
 *
 * <p>Thread-safe: {@link #createTopic} may be called from any thread; {@link #close()} is idempotent.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** How many times {@link #start()} retries when a probed free port was taken before the broker bound it. */
    private static final int START_ATTEMPTS = 3;
    private static final long ADMIN_TIMEOUT_MS = 30_000;

    private final Path logDir;
    private final Properties props;
    private KafkaRaftServer server;
    private final String bootstrapServers;
    private final Admin admin;
    private boolean closed;

    private EmbeddedKafkaBroker(Path logDir, Properties props, KafkaRaftServer server, String bootstrapServers) {
        this.logDir = logDir;
        this.props = props;
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT_MS);
        this.admin = Admin.create(adminProps);
    }

    /** Starts a broker with the default settings; blocks until it accepts clients (a few seconds). */
    public static EmbeddedKafkaBroker start() {
        return start(Map.of());
    }

    /**
     * Starts a broker; blocks until it accepts clients.
     *
     * @param overrides broker properties that replace or add to the defaults (e.g. {@code message.max.bytes})
     * @throws IllegalStateException when the broker cannot be formatted or started, with the broker's own message
     */
    public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                return startOnce(overrides);
            } catch (RuntimeException e) {
                // The only failure worth a retry is a port race; anything else fails the same way again,
                // but three quick attempts cost little next to a flaky test.
                last = e;
            }
        }
        throw last;
    }

    private static EmbeddedKafkaBroker startOnce(Map<String, String> overrides) {
        Path logDir;
        try {
            logDir = Files.createTempDirectory("flinklite-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the embedded Kafka broker", e);
        }
        int port = freePort();
        int controllerPort = freePort();
        Properties props = brokerProperties(logDir, port, controllerPort);
        overrides.forEach(props::put);
        KafkaRaftServer server = null;
        try {
            format(logDir, props);
            server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
            server.startup();
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(logDir, props, server, "127.0.0.1:" + port);
            broker.awaitReady();
            return broker;
        } catch (RuntimeException e) {
            if (server != null) {
                shutdownQuietly(server);
            }
            deleteRecursively(logDir);
            throw new IllegalStateException("embedded Kafka broker failed to start: " + e.getMessage(), e);
        }
    }

    static Properties brokerProperties(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.resolve("log").toString());
        // A single node cannot host the default three replicas of the internal topics: groups and
        // transactions would wait for them forever.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        // Fast start: one partition per internal topic, no wait for more group members.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        // Small JVM footprint: fewer threads than the production defaults, enough for tests and the demo.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("background.threads", "2");
        return p;
    }

    private static void format(Path logDir, Properties props) {
        Path config = logDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(config)) {
            props.store(out, "FlinkLite embedded broker");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()}, print);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting the log directory failed (" + rc + "): "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    /** Waits until the broker answers a metadata request, so the first client never sees a half-started broker. */
    private void awaitReady() {
        try {
            admin.describeCluster().nodes().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while waiting for the broker");
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            close();
            throw new IllegalStateException("the broker did not answer within " + ADMIN_TIMEOUT_MS + " ms", e);
        }
    }

    /**
     * Runs the same broker as a process of its own until it is killed, for tests that kill a broker and restart it:
     * {@code java -cp <classpath> io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker DIR PORT CONTROLLER_PORT}.
     * The log lives in {@code DIR}, formatted on the first start and kept afterwards (a restart on the same directory
     * and ports recovers it, as after a crash); nothing deletes it. Prints {@code started 127.0.0.1:PORT} once clients
     * can connect.
     */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: EmbeddedKafkaBroker DIR PORT CONTROLLER_PORT");
            System.exit(2);
        }
        Path logDir = Path.of(args[0]);
        Properties props = brokerProperties(logDir, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + logDir, e);
        }
        if (!Files.exists(logDir.resolve("log").resolve("meta.properties"))) {
            format(logDir, props);
        }
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        server.startup();
        System.out.println("started 127.0.0.1:" + args[1]);
        server.awaitShutdown();
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Creates a topic with replication factor 1; does nothing when it already exists with any layout. */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with replication factor 1 and the given topic configs (e.g. {@code max.message.bytes});
     * does nothing when it already exists. Blocks until every partition's leader accepts writes
     * ({@link io.flinklite.connector.kafka.TopicLeaders}).
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
        try {
            try {
                admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            io.flinklite.connector.kafka.TopicLeaders.await(admin, name, partitions, ADMIN_TIMEOUT_MS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create topic " + name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("creating topic " + name + " took longer than " + ADMIN_TIMEOUT_MS + " ms", e);
        }
    }

    /** The temporary directory holding the broker's configuration and log; deleted by {@link #close()}. */
    public Path logDir() {
        return logDir;
    }

    /** An admin client of this broker, owned by the broker: do not close it. */
    public Admin admin() {
        return admin;
    }

    /**
     * Stops the broker but keeps its log and ports, as a broker that went away: clients see it unreachable until
     * {@link #restart()}. For tests of what a job does meanwhile.
     */
    public synchronized void stop() {
        shutdownQuietly(server);
    }

    /** Starts the broker stopped by {@link #stop()} again, on the same ports with the same log; blocks until ready. */
    public synchronized void restart() {
        server = new KafkaRaftServer(new KafkaConfig(props), Time.SYSTEM);
        server.startup();
        awaitReady();
    }

    /** Stops the broker (under a second when idle) and deletes its log directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        admin.close(java.time.Duration.ofSeconds(2));
        shutdownQuietly(server);
        deleteRecursively(logDir);
    }

    private static void shutdownQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            // Shutting down after a failed start may throw; the log directory is deleted anyway.
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free loopback port", e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; the OS cleans /tmp.
        }
    }
}
