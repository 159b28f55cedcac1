package io.flinklite.connector.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;

/**
 * The idempotent producer that {@link KafkaCheckpointStore}s write their snapshots with under at-least-once, made on
 * the first write. A scaled-out instance opens a store per task it is assigned: one {@code CheckpointProducer} shared
 * by them all spares each task a producer of its own (its connections, metadata and producer-id round trips, its
 * sender thread), as the instance's tasks already share its one transactional producer under exactly-once.
 *
 * <p>A store given a shared producer does not close it: its owner does, after every store that uses it is closed.
 *
 * <p>Threading: used by one thread at a time (the stores of a job write from its task thread).
 */
public final class CheckpointProducer implements AutoCloseable {

    private final KafkaConnection connection;
    private Producer<byte[], byte[]> producer;

    public CheckpointProducer(KafkaConnection connection) {
        this.connection = java.util.Objects.requireNonNull(connection, "connection");
    }

    /** The checkpoint producer's settings (idempotent, {@code acks=all}), which also bound a store's chunk size. */
    static java.util.Properties settings(KafkaConnection connection) {
        return ProducerSettings.idempotent(connection, "flinklite-checkpoints");
    }

    /** The producer, made on the first call. */
    Producer<byte[], byte[]> producer() {
        if (producer == null) {
            try {
                producer = new KafkaProducer<>(settings(connection), new ByteArraySerializer(),
                        new ByteArraySerializer());
            } catch (KafkaException e) {
                throw new KafkaConnectorException("bad Kafka producer configuration: " + KafkaConnection.rootMessage(e), e);
            }
        }
        return producer;
    }

    /** Closes the producer, if one was made, waiting up to 10 s for what it still holds. */
    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
            producer = null;
        }
    }
}
