package io.flinklite.connector.kafka;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.task.DeadLetterHandler;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything the job writes to Kafka goes through this one class: window results, late events, dead letters. They
 * share one idempotent producer ({@code acks=all}), so one {@link #flush()} makes all of them durable, in the order
 * the task thread wrote them.
 *
 * <p>Producer wiring lives only here so that exactly-once output (a transactional producer whose transaction
 * commits with the checkpoint) can be added in one place: {@link #producerProperties} builds the configuration and
 * {@link #producer()} exposes the producer to that code.
 *
 * <p>Threading: {@code write}, {@code forward} and {@link #flush()} are called by the job's task thread only. Send
 * failures arrive on the producer's I/O thread; they are counted and the first one is rethrown by the next
 * {@link #flush()}, so a failed write is never lost silently.
 *
 * <p>Headers of forwarded records (late and dead letters), all UTF-8 strings:
 * {@value #HEADER_REASON} (why: {@code late}, {@code not_json}, {@code oversized}, ...),
 * {@value #HEADER_TOPIC}, {@value #HEADER_PARTITION}, {@value #HEADER_OFFSET} (where the record was read).
 */
public final class KafkaOutput implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutput.class);

    public static final String HEADER_REASON = "flinklite.reason";
    public static final String HEADER_TOPIC = "flinklite.source.topic";
    public static final String HEADER_PARTITION = "flinklite.source.partition";
    public static final String HEADER_OFFSET = "flinklite.source.offset";

    private final Producer<byte[], byte[]> producer;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final Callback callback = (metadata, exception) -> {
        if (exception != null) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, exception);
        }
    };

    /**
     * @param connection the cluster
     * @param clientId   the producer's {@code client.id}, shown in broker logs and quotas
     * @throws KafkaConnectorException when a pass-through property is rejected
     */
    public KafkaOutput(KafkaConnection connection, String clientId) {
        try {
            this.producer = new KafkaProducer<>(producerProperties(connection, clientId),
                    new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka producer configuration: " + KafkaConnection.rootMessage(e), e);
        }
    }

    /** The configuration of the output producer: the connection's properties, then FlinkLite's choices. */
    static Properties producerProperties(KafkaConnection connection, String clientId) {
        Properties p = connection.clientProperties();
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // Results must not be lost or duplicated by producer retries.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Send at once: results are what users wait for (issue 6: p99 <= 20 ms after the watermark passes a window
        // end), and a linger of 20 ms put 20 ms on every result (bin/bench latency: p50 22 ms with 20, 3 ms with 0).
        // Bursts still batch: records queue up while earlier requests are in flight.
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A broker that goes away must not block the task thread forever.
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, connection.connectTimeoutMs()));
        return p;
    }

    /** The shared producer, for code that extends the output (transactions). Task thread only. */
    public Producer<byte[], byte[]> producer() {
        return producer;
    }

    /**
     * A sink that writes each result to {@code topic} as the {@code replay} JSON line, keyed by the window key.
     * {@link Sink#flush()} waits for the broker's acknowledgement of everything written; {@link Sink#close()} flushes
     * but leaves the shared producer to {@link #close()}.
     */
    public Sink<WindowResult> resultSink(String topic) {
        return new ResultSink(topic);
    }

    /**
     * Forwards a record unchanged (key, value) to {@code topic} with the reason and its origin in headers.
     *
     * @param reason why: {@code late} or an invalid reason label
     */
    public void forward(String topic, byte[] key, byte[] value, String reason, String sourceTopic, int sourcePartition,
                        long sourceOffset) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(HEADER_REASON, utf8(reason));
        headers.add(HEADER_TOPIC, utf8(sourceTopic));
        headers.add(HEADER_PARTITION, utf8(Integer.toString(sourcePartition)));
        headers.add(HEADER_OFFSET, utf8(Long.toString(sourceOffset)));
        send(new ProducerRecord<>(topic, null, null, key, value, headers));
    }

    /**
     * A sink for late events (later than the allowed lateness): each goes to {@code topic} unchanged, with the
     * header {@value #HEADER_REASON}{@code =late}.
     */
    public Sink<byte[]> lateSink(String topic) {
        return new SharedProducerSink<>() {
            @Override
            public void write(byte[] event) {
                RecordHeaders headers = new RecordHeaders();
                headers.add(HEADER_REASON, LATE);
                send(new ProducerRecord<>(topic, null, null, null, event, headers));
            }
        };
    }

    /**
     * The engine's dead-letter handler for records read by {@code reader}: logs each (rate-limited) with its topic,
     * partition, offset and reason, and forwards it unchanged, with its key, to {@code topic} when that is not null.
     *
     * @param topic the dead-letter topic, or null to log only (the engine counts dead letters either way)
     */
    public DeadLetterHandler deadLetters(String topic, KafkaSourceReader reader) {
        RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
        return (partition, offset, payload, payloadOffset, payloadLength, reason, detail) -> {
            if (log.allow(System.currentTimeMillis())) {
                log.warn("invalid record " + reader.topic() + "/" + partition + "@" + offset + " [" + reason.label()
                        + "]: " + detail + (topic == null ? "" : " (forwarded to " + topic + ")"));
            }
            if (topic != null) {
                // A tombstone stays a tombstone (null), so the dead letter shows exactly what arrived.
                byte[] value = payload == null || (payloadOffset == 0 && payloadLength == payload.length)
                        ? payload : Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
                forward(topic, reader.keyOf(partition, offset), value, reason.label(), reader.topic(), partition, offset);
            }
        };
    }

    private void send(ProducerRecord<byte[], byte[]> record) {
        try {
            producer.send(record, callback);
        } catch (KafkaException e) {
            failures.incrementAndGet();
            firstFailure.compareAndSet(null, e);
        }
    }

    /**
     * Blocks until the broker acknowledged everything sent so far.
     *
     * @throws KafkaConnectorException when any send since the last flush failed, naming the first failure
     */
    public void flush() {
        producer.flush();
        Exception failure = firstFailure.getAndSet(null);
        if (failure != null) {
            throw new KafkaConnectorException("writing to Kafka failed: " + KafkaConnection.rootMessage(failure), failure);
        }
    }

    /** Sends that failed since this output was created. */
    public long failures() {
        return failures.get();
    }

    /** Flushes what is in flight (up to 10 s) and closes the producer. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }

    private static final byte[] LATE = utf8("late");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A sink on the shared producer: flushing it flushes the whole output; closing it flushes but leaves the
     * producer open for the other sinks ({@link KafkaOutput#close()} closes it).
     */
    private abstract class SharedProducerSink<T> implements Sink<T> {
        @Override
        public void flush() {
            KafkaOutput.this.flush();
        }

        @Override
        public void close() {
            KafkaOutput.this.flush();
        }
    }

    private final class ResultSink extends SharedProducerSink<WindowResult> {
        private final String topic;
        private final StringBuilder json = new StringBuilder(128);

        ResultSink(String topic) {
            this.topic = topic;
        }

        @Override
        public void write(WindowResult result) {
            json.setLength(0);
            result.appendJson(json);
            send(new ProducerRecord<>(topic, WindowResult.keyBytes(result.key()), utf8(json.toString())));
        }

        @Override
        public String toString() {
            return "kafka:" + topic;
        }
    }
}
