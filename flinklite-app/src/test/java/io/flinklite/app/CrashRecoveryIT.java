package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.runtime.replay.Replay;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test of issue 4: the job runs as a child process ({@code java -cp <test classpath>
 * io.flinklite.app.Main run ...}) against a real broker, is killed with SIGKILL at random moments and restarted each
 * time, and its output is compared with an uninterrupted run and with {@link Replay} on the same events.
 *
 * <p>Input: {@code flinklite.crashtest.events} events (default 300 000 so CI stays within a few minutes; the full run
 * of the issue is {@code -Dflinklite.crashtest.events=1000000}) over 3 partitions, disordered within the 5 s
 * out-of-orderness bound, so no event is late and the results do not depend on how partitions interleave. Each
 * partition ends with an event of a filtered type one minute later, which moves the watermark past every window.
 *
 * <ul>
 *   <li>exactly-once: what a {@code read_committed} consumer reads equals, as a multiset, the uninterrupted run's
 *       output and the replay's results;</li>
 *   <li>at-least-once: every replay result is present, and every result for a key and window is identical to the
 *       replay's (duplicates are allowed, differing contents are not).</li>
 * </ul>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@org.junit.jupiter.api.extension.ExtendWith(SharedKafkaBroker.class)
class CrashRecoveryIT {

    private static final int EVENTS = Integer.getInteger("flinklite.crashtest.events", 300_000);
    private static final int KILLS = Integer.getInteger("flinklite.crashtest.kills", 5);
    private static final String INPUT = "crash-in";
    private static final long BASE_MS = 1_700_000_000_000L;

    /** How long the input takes to arrive: the jobs are killed while it flows. */
    private static final long PRODUCE_MS = Long.getLong("flinklite.crashtest.produce.ms", 30_000);

    /** The broker the jobs use; {@link BrokerRestartCrashIT} kills and restarts one of its own. */
    interface Cluster extends AutoCloseable {
        String bootstrapServers();

        void createTopic(String name, int partitions);

        @Override
        void close();

        /** {@code embedded} as a cluster that {@link #close()} leaves running (it is the module's shared broker). */
        static Cluster of(EmbeddedKafkaBroker embedded) {
            return new Cluster() {
                @Override
                public String bootstrapServers() {
                    return embedded.bootstrapServers();
                }

                @Override
                public void createTopic(String name, int partitions) {
                    embedded.createTopic(name, partitions);
                }

                @Override
                public void close() {
                    // Shared with the module's other integration tests: not this class's to stop.
                }
            };
        }
    }

    private Cluster broker;
    private byte[][][] partitions;
    private List<WindowResult> expected;
    private final Map<String, List<String>> outputs = new ConcurrentHashMap<>();

    @TempDir
    static Path work;

    /** The broker of this test: the module's shared embedded one here, which JUnit stops at the end of the run. */
    Cluster startCluster() throws Exception {
        return Cluster.of(SharedKafkaBroker.get());
    }

    /** Runs beside the producer while the input arrives and the jobs are killed; nothing here. */
    void whileInputFlows(Cluster cluster, long produceMs) throws Exception {
    }

    /**
     * Prefix of this class's input and output topics and consumer groups: subclasses that share the module's broker
     * with this one need their own (a group's committed checkpoint would otherwise name another class's checkpoint).
     */
    String topicPrefix() {
        return "";
    }

    private String input() {
        return topicPrefix() + INPUT;
    }

    /** Flags added to every job's command line; none here. */
    List<String> extraJobFlags() {
        return List.of();
    }

    /** The log of job {@code name} of this test class. */
    Path jobLog(String name) {
        return Path.of("target", "crashtest-" + getClass().getSimpleName() + "-" + name + ".log").toAbsolutePath();
    }

