package io.flinklite.connector.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.Properties;

/**
 * The one place FlinkLite's producers are configured and created: the idempotent output producer
 * ({@link KafkaOutput}), the transactional one ({@link TransactionalCommitter}) and the simulator's
 * ({@link Simulator}) start from the same choices, so a guarantee, a bounded block or a user's pass-through property
 * cannot hold for one and silently not for another.
 */
final class ProducerSettings {
    private ProducerSettings() {
    }

    /** The output producer's {@code linger.ms} when the user sets none; see {@link #idempotent}. */
    static final int OUTPUT_LINGER_MS = 0;
    /** The transactional producer's {@code linger.ms}: it sends one checkpoint's results at once, so batching helps. */
    static final int TRANSACTIONAL_LINGER_MS = 5;

    /**
     * The idempotent output producer: the connection's properties, then FlinkLite's choices.
     *
     * @param clientId its {@code client.id} unless the user set one
     */
    static Properties idempotent(KafkaConnection connection, String clientId) {
        Properties p = common(connection, clientId);
        // Send at once: results are what users wait for (issue 6: p99 <= 20 ms after the watermark passes a window
        // end), and a linger of 20 ms put 20 ms on every result (bin/bench latency: p50 22 ms with 20, 3 ms with 0).
        // Bursts still batch: records queue up while earlier requests are in flight.
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, OUTPUT_LINGER_MS);
        return p;
    }

    /**
     * The {@code linger.ms} of a scaled-out at-least-once instance's producer when the user sets none; see
     * {@link #scaleOutIdempotent}.
     */
    static final int SCALE_OUT_LINGER_MS = 5;

    /**
     * The idempotent producer of a scaled-out at-least-once instance ({@code run --scale-out}): as
     * {@link #idempotent}, but lingering {@value #SCALE_OUT_LINGER_MS} ms, as the exactly-once instance's producer
     * does ({@link #TRANSACTIONAL_LINGER_MS}) and as Kafka's own default since 4.0. Why: its source tasks each write a
     * few records (a partial per key, a marker per repartition partition) whenever their watermark closes a pane,
     * and without a linger each such burst went out as a produce request of its own, acknowledged (acks=all) and
     * fetched back: 3,900 requests for 15,000 records per 5 M events of {@code bin/bench scaleout}, which cost the
     * broker and the producer's network thread about a third more CPU than the whole fused job's Kafka side (see
     * docs/performance.md, issue 12). With 5 ms, 250. The price: a shuffled record, and a result, wait up to 5 ms
     * longer before they are sent.
     */
    static Properties scaleOutIdempotent(KafkaConnection connection, String clientId) {
        Properties p = common(connection, clientId);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, SCALE_OUT_LINGER_MS);
        return p;
    }

    /** The transactional producer of exactly-once output, registered under {@code transactionalId}. */
    static Properties transactional(KafkaConnection connection, String transactionalId) {
        Properties p = common(connection, "flinklite-transactional");
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, TRANSACTIONAL_LINGER_MS);
        return p;
    }

    /**
     * The {@code transaction.timeout.ms} of a scaled-out exactly-once instance's producer, unless its checkpoint
     * interval needs more ({@link #scaleOutTransactional}). Why this value (Kafka Streams' EOS default too): the
     * transaction of an instance killed mid-checkpoint stays open until the broker times it out, and until then every
     * {@code read_committed} reader of a partition it wrote (the repartition topic, the output, the checkpoint topic)
     * stops at that transaction's first record (the last stable offset). Shorter stalls the survivors less; it must
     * still cover one checkpoint interval, which is how long a live instance's transaction stays open.
     */
    static final int SCALE_OUT_TRANSACTION_TIMEOUT_MS = 10_000;

    /**
     * The one transactional producer of a scaled-out exactly-once instance ({@link KafkaOutput#transactional}):
     * every write of the instance goes into the transaction that the next checkpoint commits, so a transaction is
     * open for a whole checkpoint interval, and {@code transaction.timeout.ms} is the larger of
     * {@link #SCALE_OUT_TRANSACTION_TIMEOUT_MS} and twice the interval (a user's {@code --kafka-property} wins).
     */
    static Properties scaleOutTransactional(KafkaConnection connection, String transactionalId, long checkpointIntervalMs) {
        Properties p = transactional(connection, transactionalId);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, connection.clientProperties().getOrDefault(ProducerConfig.CLIENT_ID_CONFIG,
                "flinklite-" + transactionalId));
        p.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                (int) Math.min(Integer.MAX_VALUE, Math.max(SCALE_OUT_TRANSACTION_TIMEOUT_MS, 2 * checkpointIntervalMs)));
        return p;
    }

    /**
     * The simulator's producer: as the others (a user's {@code --kafka-property} wins where it may), batching a
     * little, since it sends test traffic as fast as asked rather than results someone waits for.
     */
    static Properties simulator(KafkaConnection connection) {
        Properties p = common(connection, "flinklite-simulator");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, SIMULATOR_LINGER_MS);
        return p;
    }

    /** The simulator producer's {@code linger.ms} when the user sets none. */
    static final int SIMULATOR_LINGER_MS = 5;

    /**
     * A byte-array producer with these properties.
     *
     * @throws KafkaConnectorException with one line when Kafka refuses a property
     */
    static KafkaProducer<byte[], byte[]> create(Properties p) {
        try {
            return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka producer configuration: " + KafkaConnection.rootMessage(e), e);
        }
    }

    private static Properties common(KafkaConnection connection, String clientId) {
        Properties p = connection.clientProperties();
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        // Nothing counts as written before every in-sync replica has it, and producer retries neither lose nor
        // duplicate records: these are not the user's to weaken.
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // A broker that goes away must not block the task thread forever.
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, connection.connectTimeoutMs()));
        return p;
    }

    /** The {@code max.request.size} these properties give a producer (Kafka's default when unset). */
    static int maxRequestSize(Properties p) {
        return intSetting(p, ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
    }

    /** The {@code buffer.memory} these properties give a producer: no record larger than it can be sent either. */
    static long bufferMemory(Properties p) {
        Object v = p.get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        Object value = v != null ? v : ProducerConfig.configDef().defaultValues().get(ProducerConfig.BUFFER_MEMORY_CONFIG);
        return Long.parseLong(value.toString().trim());
    }

    /** True when these properties make the producer compress batches. */
    static boolean compressed(Properties p) {
        Object v = p.get(ProducerConfig.COMPRESSION_TYPE_CONFIG);
        return v != null && !"none".equalsIgnoreCase(v.toString().trim());
    }

    private static int intSetting(Properties p, String key) {
        Object v = p.get(key);
        Object value = v != null ? v : ProducerConfig.configDef().defaultValues().get(key);
        try {
            return Integer.parseInt(value.toString().trim());
        } catch (NumberFormatException e) {
            throw new KafkaConnectorException("bad Kafka producer configuration: " + key + "=" + value + " is not a number", e);
        }
    }
}
