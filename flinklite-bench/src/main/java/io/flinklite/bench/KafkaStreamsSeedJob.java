package io.flinklite.bench;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.TimestampExtractor;
import org.apache.kafka.streams.state.WindowStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The seed job written the way a Kafka Streams 4.x user writes it, for {@code bin/bench scaleout}: JSON events
 * (parsed with Jackson's streaming parser, {@link SeedFields}, as the Flink job in {@link FlinkSeedJob} does), event
 * time from the JSON ({@link TimestampExtractor}), keep important|critical, {@code groupBy} the message (Kafka Streams
 * writes and reads its own repartition topic), hopping windows 10 s advancing 5 s (Flink's sliding windows) with grace
 * 5 s (the job's bounded out-of-orderness; the bench also runs it with a grace long enough to drop nothing),
 * {@code count()}, final results only
 * ({@code suppress(untilWindowCloses)}), to an output topic.
 *
 * <p>Settings are Kafka Streams' defaults (one stream thread, RocksDB window store with its record cache,
 * at-least-once) except {@code commit.interval.ms}: 5 s, FlinkLite's default {@code --checkpoint-interval}, instead of
 * 30 s, because suppress only sees the windowed store's updates when its cache flushes at a commit, so the last
 * final results wait for one.
 *
 * <p>Semantics that differ from Flink's (and FlinkLite's), so counts can differ on the same input: Kafka Streams has
 * no watermark; a window closes when the aggregation task's stream time (the largest timestamp that task has seen
 * on its repartition partition, which interleaves all input partitions in the order the source tasks wrote) passes
 * its end plus the grace; a record for a closed window is dropped. Flink's watermark is the minimum over input
 * partitions, so the same record is on time there.
 *
 * <p>This class is the only user of kafka-streams in the project.
 */
final class KafkaStreamsSeedJob implements AutoCloseable {

    /** One window result: the message, the window, its count. */
    record Result(String key, long windowStart, long windowEnd, long count) { }

    private final KafkaStreams streams;
    /** Input records the source node has seen (before the filter), to know when the input is consumed. */
    private final AtomicLong seen = new AtomicLong();

    /**
     * @param grace   how long after a window's end records are still added (and its final result delayed)
     * @param results called for each final result, on the stream thread
     */
    KafkaStreamsSeedJob(String bootstrap, String applicationId, String inputTopic, String outputTopic, Path stateDir,
                        Duration grace, Consumer<Result> results) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 5_000);
        // One broker: internal topics cannot have Kafka Streams' default of the broker's default (-1 is fine too).
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);

        Serde<Seed> seed = Serdes.serdeFrom(new SeedSerializer(), new SeedDeserializer());
        StreamsBuilder builder = new StreamsBuilder();
        Duration size = Duration.ofSeconds(10);
        Duration advance = Duration.ofSeconds(5);
        builder.stream(inputTopic, Consumed.with(Serdes.Bytes(), seed).withTimestampExtractor(new EventTime()))
                .peek((k, v) -> seen.incrementAndGet())
                .filter((k, v) -> v != null && ("important".equals(v.message) || "critical".equals(v.message)))
                .groupBy((k, v) -> v.message, Grouped.with(Serdes.String(), seed))
                .windowedBy(TimeWindows.ofSizeAndGrace(size, grace).advanceBy(advance))
                .count(Materialized.<String, Long, WindowStore<Bytes, byte[]>>as("seed-counts"))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .peek((w, count) -> results.accept(new Result(w.key(), w.window().start(), w.window().end(), count)))
                .to(outputTopic, Produced.with(WindowedSerdes.timeWindowedSerdeFrom(String.class, size.toMillis()),
                        Serdes.Long()));
        streams = new KafkaStreams(builder.build(), p);
    }

    void start() {
        streams.start();
    }

    /** Input records read so far (every record, kept or not). */
    long seen() {
        return seen.get();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
    }

    /** A parsed event: the two fields the job uses. */
    static final class Seed {
        long timestamp;
        String message;
    }

    private static final class SeedDeserializer implements Deserializer<Seed> {
        private final SeedFields fields = new SeedFields();

        @Override
        public Seed deserialize(String topic, byte[] data) {
            if (data == null) {
                return null;
            }
            try {
                fields.read(data);
            } catch (IOException e) {
                return null; // an unparseable event: dropped by the filter, as the seed job drops it
            }
            Seed s = new Seed();
            s.timestamp = fields.timestamp;
            s.message = fields.message;
            return s;
        }
    }

    /** For the repartition topic: the event as compact JSON again, as a user's JSON serde would write it. */
    private static final class SeedSerializer implements Serializer<Seed> {
        @Override
        public byte[] serialize(String topic, Seed s) {
            if (s == null) {
                return null;
            }
            return ("{\"timestamp\":" + s.timestamp + ",\"message\":\"" + s.message + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Event time from the JSON; a record without one keeps the partition's time, as Kafka Streams suggests. */
    private static final class EventTime implements TimestampExtractor {
        @Override
        public long extract(org.apache.kafka.clients.consumer.ConsumerRecord<Object, Object> record, long partitionTime) {
            Object v = record.value();
            if (v instanceof Seed s && s.timestamp > 0) {
                return s.timestamp;
            }
            return partitionTime < 0 ? record.timestamp() : partitionTime;
        }
    }
}
