package io.flinklite.bench;

import io.flinklite.api.Event;
import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 6, part 2: the seed job read from Kafka, against the bar ANCHORS.md sets. FlinkLite's Kafka source and task
 * loop should reach at least 90% of a bare consumer loop that parses and counts the same topic, and a topic with 2
 * partitions should go at least 1.6x as fast as one with 1 partition on this 2-core machine.
 *
 * <p>Setup: an {@link EmbeddedKafkaBroker} in this JVM, a 1-partition and a 2-partition topic, each holding the same N
 * seed events (pre-serialized JSON, disorder up to 5 s). Every measured round reads one whole topic from the earliest
 * offset in a fresh consumer group, with as many <em>instances</em> as the topic has partitions, each on its own
 * thread, in one group: that is how a user scales FlinkLite out (start one more {@code flinklite run} with the same
 * {@code --group-id}; Kafka gives each its partitions). The rows:
 * <ul>
 *   <li>bare loop: a {@link KafkaConsumer} per instance (same consumer settings as FlinkLite's source) that decodes each
 *       record with FlinkLite's decoder and counts important/critical per key: the Kafka ceiling for this job;</li>
 *   <li>FlinkLite: {@link KafkaSourceReader} + {@link StreamTask} per instance, running the seed job (sliding 10 s / 5 s,
 *       out-of-orderness 5 s, count).</li>
 * </ul>
 * A round's clock runs from creating the consumers until N records were read in total (group join and the rebalance
 * when the second instance joins included, the same for both rows). CPU is the whole process's (broker threads
 * included, as in ANCHORS.md), so "events per CPU-second" counts the broker's work too.
 *
 * <p>Run with {@code bin/bench kafka [--events N] [--rounds N]} (defaults 2,000,000 and 3; one untimed warm-up round of
 * each row first). Prints each round, then a table of medians and the two ratios. Not a test: numbers vary with load.
 */
public final class KafkaThroughputBench {

