package io.flinklite.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code flinklite ARGS} in a JVM of its own, on the test classpath, as a user runs it; its output (stdout and stderr
 * merged, in {@link #lines()}; stdout alone also in {@link #stdoutLines()}) collected line by line, so a test can wait for a line, stop it with SIGTERM as Ctrl-C does, and read all
 * it printed. Always {@link #close()} it: a process still alive then is killed.
 */
final class ChildFlinkLite implements AutoCloseable {
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> stdoutLines = new CopyOnWriteArrayList<>();
    private final Thread reader;
    private final Thread errReader;

    private ChildFlinkLite(Process process) {
        this.process = process;
        this.reader = read(process.getInputStream(), true);
        this.errReader = read(process.getErrorStream(), false);
    }

    private Thread read(java.io.InputStream in, boolean stdout) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (stdout) {
                        stdoutLines.add(line);
                    }
                    lines.add(line);
                }
            } catch (Exception e) {
                lines.add("reader failed: " + e);
            }
        });
        t.start();
        return t;
    }

    /** What the process printed on stdout alone. */
    List<String> stdoutLines() {
        return stdoutLines;
    }

    static ChildFlinkLite start(String... args) throws Exception {
        return startMain(Main.class, args);
    }

    /** {@code flinklite ARGS} with {@code workingDir} as its working directory (relative paths resolve there). */
    static ChildFlinkLite startIn(Path workingDir, String... args) throws Exception {
        return startMain(Main.class, workingDir, args);
    }

    /** {@code mainClass ARGS} (a test's helper process) in a JVM of its own, on the test classpath. */
    static ChildFlinkLite startMain(Class<?> mainClass, String... args) throws Exception {
        return startMain(mainClass, null, args);
    }

    private static ChildFlinkLite startMain(Class<?> mainClass, Path workingDir, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 4];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = mainClass.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        return new ChildFlinkLite(builder.start());
    }

    /** SIGKILL, and waits for the process to end: no shutdown hook runs, a Kafka consumer does not leave its group. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /**
     * SIGSTOP: every thread of the process halts (its consumer's heartbeats too, so the group's session timeout runs
     * out as for a stalled or partitioned machine), until {@link #resume()}.
     */
    void suspend() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}: the process goes on where it halted, unaware of the time that passed. */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
    }

    /** Waits until {@code ready} holds for the lines printed so far, and asserts the process is still running then. */
    void awaitLines(Duration atMost, Predicate<List<String>> ready) {
        await().atMost(atMost).until(() -> ready.test(lines) || !process.isAlive());
        assertThat(process.isAlive()).as(output()).isTrue();
    }

    /** Sends SIGTERM, as Ctrl-C would, and asserts the process ends within {@code atMost}. */
    void stopWithSigterm(Duration atMost) throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of its output.
        assertThat(process.toHandle().destroy()).isTrue();
        assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)).as("stopped within " + atMost).isTrue();
        reader.join(10_000);
        errReader.join(10_000);
    }

    /** Waits for the process to end by itself within {@code atMost}; returns its exit code. */
    int awaitExit(Duration atMost) throws InterruptedException {
        assertThat(process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)).as("ended within " + atMost).isTrue();
        reader.join(10_000);
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    List<String> lines() {
        return lines;
    }

    String output() {
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
