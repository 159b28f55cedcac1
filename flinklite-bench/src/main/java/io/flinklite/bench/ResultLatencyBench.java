package io.flinklite.bench;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaOutput;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 6, part 4: result latency at a steady input rate, from the watermark passing a window's end to the result
 * being in the output topic.
 *
 * <p>How the moment is known: a producer thread paces events by the wall clock (default 100,000 events/s) and gives
 * each event time = its wall-clock send time, in order. With bounded out-of-orderness B the watermark is
 * {@code maxTimestamp - B - 1}, so window {@code [start, end)} fires on the first event with
 * {@code timestamp >= end + B}, which was created at wall-clock {@code end + B}. Latency of a result =
 * (the broker's append time of the result record; the output topic uses {@code LogAppendTime}) - (windowEnd + B).
 * That includes the input hop (producer, broker, FlinkLite's fetch) as well as FlinkLite's work and its output
 * producer, so it is an upper bound on the engine's share. A consumer of the output topic also records when it
 * received each result (one more fetch hop), shown as a second line.
 *
 * <p>The job: one FlinkLite task ({@link KafkaSourceReader} + {@link StreamTask} + {@link KafkaOutput}), keep
 * important|critical, key by message, count, tumbling windows (default 100 ms, so a short run fires many windows;
 * the latency path does not depend on the window size), out-of-orderness 50 ms. The broker and every client run in
 * this JVM.
 *
 * <p>Run with {@code bin/bench latency [--rate N] [--seconds N] [--warmup-seconds N] [--window-ms N]
 * [--out-of-orderness-ms N] [--linger-ms N]}; {@code --linger-ms} overrides the output producer's {@code linger.ms}
 * (default: {@link KafkaOutput}'s own). Prints p50/p90/p99/max in milliseconds. Not a test: numbers vary with load.
 */
public final class ResultLatencyBench {

    private ResultLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int rate = 100_000;
        int seconds = 30;
        int warmupSeconds = 5;
        long windowMs = 100;
        long outOfOrdernessMs = 50;
        String lingerMs = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rate": rate = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--seconds": seconds = Integer.parseInt(args[++i]); break;
                case "--warmup-seconds": warmupSeconds = Integer.parseInt(args[++i]); break;
                case "--window-ms": windowMs = Long.parseLong(args[++i]); break;
                case "--out-of-orderness-ms": outOfOrdernessMs = Long.parseLong(args[++i]); break;
                case "--linger-ms": lingerMs = args[++i]; break;
                default:
                    System.err.println("bench latency: unknown flag " + args[i] + " (expected --rate N, --seconds N, "
                            + "--warmup-seconds N, --window-ms N, --out-of-orderness-ms N, --linger-ms N)");
                    System.exit(2);
            }
        }
        System.out.printf(Locale.ROOT, "bench latency: Java %s, %d cores; %,d events/s for %d s (+%d s warm-up), "
                        + "tumbling %d ms windows, out-of-orderness %d ms, output linger.ms %s%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), rate, seconds,
                warmupSeconds, windowMs, outOfOrdernessMs, lingerMs == null ? "(KafkaOutput's default)" : lingerMs);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            String bootstrap = broker.bootstrapServers();
            broker.createTopic("lat-in", 1);
            broker.createTopic("lat-out", 1, Map.of("message.timestamp.type", "LogAppendTime"));

            KafkaConnection outConnection = lingerMs == null ? KafkaConnection.of(bootstrap)
                    : new KafkaConnection(bootstrap, Map.of(ProducerConfig.LINGER_MS_CONFIG, lingerMs),
                    KafkaConnection.DEFAULT_CONNECT_TIMEOUT_MS);
            JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.tumbling(windowMs, 0)).withOutOfOrdernessMs(outOfOrdernessMs);
            KafkaSourceReader reader = new KafkaSourceReader(KafkaConnection.of(bootstrap), "lat-in", "latency",
                    KafkaSourceReader.StartFrom.EARLIEST);
            KafkaOutput output = new KafkaOutput(outConnection, "latency-bench");
            StreamTask task = StreamTask.forSpec(spec, TaskOptions.defaults(), reader, output.resultSink("lat-out"), null,
                    DeadLetterHandler.DISCARD, new JobMetrics());
            Throwable[] taskFailure = new Throwable[1];
            Thread taskThread = new Thread(() -> {
                try {
                    task.run();
                } catch (Throwable e) {
                    taskFailure[0] = e;
                }
            }, "flinklite-task");

            Histogram appended = new Histogram(60_000, 3);
            Histogram received = new Histogram(60_000, 3);
            long[] negative = new long[1];
            long measureFrom = System.currentTimeMillis() + 3_000 + warmupSeconds * 1000L;
            long bound = outOfOrdernessMs;
            Properties cp = new Properties();
            cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            cp.put(ConsumerConfig.GROUP_ID_CONFIG, "latency-reader");
            cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            stopReading = false;
            Thread resultReader = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of("lat-out"));
                    while (!stopReading) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                            long now = System.currentTimeMillis();
                            long fireMoment = windowEnd(r.value()) + bound;
                            if (fireMoment < measureFrom) {
                                continue;
                            }
                            long a = r.timestamp() - fireMoment;
                            if (a < 0) {
                                negative[0]++;
                            }
                            appended.recordValue(Math.max(0, a));
                            received.recordValue(Math.max(0, now - fireMoment));
                        }
                    }
                }
            }, "result-reader");

            resultReader.start();
            taskThread.start();
            long events = produce(bootstrap, rate, (seconds + warmupSeconds + 3) * 1000L);
            // Let the last windows' results arrive, then stop everything.
            Thread.sleep(1_000 + windowMs + outOfOrdernessMs);
            task.stop();
            reader.wakeup();
            taskThread.join();
            stopReading = true;
            resultReader.join();
            reader.close();
            output.close();
            if (taskFailure[0] != null) {
                throw new IllegalStateException("the task failed", taskFailure[0]);
            }
            System.out.printf(Locale.ROOT, "produced %,d events; %,d results measured (after the warm-up)%n", events,
                    appended.getTotalCount());
            System.out.println();
            System.out.println("| result latency after the watermark passes the window end | p50 | p90 | p99 | max |");
            System.out.println("|---|---:|---:|---:|---:|");
            print("result appended to the output topic (broker LogAppendTime)", appended);
            print("result received by a consumer of the output topic", received);
            if (negative[0] > 0) {
                System.out.printf(Locale.ROOT, "(%d results were appended before their computed fire moment: "
                        + "clock granularity; counted as 0)%n", negative[0]);
            }
        }
    }

    /** Set by the main thread once the task stopped; the result reader's loop ends. */
    private static volatile boolean stopReading;

    private static void print(String what, Histogram h) {
        System.out.printf(Locale.ROOT, "| %s | %d ms | %d ms | %d ms | %d ms |%n", what, h.getValueAtPercentile(50),
                h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getMaxValue());
    }

    /** The windowEnd field of a result's JSON ({@code WindowResult.appendJson}). */
    static long windowEnd(byte[] json) {
        String s = new String(json, StandardCharsets.UTF_8);
        int at = s.indexOf("\"windowEnd\":");
        if (at < 0) {
            throw new IllegalStateException("not a window result: " + s);
        }
        int i = at + "\"windowEnd\":".length();
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return v;
    }

    /**
     * Sends seed events at {@code rate} per second for {@code durationMs}, paced by the wall clock, each with event
     * time = the wall-clock time it is sent. Returns how many were sent.
     */
    private static long produce(String bootstrap, int rate, long durationMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // Send at once: the input hop counts in the measured latency.
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        String[] types = {"important", "normal", "critical"};
        long sent = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            long end = start + durationMs * 1_000_000L;
            StringBuilder json = new StringBuilder(80);
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                long due = (now - start) / 1_000 * rate / 1_000_000;
                long ts = System.currentTimeMillis();
                while (sent < due) {
                    json.setLength(0);
                    json.append("{\"id\":").append(sent).append(",\"timestamp\":").append(ts)
                            .append(",\"message\":\"").append(types[(int) (sent % 3)]).append("\"}");
                    producer.send(new ProducerRecord<>("lat-in", json.toString().getBytes(StandardCharsets.UTF_8)));
                    sent++;
                }
                LockSupport.parkNanos(200_000);
            }
        }
        return sent;
    }
}
