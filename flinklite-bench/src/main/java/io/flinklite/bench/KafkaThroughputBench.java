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
import io.flinklite.runtime.task.DeadLetterHandler;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The seed job read from Kafka, against the bar ANCHORS.md sets: FlinkLite's Kafka source and task loop should reach
 * at least 90% of a bare consumer loop that parses and counts, on the same topic of an in-process broker.
 *
 * <p>Produces N pre-serialized seed events (disorder up to 5 s) to a one-partition topic of an
 * {@link EmbeddedKafkaBroker}, then alternates, each in a fresh consumer group from the earliest offset: (a) a bare
 * {@link KafkaConsumer} loop that decodes each record with FlinkLite's own decoder and counts important/critical per
 * key, and (b) {@link KafkaSourceReader} + {@link StreamTask} running the seed job (sliding 10 s / 5 s, count). Prints
 * events/s and the process CPU-seconds of each round (broker threads included, as in ANCHORS.md).
 *
 * <pre>
 * mvn -o -q -pl flinklite-bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/bench-cp.txt
 * java -Xmx3g -cp "flinklite-bench/target/classes:$(cat /tmp/bench-cp.txt)" io.flinklite.bench.KafkaThroughputBench 3000000 6
 * </pre>
 * Arguments: events (default 3,000,000), rounds (default 3). Not a test: numbers vary with the machine's load.
 */
public final class KafkaThroughputBench {

    private KafkaThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            broker.createTopic("bench", 1);
            produce(broker.bootstrapServers(), n);
            System.out.printf("produced %,d events to an embedded broker%n", n);
            for (int round = 1; round <= rounds; round++) {
                Result bare = bareLoop(broker.bootstrapServers(), n, "bare-" + round);
                Result job = flinkLite(broker.bootstrapServers(), n, "job-" + round);
                System.out.printf("round %d: bare consumer+parse+count %.2f M ev/s, %.2f M ev/CPU-s | FlinkLite source+task "
                                + "%.2f M ev/s, %.2f M ev/CPU-s | FlinkLite/bare: %.0f%% by wall clock, %.0f%% by CPU; %d results%n",
                        round, bare.eventsPerSecond / 1e6, n / bare.cpuSeconds / 1e6, job.eventsPerSecond / 1e6,
                        n / job.cpuSeconds / 1e6, 100 * job.eventsPerSecond / bare.eventsPerSecond,
                        100 * bare.cpuSeconds / job.cpuSeconds, job.results);
            }
        }
    }

    private static final class Result {
        final double eventsPerSecond;
        final double cpuSeconds;
        final long results;

        Result(double eventsPerSecond, double cpuSeconds, long results) {
            this.eventsPerSecond = eventsPerSecond;
            this.cpuSeconds = cpuSeconds;
            this.results = results;
        }
    }

    private static void produce(String bootstrap, int n) {
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
                        .getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>("bench", json));
            }
        }
    }

    private static Result bareLoop(String bootstrap, int n, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        EventDecoder decoder = new EventDecoder("message", null, 1 << 20);
        Event event = new Event();
        Map<String, long[]> counts = new HashMap<>();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of("bench"));
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    seen++;
                    byte[] v = r.value();
                    if (decoder.decode(v, 0, v.length, event) == null) {
                        String key = event.key();
                        if (key.equals("important") || key.equals("critical")) {
                            counts.computeIfAbsent(key, k -> new long[1])[0]++;
                        }
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(n / seconds, (processCpuNanos() - cpu0) / 1e9, counts.size());
    }

    private static Result flinkLite(String bootstrap, int n, String group) throws Exception {
        JobMetrics metrics = new JobMetrics();
        AtomicLong results = new AtomicLong();
        Sink<WindowResult> sink = r -> results.incrementAndGet();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        try (KafkaSourceReader reader = new KafkaSourceReader(KafkaConnection.of(bootstrap), "bench", group,
                KafkaSourceReader.StartFrom.EARLIEST)) {
            StreamTask task = StreamTask.forSpec(JobSpec.defaults(),
                    TaskOptions.defaults().withTimestampBounds(0, Long.MAX_VALUE), reader, sink, null,
                    DeadLetterHandler.DISCARD, metrics);
            // Stop between batches once everything was read: the same work as the bare loop, on the same thread.
            task.addHook((t, now) -> {
                if (metrics.eventsTotal() >= n) {
                    t.stop();
                }
            });
            task.run();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(n / seconds, (processCpuNanos() - cpu0) / 1e9, results.get());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