    @BeforeAll
    void produceInput() throws Exception {
        broker = startCluster();
        broker.createTopic(input(), 3);
        partitions = events(EVENTS, 42);
        // Replay sees the partitions interleaved round-robin: the disorder stays within the bound, nothing is late.
        expected = ChildJobs.replay(partitions);

        // The three jobs run side by side while the input arrives at a steady rate, so that the kills land in the
        // middle of processing, checkpoint writes and transactions.
        ExecutorService jobs = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            running.add(jobs.submit(() -> outputs.put("eo-clean", runJob("eo-clean", "exactly-once", 0))));
            running.add(jobs.submit(() -> outputs.put("eo-crash", runJob("eo-crash", "exactly-once", KILLS))));
            running.add(jobs.submit(() -> outputs.put("alo-crash", runJob("alo-crash", "at-least-once", KILLS))));
            Future<?> beside = jobs.submit(() -> {
                whileInputFlows(broker, PRODUCE_MS);
                return null;
            });
            produceAtSteadyRate();
            beside.get(5, TimeUnit.MINUTES);
            for (Future<?> f : running) {
                f.get(6, TimeUnit.MINUTES);
            }
        } finally {
            jobs.shutdownNow();
        }
    }

    /** Sends the events round-robin over the partitions (so their event times advance together) over PRODUCE_MS. */
    private void produceAtSteadyRate() throws InterruptedException {
        KafkaTestSupport.produceAtSteadyRate(broker.bootstrapServers(), input(), partitions, PRODUCE_MS);
    }

    @AfterAll
    void stopBroker() {
        if (broker != null) broker.close();
    }

    /** Events per partition: ids counting up, 20 ms apart, each up to 4 s early; the last one a filtered type 60 s later. */
    static byte[][][] events(int total, long seed) {
        Random random = new Random(seed);
        String[] types = {"important", "critical", "normal"};
        int per = total / 3;
        byte[][][] out = new byte[3][per + 1][];
        long id = 0;
        for (int part = 0; part < 3; part++) {
            for (int i = 0; i < per; i++) {
                long ts = BASE_MS + i * 20L - random.nextInt(4_000);
                out[part][i] = json(id++, ts, types[random.nextInt(3)]);
            }
            out[part][per] = json(id++, BASE_MS + per * 20L + 60_000, "normal");
        }
        return out;
    }

    private static byte[] json(long id, long ts, String type) {
        return ("{\"id\":" + id + ",\"timestamp\":" + ts + ",\"message\":\"" + type + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void exactlyOnceOutputSurvivesSigkillsExactly() throws Exception {
        assertThat(expected).hasSizeGreaterThan(100);
        List<String> uninterrupted = outputs.get("eo-clean");
        List<String> crashed = outputs.get("eo-crash");

        Map<String, Integer> want = counts(jsonOf(expected));
        assertThat(counts(uninterrupted)).as("uninterrupted run = replay").isEqualTo(want);
        assertThat(counts(crashed)).as("run killed " + KILLS + " times = replay, each result once").isEqualTo(want);
    }

    @Test
    void atLeastOnceLosesNothingAndRepeatsIdentically() throws Exception {
        List<String> crashed = outputs.get("alo-crash");

        Map<String, String> byWindow = new HashMap<>();
        for (WindowResult r : expected) {
            byWindow.put(r.key() + "@" + r.windowStart() + "-" + r.windowEnd(), r.toJson());
        }
        Map<String, Integer> seen = counts(crashed);
        for (String line : seen.keySet()) {
            String window = windowOf(line);
            assertThat(byWindow).as("a result for a window the replay has").containsKey(window);
            assertThat(line).as("every result (duplicates included) identical to the replay's").isEqualTo(byWindow.get(window));
        }
        assertThat(seen.keySet()).as("no result missing").containsExactlyInAnyOrderElementsOf(byWindow.values());
        System.out.printf("at-least-once: %d results, %d distinct, %d duplicates%n", crashed.size(), seen.size(),
                crashed.size() - seen.size());
    }

    /**
     * Runs the job as a child process on its own output topic, group and checkpoint directory, SIGKILLs it
     * {@code kills} times at random moments (restarting it each time), lets the last run finish, then stops it with
     * SIGTERM. Returns every result line on the output topic ({@code read_committed} for exactly-once).
     */
    private List<String> runJob(String name, String delivery, int kills) throws Exception {
        String output = topicPrefix() + name + "-out";
        broker.createTopic(output, 1);
        Path checkpoints = work.resolve(name + "-checkpoints");
        Path log = jobLog(name);
        Files.deleteIfExists(log);
        Random random = new Random(name.hashCode() + System.nanoTime());
        boolean exactlyOnce = delivery.equals("exactly-once");
        Predicate<List<String>> done = exactlyOnce
                ? lines -> lines.size() >= expected.size()
                : lines -> new HashSet<>(lines).size() >= expected.size();
        List<String> lines = new ArrayList<>();
        try (KafkaConsumer<String, String> reader = outputReader(output, exactlyOnce)) {
            for (int run = 0; run <= kills; run++) {
                long logStart = Files.exists(log) ? Files.size(log) : 0;
                Process job = startJob(name, delivery, output, checkpoints, log);
                try {
                    if (run < kills) {
                        // Once the job reads (JVM start, recovery and partition assignment take seconds on a busy
                        // machine): a random moment within a few checkpoint intervals, to land in the middle of
                        // processing, checkpoint writes and transactions.
                        ChildJobs.awaitLog(log, logStart, "assigned partitions", job);
                        long lifeMs = 200 + random.nextInt(3_000);
                        long deadline = System.currentTimeMillis() + lifeMs;
                        while (System.currentTimeMillis() < deadline && job.isAlive()) {
                            poll(reader, lines, 100);
                        }
                        assertThat(job.isAlive()).as("job " + name + " died on its own; see " + log).isTrue();
                        job.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no final checkpoint
                        job.waitFor(30, TimeUnit.SECONDS);
                        Files.writeString(log, "---- SIGKILL " + lifeMs + " ms after the partitions were assigned ----\n",
                                StandardOpenOption.APPEND);
                    } else {
                        // The clean stop below is to find a running job (a final checkpoint), even when the output
                        // was complete before this last start.
                        ChildJobs.awaitLog(log, logStart, "assigned partitions", job);
                        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(4);
                        while (!done.test(lines) && System.currentTimeMillis() < deadline) {
                            assertThat(job.isAlive()).as("job " + name + " died on its own; see " + log).isTrue();
                            poll(reader, lines, 200);
                        }
                        // Anything extra (a duplicate) would arrive soon after: keep reading a little longer.
                        long quiet = System.currentTimeMillis() + 3_000;
                        while (System.currentTimeMillis() < quiet) {
                            poll(reader, lines, 200);
                        }
                        job.destroy(); // SIGTERM: the clean stop writes a final checkpoint
                        assertThat(job.waitFor(60, TimeUnit.SECONDS)).as("clean stop of " + name).isTrue();
                        // A JVM ended by SIGTERM exits with 143 even after its shutdown hook finished cleanly.
                        assertThat(job.exitValue()).as("exit code of the clean stop; see " + log).isIn(0, 143);
                        assertThat(Files.readString(log)).as("final checkpoint in " + log).contains("final checkpoint");
                    }
                } finally {
                    if (job.isAlive()) {
                        job.destroyForcibly();
                    }
                }
            }
            long quiet = System.currentTimeMillis() + 1_000;
            while (System.currentTimeMillis() < quiet) {
                poll(reader, lines, 200);
            }
        }
        System.out.printf("%s: %d result lines after %d SIGKILLs (expected %d distinct); log %s%n", name, lines.size(),
                kills, expected.size(), log);
        return lines;
    }

    private Process startJob(String name, String delivery, String output, Path checkpoints, Path log) throws IOException {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", broker.bootstrapServers(),
                "--input-topic", input(), "--output-topic", output, "--group-id", topicPrefix() + name,
                "--idle-timeout", "0s",
                // The default session timeout (45 s): a killed instance's session lingers that long, and the restart
                // must neither wait for it (static membership) nor advance event time on the partitions it holds.
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-interval", "1s",
                "--delivery", delivery,
                // Three jobs run side by side: each needs its own metrics port.
                "--metrics-host", "127.0.0.1", "--metrics-port", "0"));
        args.addAll(extraJobFlags());
        return ChildJobs.startRun(log, "512m", Map.of(), args);
    }

    private KafkaConsumer<String, String> outputReader(String topic, boolean readCommitted) {
        Properties p = KafkaConnection.of(broker.bootstrapServers()).clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    private static void poll(KafkaConsumer<String, String> reader, List<String> into, long ms) {
        for (ConsumerRecord<String, String> r : reader.poll(Duration.ofMillis(ms))) {
            into.add(r.value());
        }
    }

    private static List<String> jsonOf(List<WindowResult> results) {
        List<String> out = new ArrayList<>();
        results.forEach(r -> out.add(r.toJson()));
        return out;
    }

    private static Map<String, Integer> counts(List<String> lines) {
        Map<String, Integer> c = new HashMap<>();
        lines.forEach(l -> c.merge(l, 1, Integer::sum));
        return c;
    }

    /** {@code key@start-end} of a result line. */
    private static String windowOf(String json) {
        String key = json.substring(json.indexOf("\"key\":\"") + 7, json.indexOf("\",\"windowStart\""));
        String start = field(json, "windowStart");
        String end = field(json, "windowEnd");
        return key + "@" + start + "-" + end;
    }

    private static String field(String json, String name) {
        int i = json.indexOf("\"" + name + "\":") + name.length() + 3;
        int j = i;
        while (j < json.length() && Character.isDigit(json.charAt(j))) j++;
        return json.substring(i, j);
    }
}
