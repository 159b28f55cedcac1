package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.replay.Replay;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;

/** Test helpers shared by the Kafka integration tests of the app: events, producing, reading back, expectations. */
final class KafkaTestSupport {
    private KafkaTestSupport() {
    }

    /** One event and the partition it goes to. */
    static final class Placed {
        final int partition;
        final byte[] json;

        Placed(int partition, byte[] json) {
            this.partition = partition;
            this.json = json;
        }

        String text() {
            return new String(json, StandardCharsets.UTF_8);
        }
    }

    static byte[] event(long id, long timestamp, String message) {
        return ("{\"id\":" + id + ",\"timestamp\":" + timestamp + ",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code n} events spread over {@code partitions}, disordered by up to 4 s (less than the 5 s out-of-orderness,
     * so none is late under either a global or a per-partition watermark), followed by one filtered {@code normal}
     * event per partition a minute after the last, which moves every partition's watermark past every window.
     */
    static List<Placed> disorderedEvents(long seed, int n, int[] partitions, long baseMs) {
        List<Placed> out = disorderedEventsWithoutEnd(seed, n, partitions, baseMs);
        long max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, baseMs + i * 50L + 4_000);
        }
        for (int p : partitions) {
            out.add(new Placed(p, event(n + 1 + p, max + 60_000, "normal")));
        }
        return out;
    }

    /** As {@link #disorderedEvents} without the closing events: the last windows stay open. */
    static List<Placed> disorderedEventsWithoutEnd(long seed, int n, int[] partitions, long baseMs) {
        Random random = new Random(seed);
        String[] types = {"important", "normal", "critical"};
        List<Placed> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long ts = baseMs + i * 50L + random.nextInt(4_000);
            out.add(new Placed(partitions[random.nextInt(partitions.length)], event(i + 1, ts, types[random.nextInt(3)])));
        }
        return out;
    }

    /** What {@code replay} computes on the same events, as JSON lines. */
    static List<String> replayResults(JobSpec spec, List<Placed> events) throws Exception {
        byte[][] input = new byte[events.size()][];
        for (int i = 0; i < input.length; i++) {
            input[i] = events.get(i).json;
        }
        List<String> results = new ArrayList<>();
        Sink<WindowResult> sink = r -> results.add(r.toJson());
        Replay.run(spec, input, sink, null, line -> { });
        return results;
    }

    /**
     * Writes {@code events} to their partitions, in order, and waits until the broker acknowledged every one.
     *
     * @throws AssertionError naming the broker's error when any record was not written: a test must never go on to
     *                        wait for input that is not there (a lost send used to surface as a job that "never read
     *                        the second half" 60 s later, the producer's own error unseen)
     */
    static void produce(String bootstrap, String topic, List<Placed> events) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>(events.size());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Placed e : events) {
                sent.add(producer.send(new ProducerRecord<>(topic, e.partition, null, e.json)));
            }
            producer.flush();
        }
        int lost = 0;
        Throwable first = null;
        for (java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                lost++;
                first = first == null ? e.getCause() : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while producing to " + topic, e);
            }
        }
        if (lost > 0) {
            throw new AssertionError("the test's producer could not write " + lost + " of " + events.size()
                    + " records to " + topic + ": " + first, first);
        }
    }

    /**
     * Sends {@code partitions[p][i]} to partition p, round-robin over the partitions (so their event times advance
     * together), spread evenly over {@code durationMs}: jobs under test see the input arrive while they run.
     */
    static void produceAtSteadyRate(String bootstrap, String topic, byte[][][] partitions, long durationMs)
            throws InterruptedException {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("linger.ms", 10);
        long start = System.nanoTime();
        int per = partitions[0].length;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < per; i++) {
                for (int part = 0; part < partitions.length; part++) {
                    if (i < partitions[part].length) {
                        producer.send(new ProducerRecord<>(topic, part, null, partitions[part][i]));
                    }
                }
                if (i % 500 == 0) {
                    long dueNanos = start + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(durationMs) * i / per;
                    long aheadMs = (dueNanos - System.nanoTime()) / 1_000_000;
                    if (aheadMs > 0) {
                        Thread.sleep(aheadMs); // pacing the input, not synchronisation
                    }
                }
            }
            producer.flush();
        }
    }

    /** Every record of {@code topic} now, read until {@code expected} arrived or 60 s passed, then 1 s longer. */
    static List<ConsumerRecord<byte[], byte[]>> readTopic(String bootstrap, String topic, int expected) {
        return readTopic(bootstrap, topic, expected, false);
    }

    /** As {@link #readTopic(String, String, int)}; {@code readCommitted}: only what committed transactions wrote. */
    static List<ConsumerRecord<byte[], byte[]>> readTopic(String bootstrap, String topic, int expected,
                                                          boolean readCommitted) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic + "-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            // A little longer, so a record beyond the expected ones would show up.
            long extra = System.currentTimeMillis() + 1_000;
            while (System.currentTimeMillis() < extra) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Runs {@code job} on a daemon thread of its own; its failure, if any, ends up in the returned reference. */
    static java.util.concurrent.atomic.AtomicReference<Throwable> startJob(KafkaJob job) {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                job.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "job");
        t.setDaemon(true);
        t.start();
        return failure;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * A connection to the module's shared broker, with the default client settings users run; only from a class
     * extended with {@code SharedKafkaBroker}, from its test instances on (after its {@code beforeAll}).
     */
    static KafkaConnection connection() {
        return KafkaConnection.of(SharedKafkaBroker.get().bootstrapServers());
    }

    /** Every sample of a Prometheus text page ({@code /metrics}), {@code name{labels} -> value}. */
    static Map<String, Double> scrape(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Double> out = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }
}
