package io.flinklite.app;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.replay.Replay;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the crash tests ({@link CrashRecoveryIT}, {@link JdbcCrashRecoveryIT}, {@link CassandraRunCommandIT}) share:
 * {@code flinklite run} as a child JVM appending to a log, waiting for a line in that log, input produced at a steady
 * rate beside the jobs, and the replay's results to compare with. One copy, so a fix to how a child is started or
 * watched reaches every such test.
 */
final class ChildJobs {
    private ChildJobs() {
    }

    /**
     * Starts {@code flinklite run RUN_ARGS} as a child JVM of the test classpath, its stdout and stderr appended to
     * {@code log} after a {@code ---- start: ...} line.
     *
     * @param maxHeap the child's {@code -Xmx}, e.g. {@code 384m}
     * @param env     extra environment variables (secrets go here, never on the command line)
     */
    static Process startRun(Path log, String maxHeap, Map<String, String> env, List<String> runArgs) throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx" + maxHeap, "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run"));
        command.addAll(runArgs);
        Files.writeString(log, "---- start: " + String.join(" ", command.subList(command.indexOf("run"), command.size())) + "\n",
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Waits (up to 2 minutes) until the job's log, from byte {@code from} on, contains {@code text}; fails if the job dies. */
    static void awaitLog(Path log, long from, String text, Process job) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(2);
        while (System.currentTimeMillis() < deadline) {
            byte[] all = Files.readAllBytes(log);
            if (new String(all, (int) from, all.length - (int) from, StandardCharsets.UTF_8).contains(text)) {
                return;
            }
            assertThat(job.isAlive()).as("job died on its own; see " + log).isTrue();
            Thread.sleep(50); // polling a file another process writes
        }
        throw new AssertionError("no '" + text + "' in " + log + " within 2 minutes");
    }

    /** Sends {@code partitions} to {@code topic} over {@code durationMs} on another thread (see KafkaTestSupport). */
    static CompletableFuture<Void> produceInBackground(String bootstrap, String topic, byte[][][] partitions, long durationMs) {
        return CompletableFuture.runAsync(() -> {
            try {
                KafkaTestSupport.produceAtSteadyRate(bootstrap, topic, partitions, durationMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /**
     * The seed job's results on {@code partitions} interleaved round-robin (the order a steady producer gives them),
     * as {@code key|start|end -> count}.
     */
    static Map<String, Long> replayCounts(byte[][][] partitions) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        for (WindowResult r : replay(partitions)) {
            out.put(r.key() + "|" + r.windowStart() + "|" + r.windowEnd(), r.count());
        }
        return out;
    }

    /** The seed job's results on {@code partitions} interleaved round-robin. */
    static List<WindowResult> replay(byte[][][] partitions) throws Exception {
        List<byte[]> merged = new ArrayList<>();
        for (int i = 0; i < partitions[0].length; i++) {
            for (byte[][] partition : partitions) {
                if (i < partition.length) merged.add(partition[i]);
            }
        }
        List<WindowResult> results = new ArrayList<>();
        Replay.run(JobSpec.defaults(), merged.toArray(new byte[0][]), results::add, null, line -> { });
        return results;
    }
}