    private KafkaThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = 2_000_000;
        int rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events": n = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--rounds": rounds = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("bench kafka: unknown flag " + args[i] + " (expected --events N, --rounds N)");
                    System.exit(2);
            }
        }
        System.out.printf(Locale.ROOT, "bench kafka: Java %s, %d cores, %,d events per topic, %d rounds%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), n, rounds);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic("bench-p1", 1);
            broker.createTopic("bench-p2", 2);
            produce(bootstrap, "bench-p1", n);
            produce(bootstrap, "bench-p2", n);
            System.out.printf(Locale.ROOT, "produced %,d events to bench-p1 (1 partition) and to bench-p2 (2 partitions)%n", n);
            String[] names = {"bare consumer loop, 1 partition", "FlinkLite, 1 partition (1 task)",
                "bare consumer loops, 2 partitions (2 threads)", "FlinkLite, 2 partitions (2 tasks, 1 group)"};
            long[][] wall = new long[4][rounds];
            long[][] cpu = new long[4][rounds];
            int group = 0;
            for (int round = 0; round <= rounds; round++) {
                for (int row = 0; row < 4; row++) {
                    String topic = row < 2 ? "bench-p1" : "bench-p2";
                    int instances = row < 2 ? 1 : 2;
                    boolean flinkLite = row % 2 == 1;
                    System.gc();
                    long cpu0 = CpuClock.processCpuNanos();
                    long t0 = System.nanoTime();
                    long[] end = run(bootstrap, topic, "g" + (group++), instances, n, flinkLite);
                    long t1 = end[0];
                    long cpu1 = end[1];
                    if (round == 0) {
                        continue; // warm-up: JIT, class loading, the broker's page cache
                    }
                    wall[row][round - 1] = t1 - t0;
                    cpu[row][round - 1] = cpu1 - cpu0;
                    System.out.printf(Locale.ROOT, "  %-46s round %d: %5.2f s wall, %5.2f s CPU%n", names[row], round,
                            (t1 - t0) / 1e9, (cpu1 - cpu0) / 1e9);
                }
            }
            double[] rate = new double[4];
            double[] perCpu = new double[4];
            for (int row = 0; row < 4; row++) {
                rate[row] = n / (median(wall[row]) / 1e9);
                perCpu[row] = n / (median(cpu[row]) / 1e9);
            }
            System.out.println();
            System.out.println("| engine | events/s | events per CPU-second (process, broker included) | cores busy | vs bare loop, same partitions |");
            System.out.println("|---|---:|---:|---:|---:|");
            for (int row = 0; row < 4; row++) {
                int bare = row - row % 2;
                System.out.printf(Locale.ROOT, "| %s | %.2f M | %.2f M | %.2f | %s |%n", names[row], rate[row] / 1e6,
                        perCpu[row] / 1e6, median(cpu[row]) / (double) median(wall[row]),
                        row == bare ? "1.00" : String.format(Locale.ROOT, "%.0f%%", 100 * rate[row] / rate[bare]));
            }
            System.out.printf(Locale.ROOT, "%nFlinkLite / bare loop: %.0f%% (1 partition), %.0f%% (2 partitions); "
                            + "2 partitions / 1 partition: FlinkLite %.2fx, bare loop %.2fx%n",
                    100 * rate[1] / rate[0], 100 * rate[3] / rate[2], rate[3] / rate[1], rate[2] / rate[0]);
        }
    }

    private static long median(long[] values) {
        long[] copy = values.clone();
        Arrays.sort(copy);
        return copy[copy.length / 2];
    }

    /**
     * Reads {@code n} records of {@code topic} with {@code instances} consumers in one new group, one thread each.
     * Returns the nano time and process CPU time when the n-th record had been processed (closing the consumers,
     * which leaves the group, is not part of the work measured).
     */
    private static long[] run(String bootstrap, String topic, String group, int instances, int n, boolean flinkLite)
            throws Exception {
        Progress read = new Progress();
        List<Instance> all = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            all.add(flinkLite ? new FlinkLiteInstance(bootstrap, topic, group, n, read, all)
                    : new BareInstance(bootstrap, topic, group, n, read, all));
        }
        List<Thread> threads = new ArrayList<>();
        Throwable[] failure = new Throwable[1];
        for (Instance instance : all) {
            Thread t = new Thread(() -> {
                try {
                    instance.run();
                } catch (Throwable e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                    all.forEach(Instance::stop);
                }
            }, "bench-" + group + "-" + threads.size());
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        for (Instance instance : all) {
            instance.close();
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException("an instance failed", failure[0]);
            }
        }
        return new long[] {read.endNanos, read.endCpuNanos};
    }

    /** Records read by all instances of a round, and when the last one was. */
    private static final class Progress extends AtomicLong {
        private static final long serialVersionUID = 1L;
        volatile long endNanos;
        volatile long endCpuNanos;
    }

    /** One consumer-group member on its own thread; the one that sees the n-th record stops the others. */
    private abstract static class Instance {
        final int n;
        final Progress read;
        final List<Instance> all;

        Instance(int n, Progress read, List<Instance> all) {
            this.n = n;
            this.read = read;
            this.all = all;
        }

        /** Adds a batch's records to the shared count; true once all n were read (then every instance is stopped). */
        boolean count(long records) {
            long before = read.getAndAdd(records);
            if (before + records >= n) {
                if (before < n) {
                    read.endNanos = System.nanoTime();
                    read.endCpuNanos = CpuClock.processCpuNanos();
                }
                all.forEach(Instance::stop);
                return true;
            }
            return false;
        }

        abstract void run() throws Exception;

        /** Any thread: makes {@link #run()} return soon. */
        abstract void stop();

        abstract void close() throws Exception;
    }

    private static final class BareInstance extends Instance {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final String topic;
        private volatile boolean stopped;

        BareInstance(String bootstrap, String topic, String group, int n, Progress read, List<Instance> all) {
            super(n, read, all);
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            // The same consumer settings as KafkaSourceReader's, so the difference is the engine's work.
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.topic = topic;
        }

        @Override
        void run() {
            EventDecoder decoder = new EventDecoder("message", null, 1 << 20);
            Event event = new Event();
            long important = 0;
            long critical = 0;
            consumer.subscribe(List.of(topic));
            try {
                while (!stopped) {
                    int records = 0;
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        records++;
                        byte[] v = r.value();
                        if (decoder.decode(v, 0, v.length, event) == null) {
                            String key = event.key();
                            if (key.equals("important")) {
                                important++;
                            } else if (key.equals("critical")) {
                                critical++;
                            }
                        }
                    }
                    if (records > 0 && count(records)) {
                        break;
                    }
                }
            } catch (WakeupException e) {
                // stopped by the instance that read the last record
            }
            if (important + critical < 0) {
                throw new AssertionError(); // keeps the counts alive
            }
        }

        @Override
        void stop() {
            stopped = true;
            consumer.wakeup();
        }

        @Override
        void close() {
            consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    private static final class FlinkLiteInstance extends Instance {
        private final KafkaSourceReader reader;
        private final StreamTask task;

        FlinkLiteInstance(String bootstrap, String topic, String group, int n, Progress read, List<Instance> all) {
            super(n, read, all);
            this.reader = new KafkaSourceReader(KafkaConnection.of(bootstrap), topic, group, KafkaSourceReader.StartFrom.EARLIEST);
            JobMetrics metrics = new JobMetrics();
            Sink<WindowResult> sink = r -> { };
            this.task = StreamTask.forSpec(JobSpec.defaults(), TaskOptions.defaults().withTimestampBounds(0, Long.MAX_VALUE),
                    reader, sink, null, DeadLetterHandler.DISCARD, metrics);
            long[] counted = new long[1];
            // Between batches, on the task thread: the same stop rule as the bare loop's.
            task.addHook((t, now) -> {
                long total = metrics.eventsTotal();
                if (total > counted[0]) {
                    long batch = total - counted[0];
                    counted[0] = total;
                    count(batch);
                }
            });
        }

        @Override
        void run() throws Exception {
            task.run();
        }

        @Override
        void stop() {
            task.stop();
            reader.wakeup();
        }

        @Override
        void close() {
            reader.close();
        }
    }

    private static void produce(String bootstrap, String topic, int n) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        String[] types = {"important", "normal", "critical"};
        Random random = new Random(1);
        long base = System.currentTimeMillis() - 3_600_000;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < n; i++) {
                long ts = base + i / 2 + random.nextInt(5_000);
                byte[] json = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"" + types[random.nextInt(3)] + "\"}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                // No key: the sticky partitioner fills a batch per partition in turn, so both get about half.
                producer.send(new ProducerRecord<>(topic, null, json));
            }
        }
    }
}
