package io.flinklite.connector.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Tells, before a record is sent, whether Kafka can ever accept it: a record over the producer's
 * {@code max.request.size} (or {@code buffer.memory}) or, in a batch of its own, over its topic's
 * {@code max.message.bytes} is refused on every attempt, so it must be handled (stop, or dead-letter it truncated)
 * rather than sent and lost.
 *
 * <p>The sizes are those of Kafka's record format v2 (KIP-98), computed here rather than taken from the client's
 * {@code record.internal} package, which is not public API: a record is a length varint, one attributes byte, the
 * timestamp and offset deltas (one byte each for the first record of a batch), the key and value with varint lengths,
 * and the headers; a batch adds {@value #BATCH_OVERHEAD} bytes. The producer checks the same upper bound
 * ({@value #MAX_RECORD_OVERHEAD} bytes of record overhead) against {@code max.request.size}. A compressed batch can be
 * smaller than these sizes, so with {@code compression.type} set only the producer's own limit is checked here; the
 * broker's refusal of a compressed record still stops the job through the send callback.
 *
 * <p>Immutable once built; {@link #tooLarge} allocates nothing unless the record is too large.
 */
final class RecordLimits {
    private static final Logger LOG = LoggerFactory.getLogger(RecordLimits.class);

    /** Bytes a v2 record batch adds to its records. */
    static final int BATCH_OVERHEAD = 61;
    /** The producer's upper bound on a record's framing: length (5), attributes (1), timestamp (10), offset (5). */
    static final int MAX_RECORD_OVERHEAD = 21;

    private final int maxRequestSize;
    private final long bufferMemory;
    private final boolean compressed;
    private final Map<String, Integer> maxMessageBytes;

    RecordLimits(int maxRequestSize, long bufferMemory, boolean compressed, Map<String, Integer> maxMessageBytes) {
        this.maxRequestSize = maxRequestSize;
        this.bufferMemory = bufferMemory;
        this.compressed = compressed;
        this.maxMessageBytes = Map.copyOf(maxMessageBytes);
    }

    /**
     * The limits of a producer with {@code producerProperties} writing to {@code topics}, whose
     * {@code max.message.bytes} are read from the cluster. When they cannot be read (no permission to describe
     * configs), only the producer's limits are checked, and a broker's refusal stops the job instead.
     */
    static RecordLimits of(KafkaConnection connection, Properties producerProperties, Collection<String> topics) {
        try (Admin admin = connection.admin()) {
            return of(connection, admin, producerProperties, topics);
        }
    }

    /** {@link #of(KafkaConnection, Properties, Collection)} with {@code admin}, which the caller closes. */
    static RecordLimits of(KafkaConnection connection, Admin admin, Properties producerProperties,
                           Collection<String> topics) {
        Map<String, Integer> limits = new HashMap<>();
        List<ConfigResource> resources = new ArrayList<>();
        for (String t : topics) {
            if (t != null) {
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            }
        }
        if (!resources.isEmpty()) {
            try {
                Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                        .get(connection.connectTimeoutMs(), TimeUnit.MILLISECONDS);
                configs.forEach((resource, config) -> {
                    ConfigEntry e = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                    if (e != null && e.value() != null) {
                        limits.put(resource.name(), Integer.parseInt(e.value()));
                    }
                });
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.warn("cannot read max.message.bytes of {} ({}); records too large for a topic will stop the job"
                        + " when the broker refuses them", topics, KafkaConnection.rootMessage(e));
            }
        }
        return new RecordLimits(ProducerSettings.maxRequestSize(producerProperties),
                ProducerSettings.bufferMemory(producerProperties), ProducerSettings.compressed(producerProperties), limits);
    }

    /**
     * Why a record cannot be written, or null when it can.
     *
     * @param keyLength    key bytes, -1 for a null key
     * @param valueLength  value bytes, -1 for a null value
     * @param headerBytes  the headers' encoded size, {@link #headerSize} summed
     * @param headerCount  how many headers
     */
    String tooLarge(String topic, int keyLength, int valueLength, int headerBytes, int headerCount) {
        int fields = fieldsSize(keyLength, valueLength, headerBytes, headerCount);
        long upperBound = (long) BATCH_OVERHEAD + MAX_RECORD_OVERHEAD + fields;
        if (upperBound > maxRequestSize) {
            return upperBound + " bytes, over the producer's max.request.size of " + maxRequestSize;
        }
        if (upperBound > bufferMemory) {
            return upperBound + " bytes, over the producer's buffer.memory of " + bufferMemory;
        }
        Integer topicLimit = compressed ? null : maxMessageBytes.get(topic);
        if (topicLimit != null) {
            int body = 3 + fields; // attributes, timestamp delta 0, offset delta 0
            long batch = (long) BATCH_OVERHEAD + varintSize(body) + body;
            if (batch > topicLimit) {
                return batch + " bytes, over the max.message.bytes of " + topicLimit + " of topic '" + topic + "'";
            }
        }
        return null;
    }

    /**
     * The largest value a record of this key and headers can carry to {@code topic} uncompressed, within the
     * producer's limits and the topic's {@code max.message.bytes} (checked even when the producer compresses: a
     * chunk must fit whatever compression achieves); 0 when not even an empty value fits.
     */
    int largestValue(String topic, int keyLength, int headerBytes, int headerCount) {
        int low = 0;
        int high = (int) Math.min(Integer.MAX_VALUE - 64, Math.min(maxRequestSize, bufferMemory));
        RecordLimits uncompressed = compressed ? new RecordLimits(maxRequestSize, bufferMemory, false, maxMessageBytes) : this;
        if (uncompressed.tooLarge(topic, keyLength, 0, headerBytes, headerCount) != null) {
            return 0;
        }
        while (low < high) {
            int mid = low + (high - low + 1) / 2;
            if (uncompressed.tooLarge(topic, keyLength, mid, headerBytes, headerCount) == null) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** The encoded size of one header with an ASCII name. */
    static int headerSize(String asciiName, byte[] value) {
        return varintSize(asciiName.length()) + asciiName.length()
                + (value == null ? varintSize(-1) : varintSize(value.length) + value.length);
    }

    private static int fieldsSize(int keyLength, int valueLength, int headerBytes, int headerCount) {
        return varintSize(keyLength) + Math.max(0, keyLength) + varintSize(valueLength) + Math.max(0, valueLength)
                + varintSize(headerCount) + headerBytes;
    }

    /** Bytes of a zig-zag varint, as Kafka encodes lengths. */
    static int varintSize(int value) {
        int v = (value << 1) ^ (value >> 31);
        int bytes = 1;
        while ((v & 0xffffff80) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }
}
