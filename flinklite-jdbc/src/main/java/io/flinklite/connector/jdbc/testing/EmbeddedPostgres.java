package io.flinklite.connector.jdbc.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL cluster for integration tests and demos: a real server from the machine's PostgreSQL
 * binaries (Debian's {@code postgresql} package), in a temporary directory, on a free loopback port.
 *
 * <p>{@link #start()} runs {@code initdb} and {@code pg_ctl start}; {@link #close()} stops the server and deletes the
 * directory. In between a test may {@link #stop()} it (fast shutdown, as an operator would), {@link #crash()} it
 * (immediate shutdown, as a power cut) and {@link #restart()} it on the same port, to exercise a client's recovery.
 * A JVM shutdown hook stops a server that a failed test forgot.
 *
 * <p>PostgreSQL refuses to run as root; when the JVM runs as root the cluster belongs to, and every command runs as,
 * the {@code postgres} OS user (which the Debian package creates). Connections over TCP need the password of
 * {@link #user()}, {@link #password()} (SCRAM), so tests can also check what wrong credentials do.
 *
 * <p>The server binaries are found in {@code $FLINKLITE_PG_BINDIR}, else the newest
 * {@code /usr/lib/postgresql/VERSION/bin}, else on the {@code PATH}. Not thread-safe: one test thread drives it.
 */
public final class EmbeddedPostgres implements AutoCloseable {
    private static final String OS_USER = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;
    private static final int START_ATTEMPTS = 3;

    private final Path binDir;
    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final String user = "flinklite";
    private final String password;
    private final boolean asRoot;
    private final Thread shutdownHook;
    private volatile int port;
    private volatile boolean running;

    private EmbeddedPostgres(Path binDir, Path baseDir, String password, boolean asRoot) {
        this.binDir = binDir;
        this.baseDir = baseDir;
        this.dataDir = baseDir.resolve("data");
        this.logFile = baseDir.resolve("postgres.log");
        this.password = password;
        this.asRoot = asRoot;
        this.shutdownHook = new Thread(this::stopOnJvmExit, "embedded-postgres-shutdown");
    }

    /**
     * Creates a cluster in a new temporary directory and starts it on a free port.
     *
     * @throws IOException when the binaries are missing or {@code initdb} / {@code pg_ctl} fail; the message carries
     *                     the tail of their output
     */
    public static EmbeddedPostgres start() throws IOException {
        Path binDir = findBinDir();
        boolean asRoot = "root".equals(System.getProperty("user.name"));
        // As root the directory must be reachable by the postgres user: java.io.tmpdir may point somewhere private.
        Path tmp = asRoot && Files.isDirectory(Paths.get("/tmp")) ? Paths.get("/tmp")
                : Paths.get(System.getProperty("java.io.tmpdir"));
        Path baseDir = Files.createTempDirectory(tmp, "flinklite-pg-");
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        EmbeddedPostgres pg = new EmbeddedPostgres(binDir, baseDir, HexFormat.of().formatHex(secret), asRoot);
        try {
            pg.initdb();
            pg.startOnFreePort();
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres}: the cluster's default database. */
    public String jdbcUrl() {
        return jdbcUrl("postgres");
    }

    /** The URL of {@code database} in this cluster (it must exist; {@code postgres} always does). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The superuser that owns the cluster. */
    public String user() { return user; }

    /** The superuser's password, random per cluster. */
    public String password() { return password; }

    /** The TCP port on 127.0.0.1; the same across {@link #restart()}. */
    public int port() { return port; }

    public boolean isRunning() { return running; }

    /** The server log, for a failing test to print. */
    public Path logFile() { return logFile; }

    /** Stops the server the way an operator does ({@code pg_ctl stop -m fast}): sessions are terminated (57P01). */
    public void stop() throws IOException {
        pgCtlStop("fast");
    }

    /** Stops the server without a shutdown checkpoint ({@code -m immediate}), as a crash would; restart recovers. */
    public void crash() throws IOException {
        pgCtlStop("immediate");
    }

    /** Starts a stopped server again on the same port and data directory. */
    public void restart() throws IOException {
        if (running) {
            throw new IllegalStateException("PostgreSQL is already running on port " + port);
        }
        pgCtlStart();
    }

    /** Stops the server if it runs and deletes its directory. Never throws; safe to call twice. */
    @Override
    public void close() {
        try {
            if (running) {
                pgCtlStop("fast");
            }
        } catch (IOException e) {
            stopOnJvmExit();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // The JVM is already shutting down, or the hook was never added.
        }
        io.flinklite.testing.ScratchSpace.deleteQuietly(baseDir);
    }

    private void initdb() throws IOException {
        Path pwFile = baseDir.resolve("pwfile");
        Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
        if (asRoot) {
            run(List.of("chown", "-R", OS_USER + ":", baseDir.toString()), false);
        }
        // Local (socket) connections trust, TCP ones need the password: tests can try wrong credentials over TCP.
        // --no-sync and fsync=off: the cluster is thrown away, and durability against an OS crash is not what the
        // tests check (a server crash is: PostgreSQL's WAL still reaches the OS before a commit returns).
        run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", user,
                "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync"), true);
        Files.delete(pwFile);
    }

    private void startOnFreePort() throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            port = freePort();
            try {
                pgCtlStart();
                Runtime.getRuntime().addShutdownHook(shutdownHook);
                return;
            } catch (IOException e) {
                // Another process may have taken the port between the probe and the bind; try another.
                last = e;
            }
        }
        throw last;
    }

    private void pgCtlStart() throws IOException {
        String options = "-p " + port + " -k " + baseDir + " -c listen_addresses=127.0.0.1 -c fsync=off"
                + " -c max_connections=30 -c shared_buffers=16MB";
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-l", logFile.toString(),
                "-o", options, "-w", "-t", "60", "start"), true);
        running = true;
    }

    private void pgCtlStop(String mode) throws IOException {
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "-m", mode, "-w", "-t", "60",
                "stop"), true);
        running = false;
    }

    private void stopOnJvmExit() {
        if (!running) {
            return;
        }
        try {
            pgCtlStop("immediate");
        } catch (IOException ignored) {
            // Nothing more can be done from a shutdown hook.
        }
    }

    /** Runs {@code command} (as the postgres user when {@code asPostgres} and we are root); fails with its output. */
    private void run(List<String> command, boolean asPostgres) throws IOException {
        List<String> full = new ArrayList<>();
        if (asPostgres && asRoot) {
            full.addAll(List.of("runuser", "-u", OS_USER, "--"));
        }
        full.addAll(command);
        Path out = Files.createTempFile("flinklite-pg-cmd", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            boolean done;
            try {
                done = p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + full, e);
            }
            if (!done) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", full) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", full) + " exited with " + p.exitValue() + ":\n"
                        + tail(out) + tail(logFile));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())) + "\n";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")\n";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Path findBinDir() throws IOException {
        String env = System.getenv("FLINKLITE_PG_BINDIR");
        if (env != null && !env.isBlank()) {
            Path dir = Paths.get(env);
            if (!Files.isExecutable(dir.resolve("initdb"))) {
                throw new IOException("FLINKLITE_PG_BINDIR=" + env + " has no initdb");
            }
            return dir;
        }
        Path debian = Paths.get("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            List<Path> versions = new ArrayList<>();
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(debian)) {
                for (Path v : dirs) {
                    if (Files.isExecutable(v.resolve("bin/initdb"))) {
                        versions.add(v);
                    }
                }
            }
            versions.sort(Comparator.comparingInt(EmbeddedPostgres::majorVersion));
            if (!versions.isEmpty()) {
                return versions.get(versions.size() - 1).resolve("bin");
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "initdb"))) {
                    return Paths.get(dir);
                }
            }
        }
        throw new IOException("PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin or"
                + " on the PATH: install Debian's postgresql package (bin/test does), or set FLINKLITE_PG_BINDIR");
    }

    private static int majorVersion(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
