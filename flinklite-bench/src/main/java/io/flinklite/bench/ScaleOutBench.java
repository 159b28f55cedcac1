package io.flinklite.bench;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.app.KafkaJob;
import io.flinklite.app.ResultPrinter;
import io.flinklite.app.ScaleOut;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.Replay;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/bench scaleout} (issue 12): the seed job from an in-process broker through the distributed path, in one
 * JVM and one run, against the fused job and against Kafka Streams.
 *
 * <p>Input: N seed events ({@link SeedTraffic}) pre-produced round-robin into a topic of 3 partitions. Rows, each run
 * as {@code flinklite run} runs it ({@link KafkaJob}, same settings; only {@code --scale-out} differs), in a fresh
 * consumer group per round, with {@code --checkpoint-store kafka}, at-least-once, checkpoints every 5 s:
 * <ul>
 *   <li>fused: one {@link KafkaJob} on one task (today's path);</li>
 *   <li>scale-out, 1 instance: {@code --scale-out}: 3 source tasks write partial counts and watermark markers to the
 *       repartition topic on the same broker, 3 keyed tasks read it;</li>
 *   <li>scale-out, 2 instances: two such jobs in one group, on two threads of this JVM (Kafka assigns 2 + 1
 *       partitions of each topic);</li>
 *   <li>Kafka Streams 4.4 ({@link KafkaStreamsSeedJob}), one instance, one stream thread (its default).</li>
 * </ul>
 * The input is unbounded to every engine, so a round ends like this: once the engine has read all N events, the
 * bench appends to every partition one important and one critical event a minute of event time after the last one
 * (the same for all rows); they close every window of the N events in every engine (watermark, stream time) and
 * open windows of their own that never close. The round's clock (wall and whole-process CPU, the broker's threads
 * included) runs from starting the engine to the last result of the N events; its results are then compared with
 * {@link Replay} of the N events in memory. Shuffle volume: the repartition topic's records and bytes on the broker's
 * log per input event (after the scale-out row's rounds).
 *
 * <p>Not a test: the figures vary with the machine's load; compare the ratios of one run.
 */
public final class ScaleOutBench {

    private static final int PARTITIONS = 3;
    private static final long CHECKPOINT_INTERVAL_MS = 5_000;

    private ScaleOutBench() {
    }

    /** What an engine of a row is, for a round. */
    private interface Engine {
        /** Input events read so far, every instance together. */
        long eventsRead();

        void stop() throws Exception;
    }

    /** @param grace Kafka Streams' grace; null for a FlinkLite row */
    private record Row(String name, int instances, boolean scaleOut, java.time.Duration grace) {
        boolean kafkaStreams() {
            return grace != null;
        }
    }

    /** Kafka Streams' grace that drops nothing here: more than its stream time runs ahead of any record. */
    private static final java.time.Duration NO_DROP_GRACE = java.time.Duration.ofMinutes(10);

    public static void main(String[] args) throws Exception {
        int n = 2_000_000;
        int rounds = 3;
        boolean streams = true;
        int panes = 100_000;
        boolean throughput = true;
        boolean perThread = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events": n = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                case "--no-streams": streams = false; break;
                case "--panes": panes = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--only-handover": throughput = false; break;
                case "--threads": perThread = true; break;
                default:
                    System.err.println("bench scaleout: unknown flag " + args[i] + " (expected --events N, --rounds N,"
                            + " --no-streams, --panes P, --only-handover, --threads)");
                    System.exit(2);
            }
        }
        System.out.printf(Locale.ROOT, "bench scaleout: Java %s, %d cores, %,d events over %d partitions, %d rounds; %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), n, PARTITIONS, rounds,
                loadAverage());
        Path work = Files.createTempDirectory("bench-scaleout");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            if (throughput) {
                throughput(broker, work, n, rounds, streams, perThread);
            }
            if (panes > 0) {
                HandOverBench.run(broker, work, panes, rounds);
            }
        }
    }

    private static void throughput(EmbeddedKafkaBroker broker, Path work, int n, int rounds, boolean streams,
                                   boolean perThread)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        byte[][] traffic = SeedTraffic.generate(n, 42);
        List<String> expected = new ArrayList<>();
        Replay.run(JobSpec.defaults(), traffic, r -> expected.add(line(r.key(), r.windowStart(), r.windowEnd(), r.count())),
                null, invalid -> { });
        Collections.sort(expected);
        broker.createTopic("scaleout-output", 1);
        long inputBytes = SeedTraffic.bytes(traffic);
        System.out.printf(Locale.ROOT, "%,d events (%,d bytes of JSON) produced anew before each round into a topic of %d"
                + " partitions; %,d windows expected (replay in memory)%n", n, inputBytes, PARTITIONS, expected.size());
        // Past the last window's end plus the longest grace: closes every window of the N events in every row.
        long sentinelMs = SeedTraffic.START_MS + n + 10_000 + NO_DROP_GRACE.toMillis() + 60_000;

        List<Row> rows = new ArrayList<>(List.of(
                new Row("FlinkLite fused, 1 instance", 1, false, null),
                new Row("FlinkLite --scale-out, 1 instance", 1, true, null),
                new Row("FlinkLite --scale-out, 2 instances (2 threads, 1 group)", 2, true, null)));
        if (streams) {
            rows.add(new Row("Kafka Streams 4.4.0, grace 5 s", 1, false, java.time.Duration.ofSeconds(5)));
            rows.add(new Row("Kafka Streams 4.4.0, grace 10 min (drops nothing)", 1, false, NO_DROP_GRACE));
        }
        long[][] wall = new long[rows.size()][rounds];
        long[][] cpu = new long[rows.size()][rounds];
        String[] agreement = new String[rows.size()];
        String lastScaleOutGroup = null;
        String lastScaleOutInput = null;
        int group = 0;
        try (KafkaProducer<byte[], byte[]> sentinels = producer(bootstrap)) {
            for (int round = 0; round <= rounds; round++) {
                for (int r = 0; r < rows.size(); r++) {
                    Row row = rows.get(r);
                    String id = "so" + (group++);
                    // A fresh input topic per round: the sentinels of a round must come after every event.
                    String input = "in-" + id;
                    broker.createTopic(input, PARTITIONS);
                    produce(bootstrap, input, traffic);
                    List<String> results = Collections.synchronizedList(new ArrayList<>());
                    System.gc();
                    ThreadCpu threads0 = ThreadCpu.snapshot();
                    long cpu0 = CpuClock.processCpuNanos();
                    long t0 = System.nanoTime();
                    Engine engine = row.kafkaStreams()
                            ? startStreams(bootstrap, id, input, work.resolve(id), row.grace(), results)
                            : startFlinkLite(bootstrap, id, input, work.resolve(id), row, results);
                    long[] end;
                    ThreadCpu threads1;
                    try {
                        end = awaitEnd(engine, n, expected.size(), results, () -> {
                            for (int p = 0; p < PARTITIONS; p++) {
                                for (String type : new String[] {"important", "critical"}) {
                                    sentinels.send(new ProducerRecord<>(input, p, null, null,
                                            ("{\"id\":-1,\"timestamp\":" + sentinelMs + ",\"message\":\"" + type + "\"}")
                                                    .getBytes(StandardCharsets.UTF_8)));
                                }
                            }
                            sentinels.flush();
                        }, row.name());
                        threads1 = ThreadCpu.snapshot(); // before the stop ends the engine's threads
                    } finally {
                        engine.stop();
                    }
                    if (row.scaleOut() && row.instances() == 1) {
                        lastScaleOutGroup = id;
                        lastScaleOutInput = input;
                    } else {
                        deleteTopic(broker, input);
                    }
                    List<String> got = new ArrayList<>(results);
                    Collections.sort(got);
                    agreement[r] = agree(expected, got);
                    if (round == 0) {
                        continue; // warm-up: JIT, class loading, the broker's page cache
                    }
                    wall[r][round - 1] = end[0] - t0;
                    cpu[r][round - 1] = end[1] - cpu0;
                    System.out.printf(Locale.ROOT, "  %-58s round %d: %6.2f s wall, %6.2f s CPU; results %s; %s%n",
                            row.name(), round, wall[r][round - 1] / 1e9, cpu[r][round - 1] / 1e9, agreement[r],
                            loadAverage());
                    if (perThread) {
                        System.out.println(ThreadCpu.format(threads1.since(threads0), n));
                        System.out.println(threads1.requestsSince(threads0));
                    }
                }
            }
        }
        System.out.println();
        System.out.println("| engine | events/s (wall) | events per CPU-second (process, broker included) | cores busy | per CPU-s vs fused | results vs replay |");
        System.out.println("|---|---:|---:|---:|---:|---|");
        double fusedPerCpu = n / (median(cpu[0]) / 1e9);
        for (int r = 0; r < rows.size(); r++) {
            double rate = n / (median(wall[r]) / 1e9);
            double perCpu = n / (median(cpu[r]) / 1e9);
            System.out.printf(Locale.ROOT, "| %s | %.2f M | %.2f M | %.2f | %.2fx | %s |%n", rows.get(r).name(), rate / 1e6,
                    perCpu / 1e6, median(cpu[r]) / (double) median(wall[r]), perCpu / fusedPerCpu, agreement[r]);
        }
        double so1Wall = median(wall[1]);
        double so2Wall = median(wall[2]);
        System.out.printf(Locale.ROOT, "%nscale-out / fused, per CPU-second: %.2fx (target >= 0.8x)%n",
                median(cpu[0]) / (double) median(cpu[1]));
        System.out.printf(Locale.ROOT, "scale-out 2 instances / 1 instance: %.2fx events/s wall, %.2fx per CPU-second%n",
                so1Wall / so2Wall, median(cpu[1]) / (double) median(cpu[2]));
        if (streams) {
            for (int ks = rows.size() - 2; ks < rows.size(); ks++) {
                System.out.printf(Locale.ROOT, "per CPU-second vs %s: fused %.2fx, scale-out %.2fx (target >= 5x)%n",
                        rows.get(ks).name(), median(cpu[ks]) / (double) median(cpu[0]),
                        median(cpu[ks]) / (double) median(cpu[1]));
            }
        }
        if (lastScaleOutGroup != null) {
            shuffleVolume(broker, ScaleOut.repartitionTopic(lastScaleOutGroup), n, inputBytes, lastScaleOutInput);
        }
    }

    /**
     * Waits until the engine has read {@code n} events, appends the sentinels, then waits for {@code windows} results.
     *
     * @return the nano time and process CPU time when the last expected result arrived
     */
    private static long[] awaitEnd(Engine engine, long n, int windows, List<String> results, Runnable appendSentinels,
                                   String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (engine.eventsRead() < n) {
            check(deadline, name, "read " + engine.eventsRead() + " of " + n + " events");
            Thread.sleep(1);
        }
        appendSentinels.run();
        while (results.size() < windows) {
            check(deadline, name, results.size() + " of " + windows + " results");
            Thread.sleep(1);
        }
        return new long[] {System.nanoTime(), CpuClock.processCpuNanos()};
    }

    private static void check(long deadline, String name, String progress) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException(name + ": no end after 5 minutes (" + progress + ")");
        }
    }

    private static Engine startFlinkLite(String bootstrap, String group, String input, Path dir, Row row,
                                         List<String> results) throws Exception {
        Files.createDirectories(dir);
        List<KafkaJob> jobs = new ArrayList<>();
        List<JobMetrics> metrics = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < row.instances(); i++) {
            KafkaJob.Settings settings = new KafkaJob.Settings(KafkaConnection.of(bootstrap), JobSpec.defaults())
                    .inputTopic(input)
                    .outputTopic("scaleout-output")
                    .groupId(group)
                    .instanceId(KafkaJob.Settings.NO_INSTANCE_ID)
                    .console(new PrintStream(new ResultLines(results), false, StandardCharsets.UTF_8), ResultPrinter.Format.JSON)
                    .checkpoints(new CheckpointSettings(dir.resolve("i" + i), CHECKPOINT_INTERVAL_MS,
                            Delivery.AT_LEAST_ONCE, false, null, null, CheckpointSettings.Store.KAFKA, null));
            if (row.scaleOut()) {
                settings.scaleOut(new ScaleOut(ScaleOut.SAME_AS_INPUT));
            }
            JobMetrics m = new JobMetrics();
            KafkaJob job = new KafkaJob(settings, m);
            Thread t = new Thread(() -> {
                try {
                    job.run();
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    e.printStackTrace();
                }
            }, "bench-" + group + "-" + i);
            t.setDaemon(true); // a failed round must not keep the JVM alive
            jobs.add(job);
            metrics.add(m);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        return new Engine() {
            @Override
            public long eventsRead() {
                synchronized (failure) {
                    if (failure[0] != null) {
                        throw new IllegalStateException(row.name() + " failed", failure[0]);
                    }
                }
                long total = 0;
                for (JobMetrics m : metrics) {
                    total += m.eventsTotal();
                }
                return total;
            }

            @Override
            public void stop() throws Exception {
                for (KafkaJob job : jobs) {
                    job.stop();
                }
                for (KafkaJob job : jobs) {
                    job.awaitStopped(60_000);
                }
                for (Thread t : threads) {
                    t.join(60_000);
                }
            }
        };
    }

    private static Engine startStreams(String bootstrap, String id, String input, Path dir, java.time.Duration grace,
                                       List<String> results) throws Exception {
        Files.createDirectories(dir);
        KafkaStreamsSeedJob job = new KafkaStreamsSeedJob(bootstrap, "bench-" + id, input, "scaleout-output", dir, grace,
                r -> results.add(line(r.key(), r.windowStart(), r.windowEnd(), r.count())));
        job.start();
        return new Engine() {
            @Override
            public long eventsRead() {
                return job.seen();
            }

            @Override
            public void stop() {
                job.close();
            }
        };
    }

    /** The JSON lines FlinkLite prints for its results, collected (the console of {@link KafkaJob.Settings}). */
    private static final class ResultLines extends java.io.OutputStream {
        private final List<String> results;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        ResultLines(List<String> results) {
            this.results = results;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                String json = line.toString(StandardCharsets.UTF_8);
                line.reset();
                results.add(fromJson(json));
            } else {
                line.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }

    /** {"key":"critical","windowStart":1,"windowEnd":2,"count":3} to the comparable line. */
    static String fromJson(String json) {
        String key = field(json, "\"key\":\"", '"');
        return line(key, Long.parseLong(field(json, "\"windowStart\":", ',')), Long.parseLong(field(json, "\"windowEnd\":", ',')),
                Long.parseLong(field(json, "\"count\":", ',').replace("}", "")));
    }

    private static String field(String json, String name, char end) {
        int start = json.indexOf(name);
        if (start < 0) {
            throw new IllegalArgumentException("no " + name + " in " + json);
        }
        start += name.length();
        int stop = json.indexOf(end, start);
        if (stop < 0) {
            stop = json.indexOf('}', start);
        }
        return json.substring(start, stop);
    }

    static String line(String key, long start, long end, long count) {
        return key + "," + start + "," + end + "," + count;
    }

    /** How the results of a round compare with the replay's: windows, and those whose count differs or is missing. */
    static String agree(List<String> expected, List<String> got) {
        if (expected.equals(got)) {
            return "equal (" + got.size() + " windows)";
        }
        Map<String, Long> want = new java.util.HashMap<>();
        for (String e : expected) {
            int c = e.lastIndexOf(',');
            want.put(e.substring(0, c), Long.parseLong(e.substring(c + 1)));
        }
        int same = 0;
        int differ = 0;
        int extra = 0;
        long missingEvents = 0;
        for (String g : got) {
            int c = g.lastIndexOf(',');
            Long w = want.remove(g.substring(0, c));
            long count = Long.parseLong(g.substring(c + 1));
            if (w == null) {
                extra++;
            } else if (w == count) {
                same++;
            } else {
                differ++;
                missingEvents += w - count;
            }
        }
        return String.format(Locale.ROOT, "%d of %d windows equal, %d differ (%+d counted events), %d missing, %d extra",
                same, expected.size(), differ, -missingEvents, want.size(), extra);
    }

    private static void deleteTopic(EmbeddedKafkaBroker broker, String topic) throws Exception {
        broker.admin().deleteTopics(List.of(topic)).all().get(); // the broker's own admin client: not ours to close
    }

    /** Records and bytes of the repartition topic on the broker's log, per input event. */
    private static void shuffleVolume(EmbeddedKafkaBroker broker, String topic, int n, long inputJsonBytes, String input)
            throws Exception {
        Admin admin = broker.admin(); // the broker's own: not ours to close
        {
            long[] repartition = logOf(admin, topic);
            long[] in = logOf(admin, input);
            System.out.printf(Locale.ROOT, "shuffle (%s, one scale-out round of %,d events): %,d records = %.5f per input event;"
                            + " %,d bytes on the log = %.3f bytes per input event (the input topic: %.1f bytes per event on"
                            + " the log, %.1f of JSON)%n", topic, n, repartition[0], repartition[0] / (double) n,
                    repartition[1], repartition[1] / (double) n, in[1] / (double) in[0], inputJsonBytes / (double) n);
        }
    }

    /** Records (sum of log end offsets) and bytes on the log of every partition of {@code topic}. */
    private static long[] logOf(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        long records = 0;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, admin.describeCluster().nodes().get().iterator().next().host()
                + ":" + admin.describeCluster().nodes().get().iterator().next().port());
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            for (long end : c.endOffsets(tps).values()) {
                records += end;
            }
        }
        long bytes = 0;
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(
                admin.describeCluster().nodes().get().stream().map(node -> node.id()).toList()).allDescriptions().get();
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                    if (e.getKey().topic().equals(topic)) {
                        bytes += e.getValue().size();
                    }
                }
            }
        }
        return new long[] {records, bytes};
    }

    /** Produces the events round-robin over the partitions, record timestamps now (the event time is in the JSON). */
    private static long produce(String bootstrap, String topic, byte[][] events) {
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
            for (int i = 0; i < events.length; i++) {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, null, events[i]));
                bytes += events[i].length;
            }
        }
        return bytes;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static long median(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    /** The 1-minute load average, as {@code uptime} shows it, to print beside each figure. */
    static String loadAverage() {
        return String.format(Locale.ROOT, "load %.2f", java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                .getSystemLoadAverage());
    }
}
