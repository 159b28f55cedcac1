package io.flinklite.connector.cassandra.testing;

import io.flinklite.testing.ScratchSpace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway single-node Apache Cassandra for integration tests and benchmarks: the real server (5.0, from
 * {@code org.apache.cassandra:cassandra-all}) in a child JVM, in a temporary directory, on free loopback ports, with
 * password authentication on (user {@link #USER}, password {@link #PASSWORD}, Cassandra's default superuser), so
 * tests can also check what wrong credentials do.
 *
 * <p>The server's jars are not on the caller's class path (they bring their own logback, guava and netty): they are
 * read from the folder in the system property {@value #LIB_PROPERTY}, else
 * {@code flinklite-cassandra-server/target/cassandra-lib} under the working directory or its parent, which the build
 * of module {@code flinklite-cassandra-server} fills from Maven Central. Nothing is downloaded at run time.
 *
 * <p>{@link #start()} starts it and returns once it accepts CQL clients (about 6-10 s here); {@link #close()} kills it
 * and deletes the directory. In between a test may {@link #stop()} it (SIGTERM, as an operator would),
 * {@link #kill()} it (SIGKILL, as a power cut) and {@link #restart()} it on the same ports and data. A JVM shutdown hook
 * kills a server that a failed test forgot. Not thread-safe: one test thread drives it.
 */
public final class EmbeddedCassandra implements AutoCloseable {
    /** System property naming the folder of the server's jars. */
    public static final String LIB_PROPERTY = "flinklite.cassandra.lib";
    /** The superuser Cassandra creates on first start when password authentication is on. */
    public static final String USER = "cassandra";
    public static final String PASSWORD = "cassandra";
    /** The data centre of a node with {@code SimpleSnitch}. */
    public static final String LOCAL_DC = "datacenter1";

    private static final String READY_LINE = "Starting listening for CQL clients";
    private static final long START_TIMEOUT_SECONDS = 120;
    /** Lines of the server's output kept to explain a failed start. */
    private static final int TAIL_LINES = 40;

    private final Path libDir;
    private final Path baseDir;
    private final int storagePort;
    private final int nativePort;
    private final Thread shutdownHook;
    private Process process;

    private EmbeddedCassandra(Path libDir, Path baseDir, int storagePort, int nativePort) {
        this.libDir = libDir;
        this.baseDir = baseDir;
        this.storagePort = storagePort;
        this.nativePort = nativePort;
        this.shutdownHook = new Thread(this::killQuietly, "embedded-cassandra-shutdown");
    }

    /**
     * Creates a node in a new temporary directory and starts it on free ports.
     *
     * @throws IOException when the server's jars are missing or it does not start; the message carries the tail of
     *                     its output
     */
    public static EmbeddedCassandra start() throws IOException {
        Path lib = findLibDir();
        Path base = Files.createTempDirectory("flinklite-cassandra-");
        int[] ports = ScratchSpace.freeLoopbackPorts(2);
        EmbeddedCassandra node = new EmbeddedCassandra(lib, base, ports[0], ports[1]);
        Runtime.getRuntime().addShutdownHook(node.shutdownHook);
        try {
            node.writeConfig();
            node.launch();
        } catch (IOException | RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** {@code 127.0.0.1:PORT} of the CQL native transport: a {@code --cassandra-contact-points} value. */
    public String contactPoint() {
        return "127.0.0.1:" + nativePort;
    }

    /** The CQL native transport port. */
    public int port() {
        return nativePort;
    }

    /**
     * A driver session as {@link #USER}, for a test to look at the tables; it reconnects within a second of a
     * {@link #restart()} (the driver's default waits up to a minute). The caller closes it.
     */
    public com.datastax.oss.driver.api.core.CqlSession newSession() {
        return com.datastax.oss.driver.api.core.CqlSession.builder()
                .addContactPoint(new java.net.InetSocketAddress("127.0.0.1", nativePort))
                .withLocalDatacenter(LOCAL_DC)
                .withAuthCredentials(USER, PASSWORD)
                .withConfigLoader(com.datastax.oss.driver.api.core.config.DriverConfigLoader.programmaticBuilder()
                        .withDuration(com.datastax.oss.driver.api.core.config.DefaultDriverOption.RECONNECTION_BASE_DELAY,
                                java.time.Duration.ofMillis(200))
                        .withDuration(com.datastax.oss.driver.api.core.config.DefaultDriverOption.RECONNECTION_MAX_DELAY,
                                java.time.Duration.ofSeconds(1))
                        .withDuration(com.datastax.oss.driver.api.core.config.DefaultDriverOption.REQUEST_TIMEOUT,
                                java.time.Duration.ofSeconds(10))
                        .build())
                .build();
    }

    /** The server's output (its log at INFO), for a test that failed. */
    public Path logFile() {
        return baseDir.resolve("cassandra.out");
    }

    /** Whether the server process is alive. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server as an operator would (SIGTERM), waiting for it to exit. */
    public void stop() throws IOException {
        terminate(false);
    }

    /** Kills the server (SIGKILL): a power cut. Its commit log is replayed on {@link #restart()}. */
    public void kill() throws IOException {
        terminate(true);
    }

    /** Starts the stopped or killed server again on the same ports and data; returns once it accepts clients. */
    public void restart() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("Cassandra is still running");
        }
        launch();
    }

    /** Kills the server and deletes its directory. */
    @Override
    public void close() throws IOException {
        killQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // The JVM is shutting down: the hook runs anyway.
        }
        ScratchSpace.deleteQuietly(baseDir);
    }

    private void terminate(boolean force) throws IOException {
        Process p = process;
        if (p == null) {
            return;
        }
        if (force) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping Cassandra", e);
        }
        process = null;
    }

    private void killQuietly() {
        try {
            terminate(true);
        } catch (IOException ignored) {
            // Best effort: the JVM is going away or the test failed already.
        }
    }

    private void launch() throws IOException {
        List<String> cmd = new ArrayList<>();
        if (isRoot() && Files.isExecutable(Paths.get("/usr/bin/setpriv"))) {
            // As root Cassandra's mlockall pins the whole heap (+500 MB, +2.5 s): drop the capability that allows it.
            cmd.addAll(List.of("/usr/bin/setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock", "--"));
        }
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Modest memory: the machine is shared with a broker, the job and the build. C1 only halves start-up.
        cmd.addAll(List.of("-Xms256M", "-Xmx768M", "-Xss256k", "-XX:MaxDirectMemorySize=256M",
                "-XX:TieredStopAtLevel=1", "-XX:+UseG1GC", "-XX:+ParallelRefProcEnabled", "-XX:MaxTenuringThreshold=1",
                "-XX:G1HeapRegionSize=16m", "-XX:MaxGCPauseMillis=300", "-XX:ActiveProcessorCount=2"));
        cmd.addAll(JPMS_OPTIONS);
        cmd.addAll(List.of(
                "-Dio.netty.tryReflectionSetAccessible=true",
                "-Dcassandra-foreground=yes",
                "-Dcassandra.config=" + baseDir.resolve("cassandra.yaml").toUri(),
                "-Dcassandra.storagedir=" + baseDir.resolve("storage"),
                "-Dcassandra.logdir=" + baseDir.resolve("logs"),
                "-Dcassandra.triggers_dir=" + baseDir.resolve("triggers"),
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.ring_delay_ms=100",
                "-Dcassandra.superuser_setup_delay_ms=0",
                "-Dlogback.configurationFile=" + baseDir.resolve("logback.xml"),
                "-cp", libDir.toAbsolutePath() + "/*",
                "org.apache.cassandra.service.CassandraDaemon"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(baseDir.toFile());
        Process p = pb.start();
        process = p;
        CountDownLatch ready = new CountDownLatch(1);
        Deque<String> tail = new ArrayDeque<>();
        Thread pump = new Thread(() -> pump(p, ready, tail), "embedded-cassandra-output");
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            while (!ready.await(200, TimeUnit.MILLISECONDS)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    process = null;
                    String output;
                    synchronized (tail) {
                        output = String.join("\n", tail);
                    }
                    throw new IOException("Cassandra did not start" + (p.isAlive() ? " within " + START_TIMEOUT_SECONDS
                            + " s" : "") + " (log " + logFile() + "); last output:\n" + output);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while starting Cassandra", e);
        }
    }

    private void pump(Process p, CountDownLatch ready, Deque<String> tail) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile(), StandardCharsets.UTF_8,
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.write('\n');
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
                if (line.contains(READY_LINE)) {
                    log.flush();
                    ready.countDown();
                }
            }
        } catch (IOException ignored) {
            // The process went away; launch() notices.
        }
    }

    private void writeConfig() throws IOException {
        for (String d : List.of("data", "commitlog", "saved_caches", "hints", "cdc_raw", "logs", "triggers", "storage")) {
            Files.createDirectories(baseDir.resolve(d));
        }
        String yaml = String.join("\n",
                "cluster_name: flinklite-test",
                "num_tokens: 1",
                "initial_token: 0",
                "auto_bootstrap: false",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "endpoint_snitch: SimpleSnitch",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"127.0.0.1:" + storagePort + "\"",
                "listen_address: 127.0.0.1",
                "rpc_address: 127.0.0.1",
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "data_file_directories:",
                "  - " + baseDir.resolve("data"),
                "commitlog_directory: " + baseDir.resolve("commitlog"),
                "saved_caches_directory: " + baseDir.resolve("saved_caches"),
                "hints_directory: " + baseDir.resolve("hints"),
                "cdc_raw_directory: " + baseDir.resolve("cdc_raw"),
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "authenticator: PasswordAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "role_manager: CassandraRoleManager",
                "memtable_heap_space: 128MiB",
                "memtable_offheap_space: 128MiB",
                "concurrent_compactors: 1",
                "concurrent_reads: 8",
                "concurrent_writes: 8",
                "");
        Files.writeString(baseDir.resolve("cassandra.yaml"), yaml);
        // Cassandra's own default logs DEBUG to the console; INFO is enough and shows the ready line.
        Files.writeString(baseDir.resolve("logback.xml"), String.join("\n",
                "<configuration>",
                "  <appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <root level=\"INFO\"><appender-ref ref=\"STDOUT\"/></root>",
                "</configuration>", ""));
    }

    private static Path findLibDir() throws IOException {
        List<Path> candidates = new ArrayList<>();
        String configured = System.getProperty(LIB_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            candidates.add(Paths.get(configured));
        }
        Path cwd = Paths.get("").toAbsolutePath();
        candidates.add(cwd.resolve("flinklite-cassandra-server/target/cassandra-lib"));
        if (cwd.getParent() != null) {
            candidates.add(cwd.getParent().resolve("flinklite-cassandra-server/target/cassandra-lib"));
        }
        for (Path c : candidates) {
            if (hasCassandraJar(c)) {
                return c;
            }
        }
        throw new IOException("no Cassandra server jars in " + candidates + ": build module flinklite-cassandra-server"
                + " first (mvn -o package -pl flinklite-cassandra-server), or set -D" + LIB_PROPERTY + "=DIR");
    }

    private static boolean hasCassandraJar(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith("cassandra-all-"));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** From Cassandra's {@code conf/jvm17-server.options}: what the server needs of the JDK's modules on Java 17. */
    private static final List<String> JPMS_OPTIONS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED");
}
