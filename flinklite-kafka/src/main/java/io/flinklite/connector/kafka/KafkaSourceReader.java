package io.flinklite.connector.kafka;

import io.flinklite.runtime.task.PartitionListener;
import io.flinklite.runtime.task.RecordBatch;
import io.flinklite.runtime.task.SourceReader;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The engine's {@link SourceReader} on one Kafka topic, in a consumer group.
 *
 * <p>Partitions: the engine keeps one watermark per input partition, identified by the Kafka partition number (one
 * topic, so the number is unique). Group assignments and revocations reach the engine's {@link PartitionListener}
 * from inside {@link #poll}, on the task thread: an assignment before the partition's first record, a revocation
 * after its last. A revocation also commits the partitions' positions, so the next owner starts where this one
 * stopped.
 *
 * <p>Records: each value goes into the batch as it is, without a copy and without parsing; the engine classifies what
 * it cannot use (not JSON, missing fields, oversized, absurd timestamps) and hands it to a dead-letter handler. A
 * record with no value (a tombstone) enters the batch with an empty payload, which the engine rejects as not JSON.
 * {@link #keyOf} gives the key of a record of the current batch, so a dead letter can be forwarded with its key.
 *
 * <p>Offsets: never committed automatically. The runtime calls {@link #commit()} when everything polled so far is
 * accounted for (results flushed, or a checkpoint written). A group without committed offsets starts from
 * {@link StartFrom#EARLIEST} by default, as Flink's Kafka source does.
 *
 * <p>Threading: every method but {@link #wakeup()} is called on the task thread only; {@link #wakeup()} may be
 * called from any thread (a signal handler) to make a blocked {@link #poll} return at once.
 */
public final class KafkaSourceReader implements SourceReader {

    private volatile String memberId = "";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);
    private static final byte[] EMPTY = new byte[0];

    /** Where a new consumer group starts. */
    public enum StartFrom { EARLIEST, LATEST }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final TreeSet<Integer> assigned = new TreeSet<>();
    private final Map<Integer, Long> restoredPositions = new HashMap<>();
    private PartitionListener listener;
    private Runnable beforeRevokeCommit = () -> { };
    private boolean subscribed;
    // The records of the current batch, for keyOf(): dead letters arrive in batch order, so a cursor finds them.
    private ConsumerRecord<byte[], byte[]>[] current = newArray(0);
    private int currentSize;
    private int keyCursor;

    /**
     * Creates the consumer; nothing is read before the first {@link #poll}.
     *
     * @param connection the cluster
     * @param topic      the input topic; check it exists first ({@link KafkaConnection#partitionCount}), since a
     *                   consumer waits for a missing topic forever
     * @param groupId    the consumer group, {@code flinklite} by default
     * @param startFrom  where a group without committed offsets starts
     * @throws KafkaConnectorException when a pass-through property is rejected
     */
    public KafkaSourceReader(KafkaConnection connection, String topic, String groupId, StartFrom startFrom) {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startFrom == StartFrom.EARLIEST ? "earliest" : "latest");
        // The runtime commits when results are durable; auto-commit would commit records whose windows never fired.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "flinklite-source");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        // Records of aborted transactions must never reach a window.
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try {
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka consumer configuration: " + KafkaConnection.rootMessage(e), e);
        }
        this.topic = topic;
    }

    @Override
    public void restorePositions(Map<Integer, Long> nextOffsets) {
        restoredPositions.putAll(nextOffsets);
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener partitionListener, long timeoutMs) {
        if (!subscribed) {
            subscribe();
            subscribed = true;
        }
        // The rebalance callbacks run inside consumer.poll and report to the listener of this call.
        this.listener = partitionListener;
        ConsumerRecords<byte[], byte[]> records;
        try {
            records = consumer.poll(Duration.ofMillis(timeoutMs));
        } catch (WakeupException e) {
            currentSize = 0;
            return true;
        }
        int n = records.count();
        if (current.length < n) {
            current = newArray(Math.max(n, current.length * 2));
        }
        currentSize = 0;
        keyCursor = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            current[currentSize++] = r;
            byte[] value = r.value();
            batch.add(r.partition(), r.offset(), value == null ? EMPTY : value);
        }
        return true;
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revoke(partitions);
                try {
                    beforeRevokeCommit.run();
                    commit();
                } catch (RuntimeException e) {
                    LOG.warn("flushing output and committing offsets before a rebalance failed; records since the last"
                            + " commit will be read again: {}", KafkaConnection.rootMessage(e));
                }
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Another member owns them already: a commit would be rejected; the engine just forgets them.
                revoke(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The one moment the member id is known and the consumer may be asked on this thread.
                memberId = consumer.groupMetadata().memberId();
                for (TopicPartition tp : partitions) {
                    Long restored = restoredPositions.remove(tp.partition());
                    if (restored != null) {
                        consumer.seek(tp, restored);
                    }
                    if (assigned.add(tp.partition())) {
                        listener.partitionAssigned(tp.partition());
                    }
                }
                if (!partitions.isEmpty()) {
                    LOG.info("assigned partitions {} of {}", partitionNumbers(partitions), topic);
                }
            }
        });
    }

    private void revoke(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            if (assigned.remove(tp.partition()) && listener != null) {
                listener.partitionRevoked(tp.partition());
            }
        }
        if (!partitions.isEmpty()) {
            LOG.info("revoked partitions {} of {}", partitionNumbers(partitions), topic);
        }
    }

    private static List<Integer> partitionNumbers(Collection<TopicPartition> partitions) {
        List<Integer> numbers = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            numbers.add(tp.partition());
        }
        numbers.sort(null);
        return numbers;
    }

    /**
     * The key of the record at {@code partition}/{@code offset} in the batch of the last {@link #poll}; null when it
     * has none or is not in that batch. Cheap when asked in batch order, as the engine reports dead letters.
     */
    public byte[] keyOf(int partition, long offset) {
        for (int scanned = 0; scanned < currentSize; scanned++) {
            int i = (keyCursor + scanned) % currentSize;
            ConsumerRecord<byte[], byte[]> r = current[i];
            if (r.partition() == partition && r.offset() == offset) {
                keyCursor = i;
                return r.key();
            }
        }
        return null;
    }

    @Override
    public String topicOf(int partition) {
        return topic;
    }

    @Override
    public long lag(int partition) {
        OptionalLong lag = consumer.currentLag(new TopicPartition(topic, partition));
        return lag.isPresent() ? lag.getAsLong() : -1;
    }

    /**
     * This consumer's member id in its group, as of the last assignment; empty before the first. Any thread (the web
     * UI uses it to tell this instance among the group's members).
     */
    public String memberId() {
        return memberId;
    }

    /** The topic this reader consumes. */
    public String topic() {
        return topic;
    }

    /** The partitions this instance owns now, ascending. */
    public int[] assignedPartitions() {
        int[] out = new int[assigned.size()];
        int i = 0;
        for (int p : assigned) {
            out[i++] = p;
        }
        return out;
    }

    /**
     * Commits the current position of every assigned partition: everything polled so far counts as processed.
     *
     * @throws KafkaConnectorException when the commit fails (for example the group rebalanced meanwhile)
     */
    public void commit() {
        commit(currentPositions());
    }

    /**
     * Commits the given next-offsets (partition -> offset of the next record to read), e.g. a checkpoint's positions.
     *
     * @throws KafkaConnectorException when the commit fails
     */
    public void commit(Map<Integer, Long> nextOffsets) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<Integer, Long> e : nextOffsets.entrySet()) {
            offsets.put(new TopicPartition(topic, e.getKey()), new OffsetAndMetadata(e.getValue()));
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            // A stop request raced with the commit; the stop is handled by the loop, the commit is retried once.
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            throw new KafkaConnectorException("committing offsets of " + topic + " failed: " + KafkaConnection.rootMessage(e), e);
        }
    }

    /** The position (offset of the next record to read) of every assigned partition. */
    public Map<Integer, Long> currentPositions() {
        Map<Integer, Long> positions = new HashMap<>();
        for (int p : assigned) {
            positions.put(p, consumer.position(new TopicPartition(topic, p)));
        }
        return positions;
    }

    /**
     * Work to do before the offsets of revoked partitions are committed, typically flushing the output so that no
     * committed record's results are still in flight. Runs on the task thread, inside {@link #poll} or {@link #close()}.
     */
    public void beforeRevokeCommit(Runnable flush) {
        this.beforeRevokeCommit = java.util.Objects.requireNonNull(flush, "flush");
    }

    /** Makes a blocked or the next {@link #poll} return at once (with an empty batch). Any thread. */
    public void wakeup() {
        consumer.wakeup();
    }

    /**
     * Leaves the group, so its partitions move to other members at once, and closes the consumer within 5 s. Leaving
     * revokes the partitions, which commits their positions.
     */
    @Override
    public void close() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        } catch (KafkaException e) {
            LOG.warn("closing the Kafka consumer: {}", KafkaConnection.rootMessage(e));
        }
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<byte[], byte[]>[] newArray(int n) {
        return (ConsumerRecord<byte[], byte[]>[]) new ConsumerRecord<?, ?>[n];
    }
}
