package io.flinklite.connector.kafka;

import io.flinklite.api.WindowResult;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointCoordinator;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.graph.ResultEncoder;
import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Exactly-once output: commits each checkpoint's results and its input offsets in one Kafka transaction.
 *
 * <p>The design (docs/checkpoints.md has the whole argument). A checkpoint file is written and fsynced first; it holds
 * the state, the input offsets, and the results fired since the previous checkpoint. Then {@link #commit} opens a
 * transaction, sends those results to the output topic, adds the input offsets to the consumer group with the
 * metadata {@code flinklite-checkpoint=<id>} ({@code sendOffsetsToTransaction}) and commits. The commit is the one
 * atomic decision: after it, Kafka's committed group offsets name the checkpoint whose results are visible to
 * {@code read_committed} consumers. A crash before it leaves a written but uncommitted checkpoint, which recovery
 * commits again ("rolls forward") from the file; the transaction of the crashed process is aborted by
 * {@link #initTransactions()} of the new one, so none of its records ever become visible.
 *
 * <p>Because a transaction is opened only when its checkpoint is complete and lives for one commit, its length does
 * not depend on the checkpoint interval, and {@code transaction.timeout.ms} only has to cover sending one
 * checkpoint's results.
 *
 * <p>Threading: {@link #initTransactions()} and {@link #committedCheckpointId} at startup, on the launching thread;
 * {@link #commit} on the checkpoint writer thread, one at a time.
 */
public final class TransactionalCommitter implements CheckpointCoordinator.Committer, AutoCloseable {

    /** The group whose committed offsets record the checkpoints of a job consuming in {@code sourceGroupId}. */
    public static String commitGroupOf(String sourceGroupId) {
        return sourceGroupId + ".checkpoints";
    }

    /** Prefix of the offset metadata naming the checkpoint a transaction committed. */
    public static final String METADATA_PREFIX = "flinklite-checkpoint=";

    private static final System.Logger LOG = System.getLogger(TransactionalCommitter.class.getName());
    private static final int ATTEMPTS = 3;

    private final KafkaConnection connection;
    private final String transactionalId;
    private final String groupId;
    private final String outputTopic;
    private final String tooLargeTopic;
    private final JobMetrics metrics;
    private final RecordLimits limits;
    private final Producer<byte[], byte[]> producer;

    /**
     * @param transactionalId stable across restarts of this job (and unique among jobs): it is what fences a
     *                        previous incarnation that is still alive
     * @param groupId         the consumer group whose offsets the transactions commit: a group of its own that no
     *                        consumer joins ({@link #commitGroupOf}), so a commit without a member generation is
     *                        accepted and the source's own group (and its rebalances) stays out of the protocol
     * @param outputTopic     where results go; {@code null} when the job has no Kafka output (offsets are still
     *                        committed, so recovery still finds its checkpoint)
     */
    public TransactionalCommitter(KafkaConnection connection, String transactionalId, String groupId, String outputTopic) {
        this(connection, transactionalId, groupId, outputTopic, null, new JobMetrics());
    }

    /**
     * As the short constructor, and:
     *
     * @param tooLargeTopic where a result too large for the output topic or the producer goes, truncated, inside
     *                      the same transaction (see {@link KafkaOutput}); null to fail the checkpoint on it
     * @param metrics       counts results committed and records too large
     */
    public TransactionalCommitter(KafkaConnection connection, String transactionalId, String groupId, String outputTopic,
                                  String tooLargeTopic, JobMetrics metrics) {
        this.connection = connection;
        this.transactionalId = transactionalId;
        this.groupId = groupId;
        this.outputTopic = outputTopic;
        this.tooLargeTopic = tooLargeTopic;
        this.metrics = metrics;
        Properties p = ProducerSettings.transactional(connection, transactionalId);
        this.limits = RecordLimits.of(connection, p, java.util.Arrays.asList(outputTopic, tooLargeTopic));
        this.producer = ProducerSettings.create(p);
    }

    /**
     * Registers the transactional id with the broker: fences any earlier producer with the same id (a zombie of a
     * previous run can no longer commit) and aborts its open transaction. Call once, before
     * {@link #committedCheckpointId} (whose answer is only stable once no transaction of ours is open).
     */
    public void initTransactions() {
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            throw new KafkaConnectorException("cannot initialise transactions for transactional.id '" + transactionalId
                    + "': " + KafkaConnection.rootMessage(e), e);
        }
    }

    /**
     * The id of the last checkpoint whose transaction committed, read from the consumer group's committed offsets
     * for {@code inputTopic}; empty when the group has committed none through FlinkLite.
     *
     * @throws KafkaConnectorException when partitions name different checkpoints (offsets committed by something
     *                                 else) or the broker cannot be asked
     */
    public OptionalLong committedCheckpointId(String inputTopic) {
        return committedCheckpointId(connection, groupId, List.of(inputTopic));
    }

    /** {@link #committedCheckpointId(String)} of a job reading several topics, whose offsets one transaction commits. */
    public OptionalLong committedCheckpointId(Collection<String> inputTopics) {
        return committedCheckpointId(connection, groupId, inputTopics);
    }

    /**
     * As {@link #committedCheckpointId(String)}, without a transactional producer: for a job that switched from
     * exactly-once to at-least-once and needs to know whether its last checkpoint's results were committed.
     */
    public static OptionalLong committedCheckpointId(KafkaConnection connection, String groupId, String inputTopic) {
        return committedCheckpointId(connection, groupId, List.of(inputTopic));
    }

    /**
     * As {@link #committedCheckpointId(KafkaConnection, String, String)}, over the offsets of every topic of
     * {@code inputTopics}: one transaction commits them all, so they must name one checkpoint.
     */
    public static OptionalLong committedCheckpointId(KafkaConnection connection, String groupId,
                                                     Collection<String> inputTopics) {
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try (Admin admin = connection.admin()) {
            long deadline = System.currentTimeMillis() + connection.connectTimeoutMs();
            while (true) {
                offsets = admin.listConsumerGroupOffsets(groupId, new ListConsumerGroupOffsetsOptions().requireStable(true))
                        .partitionsToOffsetAndMetadata().get(connection.connectTimeoutMs(), TimeUnit.MILLISECONDS);
                // A partition without an answer (null) has a transaction's offsets not yet settled, e.g. while a
                // restarted broker completes the commit it had begun: reading on would mistake it for "never
                // committed" and refuse to resume.
                if (!offsets.containsValue(null) || System.currentTimeMillis() > deadline) {
                    break;
                }
                Thread.sleep(200); // waiting for the broker to settle the transaction, no event to wait on
            }
        } catch (ExecutionException e) {
            throw new KafkaConnectorException("cannot read the committed offsets of group '" + groupId + "': "
                    + KafkaConnection.rootMessage(e.getCause()), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new KafkaConnectorException("timed out reading the committed offsets of group '" + groupId + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaConnectorException("interrupted reading committed offsets", e);
        }
        long found = -1;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
            if (!inputTopics.contains(e.getKey().topic()) || e.getValue() == null) {
                continue;
            }
            long id = parseMetadata(e.getValue().metadata());
            if (id < 0) {
                continue;
            }
            if (found >= 0 && found != id) {
                throw new KafkaConnectorException("the committed offsets of group '" + groupId + "' name different checkpoints ("
                        + found + " and " + id + " on " + e.getKey() + "): something other than this job committed them");
            }
            found = id;
        }
        return found < 0 ? OptionalLong.empty() : OptionalLong.of(found);
    }

    /** The checkpoint id in offset metadata, or -1 when the metadata is not ours. */
    static long parseMetadata(String metadata) {
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
            return -1;
        }
        try {
            return Long.parseLong(metadata.substring(METADATA_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The offsets of a checkpoint, with its id as metadata. */
    public static Map<TopicPartition, OffsetAndMetadata> offsetsOf(Checkpoint checkpoint) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        String metadata = METADATA_PREFIX + checkpoint.id();
        for (SourcePosition p : checkpoint.sources()) {
            offsets.put(new TopicPartition(p.topic(), p.partition()), new OffsetAndMetadata(p.nextOffset(), metadata));
        }
        return offsets;
    }

    /**
     * Commits the checkpoint's pending results and its offsets in one transaction. Retries a transaction that
     * failed with an abortable error; rethrows fatal errors (fenced by a newer instance, not authorised).
     */
    @Override
    public void commit(Checkpoint checkpoint) {
        commit(checkpoint, List.of());
    }

    /**
     * As {@link #commit(Checkpoint)}, with {@code snapshotRecords} (the checkpoint itself, as
     * {@link KafkaCheckpointStore} writes it) sent first in the same transaction: the snapshot, its results and its
     * offsets become visible together or not at all.
     */
    void commit(Checkpoint checkpoint, List<ProducerRecord<byte[], byte[]>> snapshotRecords) {
        for (int attempt = 1; ; attempt++) {
            try {
                commitOnce(checkpoint, snapshotRecords, attempt == 1);
                metrics.addResultsWritten(outputTopic == null ? 0 : checkpoint.pendingResults().size());
                return;
            } catch (ProducerFencedException | InvalidProducerEpochException e) {
                throw new KafkaConnectorException("transactional.id '" + transactionalId + "' was taken over by another"
                        + " instance of this job: this one stops (" + e.getMessage() + ")", e);
            } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
                throw new KafkaConnectorException("Kafka transaction failed for checkpoint " + checkpoint.id() + ": "
                        + KafkaConnection.rootMessage(e), e);
            } catch (KafkaConnectorException e) {
                // A result that can never be written: retrying cannot help.
                abortQuietly();
                throw e;
            } catch (KafkaException e) {
                abortQuietly();
                if (attempt >= ATTEMPTS) {
                    throw new KafkaConnectorException("Kafka transaction for checkpoint " + checkpoint.id() + " failed "
                            + ATTEMPTS + " times: " + KafkaConnection.rootMessage(e), e);
                }
                LOG.log(System.Logger.Level.WARNING, "transaction for checkpoint " + checkpoint.id() + " aborted ("
                        + KafkaConnection.rootMessage(e) + "); retrying");
            }
        }
    }

    /** One transaction; {@code count} on the first attempt only, so a retried checkpoint is counted once. */
    private void commitOnce(Checkpoint checkpoint, List<ProducerRecord<byte[], byte[]>> snapshotRecords, boolean count) {
        producer.beginTransaction();
        for (ProducerRecord<byte[], byte[]> r : snapshotRecords) {
            producer.send(r);
        }
        if (outputTopic != null) {
            for (WindowResult r : checkpoint.pendingResults()) {
                sendResult(ResultEncoder.WINDOW_RESULTS.key(r), ResultEncoder.WINDOW_RESULTS.value(r), count);
            }
            for (io.flinklite.runtime.checkpoint.EncodedResult r : checkpoint.pendingRecords()) {
                sendResult(r.key() == null ? null : r.key().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8), count);
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = offsetsOf(checkpoint);
        if (!offsets.isEmpty()) {
            // No member generation: no consumer ever joins the commit group; zombies are fenced by transactional.id.
            // (A checkpoint taken before any record was read has no offsets, and no results to commit either;
            // recovery then simply commits it again, harmlessly.)
            producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(groupId));
        }
        producer.commitTransaction();
    }

    /** One pending result to the output topic, or truncated to the too-large topic when the broker would refuse it. */
    private void sendResult(byte[] key, byte[] value, boolean count) {
        String tooLarge = limits.tooLarge(outputTopic, key == null ? 0 : key.length, value.length, 0, 0);
        if (tooLarge == null) {
            producer.send(new ProducerRecord<>(outputTopic, key, value));
            return;
        }
        if (count) {
            metrics.addOutputRecordsTooLarge(1);
        }
        ProducerRecord<byte[], byte[]> truncated = tooLargeTopic == null ? null
                : KafkaOutput.truncatedDeadLetter(tooLargeTopic, outputTopic, key, value, null, tooLarge, limits);
        if (truncated == null) {
            throw KafkaOutput.neverWritable(outputTopic, tooLarge, tooLargeTopic);
        }
        producer.send(truncated);
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            LOG.log(System.Logger.Level.DEBUG, "abort after a failed transaction failed too: " + e.getMessage());
        }
    }

    /** The producer, for tests that simulate a crashed instance's open transaction. */
    Producer<byte[], byte[]> producerForTest() {
        return producer;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
