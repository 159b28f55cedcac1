package io.flinklite.connector.kafka;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.checkpoint.CheckpointCoordinator;
import io.flinklite.runtime.graph.ResultEncoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OriginSink;
import io.flinklite.runtime.operator.RecordContext;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.InvalidReason;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Everything the job writes to Kafka outside the fused path's checkpoint transactions goes through this one class:
 * window results, late events, dead letters, repartition records. They share one idempotent producer
 * ({@code acks=all}), so one {@link #flush()} makes all of them durable, in the order the task thread wrote them. The
 * producer's configuration is {@link ProducerSettings}'. A scaled-out exactly-once instance uses the
 * {@link #transactional} form: the same writes, into one open Kafka transaction per checkpoint.
 *
 * <p>A write is done only when Kafka acknowledged it. A send that fails (the producer already retried what can be
 * retried, up to {@code delivery.timeout.ms}) makes this output <em>failed</em> for good: {@link #flush()} and
 * {@link #checkWrites()} throw, naming the topic and the cause, on every later call, and nothing more is sent. A
 * checkpoint or offset commit always flushes first, so no offset is ever committed past a record that was not
 * written, and the job stops; it resumes from its last commit when started again.
 *
 * <p>Records Kafka can never accept (see {@link RecordLimits}) are caught before they are sent, on the task thread:
 * counted ({@link JobMetrics#outputRecordsTooLarge()}) and, by default, a failure as above. With a too-large
 * dead-letter topic (flag {@code --too-large-to-dead-letter}) such a record goes there instead, key and value cut to
 * {@value #TRUNCATED_BYTES} bytes each, with the headers {@value #HEADER_REASON}{@code =too_large},
 * {@value #HEADER_ERROR} (the limit it broke), {@value #HEADER_TARGET} (where it was going) and its original headers
 * (a dead letter's reason renamed {@value #HEADER_ORIGINAL_REASON}).
 *
 * <p>Threading: {@code write}, {@code forward}, {@link #flush()} and {@link #checkWrites()} are called by the job's
 * task thread only. Send outcomes arrive on the producer's I/O thread.
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
    /** Of a record too large to write: which limit it exceeded, and by how much. */
    public static final String HEADER_ERROR = "flinklite.error";
    /** Of a record too large to write: the topic it was meant for. */
    public static final String HEADER_TARGET = "flinklite.target.topic";
    /** Of a dead letter that was itself too large: its original reason. */
    public static final String HEADER_ORIGINAL_REASON = "flinklite.original.reason";
    /** The reason of a record too large to write. */
    public static final String REASON_TOO_LARGE = "too_large";
    /** How many bytes of a too-large record's key and of its value its dead letter keeps. */
    public static final int TRUNCATED_BYTES = 1024;

    /** Replaced only by {@link #registerAgainIfRetired} (a transactional output's producer the broker timed out). */
    private Producer<byte[], byte[]> producer;
    /**
     * Set when {@link #retireProducer} closed a producer the broker timed out; the next {@link #registerAgainIfRetired}
     * (after the consumer's next poll, or at the next write) replaces it.
     */
    private boolean retired;
    /** The producer's settings, to make its successor with ({@link #registerAgainIfRetired}). */
    private final Properties producerSettings;
    private final RecordLimits limits;
    private final String tooLargeTopic;
    private final JobMetrics metrics;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicReference<KafkaConnectorException> failure = new AtomicReference<>();
    private final RateLimitedLog tooLargeLog = new RateLimitedLog(LOG, 10_000);
    private final Callback callback = this::completed;
    /** The transactional id of {@link #transactional}; null for the idempotent output. */
    private final String transactionalId;
    /** The first failed write of the open transaction ({@link #transactional} only); cleared when it is aborted. */
    private final AtomicReference<Exception> transactionFailure = new AtomicReference<>();
    /** The producer's {@code transaction.timeout.ms} ({@link #transactional} only). */
    private final long transactionTimeoutMs;
    /** When the open transaction was begun ({@link System#nanoTime()}). */
    private long transactionBegunNanos;

    /** As the full constructor, with no topic limits checked ahead (the producer's are) and no too-large topic. */
    public KafkaOutput(KafkaConnection connection, String clientId) {
        this(connection, clientId, List.of(), null, new JobMetrics());
    }

    /**
     * @param connection    the cluster
     * @param clientId      the producer's {@code client.id}, shown in broker logs and quotas
     * @param topics        every topic this output writes to, whose {@code max.message.bytes} are checked ahead
     * @param tooLargeTopic where records too large to write go, truncated; null to fail on them
     * @param metrics       counts acknowledged, failed and too-large writes
     * @throws KafkaConnectorException when a pass-through property is rejected
     */
    public KafkaOutput(KafkaConnection connection, String clientId, Collection<String> topics, String tooLargeTopic,
                       JobMetrics metrics) {
        this(ProducerSettings.idempotent(connection, clientId), null, connection, topics, tooLargeTopic, metrics);
    }

    /**
     * The output of a scaled-out at-least-once instance ({@code run --scale-out}): as the full constructor, but its
     * producer lingers a few milliseconds ({@link ProducerSettings#scaleOutIdempotent}), so that the repartition
     * records its source tasks write pane by pane share produce requests.
     */
    public static KafkaOutput scaledOut(KafkaConnection connection, String clientId, Collection<String> topics,
                                        String tooLargeTopic, JobMetrics metrics) {
        return new KafkaOutput(ProducerSettings.scaleOutIdempotent(connection, clientId), null, connection, topics,
                tooLargeTopic, metrics);
    }

    private KafkaOutput(Properties p, String transactionalId, KafkaConnection connection, Collection<String> topics,
                        String tooLargeTopic, JobMetrics metrics) {
        this.limits = RecordLimits.of(connection, p, topics);
        this.tooLargeTopic = tooLargeTopic;
        this.metrics = metrics;
        this.transactionalId = transactionalId;
        this.producerSettings = p;
        Object timeout = p.getOrDefault(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                ProducerConfig.configDef().defaultValues().get(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG));
        this.transactionTimeoutMs = Long.parseLong(String.valueOf(timeout).trim());
        this.producer = ProducerSettings.create(p);
    }

    /**
     * The output of a scaled-out exactly-once instance ({@code run --scale-out --delivery exactly-once}): the same
     * sinks, forwarding and limits as the idempotent output, but every write (results, late records, dead letters,
     * too-large records, repartition records, and the task snapshots of a {@link KafkaCheckpointStore} made with
     * {@link KafkaCheckpointStore#inTransaction}) goes into one open Kafka transaction, which
     * {@link #commitTransaction} commits together with the consumed offsets and {@link #abortTransaction} drops.
     * Registers {@code transactionalId} ({@code initTransactions}: an earlier producer with that id is fenced and its
     * open transaction aborted) and begins the first transaction.
     *
     * <p>A write that fails here does not fail the output for good, as it does outside transactions: it makes the
     * open transaction fail to commit ({@link TransactionAbortedException}), and the caller re-creates its tasks
     * from what last committed. Records that can never be written, and a producer fenced by another process with
     * the same {@code transactionalId}, still stop the job ({@link #checkWrites()}, {@link #commitTransaction}); a
     * producer the broker fenced because its transaction outlived {@code transaction.timeout.ms} (an outage) is
     * replaced by a new one with the same id, and the transaction counts as aborted.
     *
     * @param transactionalId      stable across restarts of this instance, distinct between live instances
     * @param checkpointIntervalMs how long a transaction stays open, for its timeout ({@link ProducerSettings})
     * @throws KafkaConnectorException when the broker refuses the transactional id or the producer's settings
     */
    public static KafkaOutput transactional(KafkaConnection connection, String transactionalId, long checkpointIntervalMs,
                                            Collection<String> topics, String tooLargeTopic, JobMetrics metrics) {
        KafkaOutput out = new KafkaOutput(ProducerSettings.scaleOutTransactional(connection, transactionalId,
                checkpointIntervalMs), Objects.requireNonNull(transactionalId, "transactionalId"), connection, topics,
                tooLargeTopic, metrics);
        try {
            out.producer.initTransactions();
            out.producer.beginTransaction();
            out.transactionBegunNanos = System.nanoTime();
        } catch (KafkaException e) {
            out.producer.close(Duration.ZERO);
            throw new KafkaConnectorException("cannot initialise transactions for transactional.id '" + transactionalId
                    + "': " + KafkaConnection.rootMessage(e), e);
        }
        return out;
    }

    /** True when this output writes into transactions ({@link #transactional}). */
    public boolean isTransactional() {
        return transactionalId != null;
    }

    /**
     * Sends a record as it is into the open transaction: for {@link KafkaCheckpointStore}, which sizes its chunks to
     * the topic's limits itself. Its failure, as any write's, fails the transaction's commit.
     */
    void sendInTransaction(ProducerRecord<byte[], byte[]> record) {
        requireTransactional();
        registerAgainIfRetired();
        try {
            producer.send(record, callback);
        } catch (KafkaException e) {
            writeFailed(record.topic(), e);
        }
    }

    /**
     * Commits the open transaction with {@code positions} as the group's offsets ({@code sendOffsetsToTransaction}
     * with the consumer's group metadata, so a commit of an instance that is no longer the partitions' owner in the
     * group's current generation is refused: KIP-447 zombie fencing), then begins the next one. Blocks until the
     * broker acknowledged every record of the transaction and its commit.
     *
     * @throws TransactionAbortedException when the transaction could not commit but the producer can go on (a failed
     *                                     write, a rebalance that moved the partitions, a transaction the broker timed
     *                                     out): it was aborted, the next one begun; nothing of it ever becomes visible
     * @throws KafkaConnectorException     when the job must stop: another process took over the transactional id, a
     *                                     record can never be written, the producer is in a fatal state
     */
    public void commitTransaction(Collection<io.flinklite.runtime.checkpoint.SourcePosition> positions,
                                  KafkaSourceReader reader) {
        requireTransactional();
        checkWrites();
        registerAgainIfRetired();
        try {
            producer.flush();
            Exception failed = transactionFailure.get();
            if (failed != null) {
                throw new TransactionAbortedException("a write of the transaction failed: "
                        + KafkaConnection.rootMessage(failed), failed);
            }
            if (!positions.isEmpty()) {
                producer.sendOffsetsToTransaction(reader.offsetsOf(positions), reader.groupMetadata());
            }
            producer.commitTransaction();
        } catch (TransactionAbortedException e) {
            abortTransaction(e.getMessage());
            throw e;
        } catch (KafkaException e) {
            if (timedOutByBroker(e)) {
                String reason = "the broker timed the transaction out: " + KafkaConnection.rootMessage(e);
                retireProducer(reason);
                throw new TransactionAbortedException(reason, e);
            }
            KafkaConnectorException fatal = fatal(e);
            if (fatal != null) {
                fail(fatal);
                throw fatal;
            }
            String reason = "commit failed: " + KafkaConnection.rootMessage(e);
            abortTransaction(reason);
            throw new TransactionAbortedException(reason, e);
        }
        metrics.transactionCommitted();
        begin();
    }

    /**
     * Aborts the open transaction (nothing written in it becomes visible to {@code read_committed} readers), logs
     * the reason, counts it, and begins the next one.
     *
     * @throws KafkaConnectorException when the producer cannot abort (fenced, or in a fatal state): the job stops
     */
    public void abortTransaction(String reason) {
        requireTransactional();
        if (retired) {
            return; // the broker aborted it already; retireProducer counted and logged it
        }
        try {
            producer.abortTransaction();
        } catch (KafkaException e) {
            if (timedOutByBroker(e)) {
                retireProducer(reason + "; the broker timed the transaction out: " + KafkaConnection.rootMessage(e));
                return;
            }
            KafkaConnectorException fatal = fatal(e);
            KafkaConnectorException stop = fatal != null ? fatal : new KafkaConnectorException("transactional.id '"
                    + transactionalId + "': aborting a transaction (" + reason + ") failed: "
                    + KafkaConnection.rootMessage(e) + "; the job stops, and resumes from its last commit when started"
                    + " again", e);
            fail(stop);
            throw stop;
        }
        transactionFailure.set(null);
        metrics.transactionAborted();
        LOG.warn("transaction of transactional.id '{}' aborted: {}", transactionalId, reason);
        begin();
    }

    private void begin() {
        try {
            producer.beginTransaction();
            transactionBegunNanos = System.nanoTime();
        } catch (KafkaException e) {
            KafkaConnectorException fatal = fatal(e);
            KafkaConnectorException stop = fatal != null ? fatal : new KafkaConnectorException("transactional.id '"
                    + transactionalId + "': cannot begin a transaction: " + KafkaConnection.rootMessage(e), e);
            fail(stop);
            throw stop;
        }
    }

    /**
     * Whether {@code e} fences this producer because the transaction coordinator aborted its open transaction for
     * being open longer than {@code transaction.timeout.ms} (bumping the producer's epoch), rather than because another
     * process registered the same transactional id: the broker answers both with the same error (fenced, an old
     * epoch, or an invalid transaction state when the commit meets the coordinator's abort), and the transaction's
     * age tells them apart. A broker outage (or a broker restart, whose coordinator reloads its transactions and
     * times out those of producers it did not hear from) longer than the timeout ends here. A takeover by another
     * process with this instance's id is also seen by the consumer (static membership fences the older member), so
     * the rare takeover of an old transaction still stops the job, one poll later.
     */
    private boolean timedOutByBroker(KafkaException e) {
        if (System.nanoTime() - transactionBegunNanos < TimeUnit.MILLISECONDS.toNanos(transactionTimeoutMs)) {
            return false;
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.ProducerFencedException
                    || c instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
                    || c instanceof org.apache.kafka.common.errors.InvalidTxnStateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Closes a producer the broker fenced by timing its transaction out ({@link #timedOutByBroker}): it cannot be used
     * again. What it held is gone with its aborted transaction; the caller drops its tasks, as after any abort.
     * Counted as an aborted transaction. Its successor registers the same transactional id only at
     * {@link #registerAgainIfRetired}, not here: registering fences every other producer of the id, and if this
     * instance is a zombie whose restart already took the id over, the consumer's next poll must stop it first
     * (static membership fences the older member) rather than this one fencing its own successor.
     */
    private void retireProducer(String reason) {
        producer.close(Duration.ZERO);
        // The old producer's pending sends failed as it closed: their failures belong to the dead transaction.
        transactionFailure.set(null);
        retired = true;
        metrics.transactionAborted();
        LOG.warn("transaction of transactional.id '{}' aborted: {}; the id registers again after the consumer's next"
                + " poll", transactionalId, reason);
    }

    /**
     * Replaces a producer {@link #retireProducer} closed with a new one registering the same transactional id
     * ({@code initTransactions}), which continues where the last commit left, as a restarted instance would; does
     * nothing otherwise. Call after each successful consumer poll: that poll is what shows this instance still holds
     * its group membership (a process that took over this instance's id would have fenced it). Writes and commits
     * call it too, for a job stopping before its next poll.
     *
     * @throws KafkaConnectorException when the new producer cannot register (the job stops with that reason)
     */
    public void registerAgainIfRetired() {
        if (!retired) {
            return;
        }
        try {
            producer = ProducerSettings.create(producerSettings);
            producer.initTransactions();
            producer.beginTransaction();
            transactionBegunNanos = System.nanoTime();
            retired = false;
        } catch (KafkaException e) {
            KafkaConnectorException stop = new KafkaConnectorException("transactional.id '" + transactionalId
                    + "': cannot register again after the broker timed its transaction out: "
                    + KafkaConnection.rootMessage(e) + "; the job stops, and resumes from its last commit when started"
                    + " again", e);
            fail(stop);
            throw stop;
        }
        LOG.info("transactional.id '{}' registered again with a new producer", transactionalId);
    }

    /**
     * The job-stopping form of a transaction error, or null when aborting the transaction lets the producer go on.
     * Fenced: another producer registered this transactional id (another process started with this instance's id),
     * so this one is a zombie whose commits must never land.
     */
    private KafkaConnectorException fatal(KafkaException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof org.apache.kafka.common.errors.ProducerFencedException
                    || c instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException
                    || c instanceof org.apache.kafka.common.errors.FencedInstanceIdException) {
                return new KafkaConnectorException("transactional.id '" + transactionalId + "' was taken over by"
                        + " another process (started with this one's instance id): it stops without committing ("
                        + KafkaConnection.rootMessage(e) + ")", e);
            }
            if (c instanceof org.apache.kafka.common.errors.AuthorizationException
                    || c instanceof org.apache.kafka.common.errors.UnsupportedVersionException
                    || c instanceof org.apache.kafka.common.errors.InvalidTxnTimeoutException
                    || c instanceof IllegalStateException) {
                return new KafkaConnectorException("Kafka transaction of transactional.id '" + transactionalId
                        + "' failed: " + KafkaConnection.rootMessage(e), e);
            }
        }
        return null;
    }

    private void requireTransactional() {
        if (transactionalId == null) {
            throw new IllegalStateException("this output does not write in transactions");
        }
    }

    /**
     * The open transaction could not commit and was aborted (the next one is begun): the caller drops every task
     * whose state includes effects of it and re-creates them from their last committed snapshots.
     */
    public static final class TransactionAbortedException extends KafkaConnectorException {
        private static final long serialVersionUID = 1L;

        TransactionAbortedException(String message, Throwable cause) {
            super(message, cause);
        }
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
     * A sink for results already encoded (a join's pairs as the JSON line {@code replay --join-input} writes, keyed by
     * the join key so a key's pairs stay in one partition in order; a user job's records: {@link
     * io.flinklite.runtime.checkpoint.EncodedResult}): key and value as UTF-8, to {@code topic}.
     */
    public Sink<io.flinklite.runtime.checkpoint.EncodedResult> encodedSink(String topic) {
        return new SharedProducerSink<>() {
            @Override
            public void write(io.flinklite.runtime.checkpoint.EncodedResult record) {
                send(topic, record.key() == null ? null : utf8(record.key()), utf8(record.value()), null, 0, 0);
            }

            @Override
            public String toString() {
                return "kafka:" + topic;
            }
        };
    }

    /**
     * Forwards a record unchanged (key, value) to {@code topic} with the reason and its origin in headers.
     *
     * @param reason why: {@code late} or an invalid reason label
     */
    public void forward(String topic, byte[] key, byte[] value, String reason, String sourceTopic, int sourcePartition,
                        long sourceOffset) {
        RecordHeaders headers = new RecordHeaders();
        int size = addOrigin(headers, utf8(reason), sourceTopic, sourcePartition, sourceOffset);
        send(topic, key, value, headers, size, 4);
    }

    /** The reason and origin headers of a forwarded record; returns their size. */
    private static int addOrigin(RecordHeaders headers, byte[] reason, String sourceTopic, int sourcePartition,
                                 long sourceOffset) {
        return add(headers, HEADER_REASON, reason)
                + add(headers, HEADER_TOPIC, utf8(sourceTopic))
                + add(headers, HEADER_PARTITION, utf8(Integer.toString(sourcePartition)))
                + add(headers, HEADER_OFFSET, utf8(Long.toString(sourceOffset)));
    }

    /**
     * A sink for late events (later than the allowed lateness): each goes to {@code topic} unchanged, with the
     * header {@value #HEADER_REASON}{@code =late}. Written by the engine with the record's origin
     * ({@link OriginSink}), it also keeps the record's key and headers, and names where it was read
     * ({@value #HEADER_TOPIC}, {@value #HEADER_PARTITION}, {@value #HEADER_OFFSET}), as a dead letter does.
     */
    public Sink<byte[]> lateSink(String topic) {
        return new LateSink(topic);
    }

    /**
     * The engine's dead-letter handler for records read by {@code reader}: logs each (rate-limited) with its topic,
     * partition, offset and reason, and forwards it unchanged, with its key, to {@code topic} when that is not null.
     *
     * @param topic the dead-letter topic, or null to log only (the engine counts dead letters either way)
     */
    public DeadLetterHandler deadLetters(String topic, KafkaSourceReader reader) {
        RateLimitedLog log = new RateLimitedLog(LOG, 10_000);
        return new DeadLetterHandler() {
            @Override
            public void deadLetter(int partition, long offset, byte[] payload, int payloadOffset, int payloadLength,
                                   InvalidReason reason, String detail) {
                deadLetter(0, partition, offset, payload, payloadOffset, payloadLength, reason, detail);
            }

            @Override
            public void deadLetter(int source, int partition, long offset, byte[] payload, int payloadOffset,
                                   int payloadLength, InvalidReason reason, String detail) {
                String from = reader.topicOf(source, partition);
                if (log.allow(System.currentTimeMillis())) {
                    log.warn("invalid record " + from + "/" + partition + "@" + offset + " [" + reason.label()
                            + "]: " + detail + (topic == null ? "" : " (forwarded to " + topic + ")"));
                }
                if (topic != null) {
                    // A tombstone stays a tombstone (null), so the dead letter shows exactly what arrived.
                    byte[] value = payload == null || (payloadOffset == 0 && payloadLength == payload.length)
                            ? payload : Arrays.copyOfRange(payload, payloadOffset, payloadOffset + payloadLength);
                    forward(topic, reader.keyOf(source, partition, offset), value, reason.label(), from, partition,
                            offset);
                }
            }
        };
    }

    /**
     * Writes one record of a scaled-out job's repartition topic to {@code partition} (the shuffle's partitioner
     * chose it, so the record's key alone does not decide). {@link #flush()} and {@link #checkWrites()} cover it as
     * every other write. Such a record cannot be truncated into the dead letters (its window would be wrong): one
     * too large for the topic fails the job, naming the topic and the limit.
     */
    public void repartition(String topic, int partition, byte[] key, byte[] value) {
        if (failure.get() != null) {
            return;
        }
        String tooLarge = limits.tooLarge(topic, key == null ? -1 : key.length, value == null ? -1 : value.length, 0, 0);
        if (tooLarge != null) {
            failures.incrementAndGet();
            fail(new KafkaConnectorException("a record of repartition topic '" + topic + "' is too large: " + tooLarge
                    + "; raise the topic's max.message.bytes (and the producer's max.request.size)"));
            return;
        }
        registerAgainIfRetired();
        try {
            producer.send(new ProducerRecord<>(topic, partition, null, key, value), callback);
        } catch (KafkaException e) {
            writeFailed(topic, e);
        }
    }

    private void send(String topic, byte[] key, byte[] value, RecordHeaders headers, int headerBytes, int headerCount) {
        if (failure.get() != null) {
            // The job is stopping at the failure; what it would write now is recomputed from the last commit.
            return;
        }
        registerAgainIfRetired();
        String tooLarge = limits.tooLarge(topic, key == null ? -1 : key.length, value == null ? -1 : value.length,
                headerBytes, headerCount);
        if (tooLarge != null) {
            tooLarge(topic, key, value, headers, tooLarge);
            return;
        }
        try {
            producer.send(new ProducerRecord<>(topic, null, null, key, value, headers), callback);
        } catch (KafkaException e) {
            writeFailed(topic, e);
        }
    }

    private void tooLarge(String topic, byte[] key, byte[] value, Header[] headers, String why) {
        metrics.addOutputRecordsTooLarge(1);
        ProducerRecord<byte[], byte[]> truncated = tooLargeTopic == null || topic.equals(tooLargeTopic) && isTooLargeRecord(headers)
                ? null : truncatedDeadLetter(tooLargeTopic, topic, key, value, headers, why, limits);
        if (truncated == null) {
            fail(neverWritable(topic, why, tooLargeTopic));
            return;
        }
        if (tooLargeLog.allow(System.currentTimeMillis())) {
            tooLargeLog.warn("a record for topic '" + topic + "' can never be written (" + why + "): written truncated to "
                    + tooLargeTopic + " with reason " + REASON_TOO_LARGE);
        }
        try {
            producer.send(truncated, callback);
        } catch (KafkaException e) {
            writeFailed(tooLargeTopic, e);
        }
    }

    private void tooLarge(String topic, byte[] key, byte[] value, RecordHeaders headers, String why) {
        tooLarge(topic, key, value, headers == null ? null : headers.toArray(), why);
    }

    private static boolean isTooLargeRecord(Header[] headers) {
        if (headers != null) {
            for (Header h : headers) {
                if (h.key().equals(HEADER_REASON) && Arrays.equals(h.value(), utf8(REASON_TOO_LARGE))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The one-line error of a record that can never be written and has nowhere to go. */
    static KafkaConnectorException neverWritable(String topic, String why, String tooLargeTopic) {
        return new KafkaConnectorException("a record for topic '" + topic + "' can never be written: " + why + "."
                + (tooLargeTopic == null
                ? " The job stops without committing past it; raise the limit, or pass --too-large-to-dead-letter to"
                + " write such records truncated to the dead-letter topic"
                : " Even truncated it does not fit topic '" + tooLargeTopic + "'; the job stops without committing past it"));
    }

    /**
     * The dead letter of a record too large to write: key and value cut to {@link #TRUNCATED_BYTES}, the reason, the
     * limit and the target topic in headers, then the record's own headers. Null when even that cannot be written.
     */
    static ProducerRecord<byte[], byte[]> truncatedDeadLetter(String deadLetterTopic, String topic, byte[] key,
                                                               byte[] value, Header[] headers, String why,
                                                               RecordLimits limits) {
        byte[] k = key == null ? null : Arrays.copyOf(key, Math.min(key.length, TRUNCATED_BYTES));
        byte[] v = value == null ? null : Arrays.copyOf(value, Math.min(value.length, TRUNCATED_BYTES));
        RecordHeaders out = new RecordHeaders();
        int size = add(out, HEADER_REASON, utf8(REASON_TOO_LARGE))
                + add(out, HEADER_ERROR, utf8(why))
                + add(out, HEADER_TARGET, utf8(topic));
        int count = 3;
        if (headers != null) {
            for (Header h : headers) {
                String name = h.key().equals(HEADER_REASON) ? HEADER_ORIGINAL_REASON : h.key();
                size += add(out, name, h.value());
                count++;
            }
        }
        if (limits.tooLarge(deadLetterTopic, k == null ? -1 : k.length, v == null ? -1 : v.length, size, count) != null) {
            return null;
        }
        return new ProducerRecord<>(deadLetterTopic, null, null, k, v, out);
    }

    private static int add(RecordHeaders headers, String name, byte[] value) {
        headers.add(name, value);
        return RecordLimits.headerSize(name, value);
    }

    /** A send's outcome, on the producer's I/O thread. */
    private void completed(RecordMetadata metadata, Exception exception) {
        if (exception == null) {
            acknowledged.incrementAndGet();
            return;
        }
        if (exception instanceof RecordTooLargeException) {
            metrics.addOutputRecordsTooLarge(1);
        }
        // On failure the metadata still names the topic (Callback's contract since Kafka 3.x).
        writeFailed(metadata == null ? "?" : metadata.topic(), exception);
    }

    /**
     * A write that failed: outside transactions the output fails for good; inside one, the transaction cannot commit
     * ({@link #commitTransaction} aborts it), and the output goes on.
     */
    private void writeFailed(String topic, Exception e) {
        failures.incrementAndGet();
        metrics.addOutputWriteFailures(1);
        if (transactionalId != null) {
            transactionFailure.compareAndSet(null, e);
            return;
        }
        fail(new KafkaConnectorException("writing to Kafka topic '" + topic + "' failed: "
                + KafkaConnection.rootMessage(e), e));
    }

    private void fail(KafkaConnectorException e) {
        if (failure.compareAndSet(null, new WriteFailedException(e.getMessage(), e.getCause()))) {
            LOG.error(e.getMessage());
        }
    }

    /**
     * A write of this output failed: every later write, flush and {@link #checkWrites()} throws it, so the job stops
     * at its next batch, and a checkpoint that fails on it says so rather than that it will be retried.
     */
    static final class WriteFailedException extends KafkaConnectorException implements CheckpointCoordinator.StopsTheJob {
        private static final long serialVersionUID = 1L;

        WriteFailedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Blocks until the broker acknowledged everything sent so far.
     *
     * @throws KafkaConnectorException when any send of this output failed, naming the first failure's topic and
     *                                 cause; from then on on every call
     */
    public void flush() {
        if (!retired) {
            producer.flush(); // a retired producer holds nothing: its transaction is gone
        }
        checkWrites();
    }

    /**
     * Throws when a write of this output failed; between batches, so that the job stops soon after a failure
     * rather than at its next flush.
     *
     * @throws KafkaConnectorException naming the first failure's topic and cause
     */
    public void checkWrites() {
        KafkaConnectorException e = failure.get();
        if (e != null) {
            throw e;
        }
    }

    /** Sends that failed (Kafka refused or never acknowledged them) or were refused ahead as too large. */
    public long failures() {
        return failures.get();
    }

    /** Sends Kafka acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /**
     * Flushes what is in flight (up to 10 s) and closes the producer. A {@link #transactional} output first aborts
     * its open transaction (what it holds was not committed by a checkpoint, so it must never show), so that
     * {@code read_committed} readers of its partitions go on at once rather than after the transaction timeout.
     */
    @Override
    public void close() {
        if (transactionalId != null && !retired) {
            try {
                producer.abortTransaction();
            } catch (RuntimeException e) {
                LOG.debug("aborting the open transaction at close: {}", e.getMessage());
            }
        }
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

    private final class LateSink extends SharedProducerSink<byte[]> implements OriginSink {
        private final String topic;

        LateSink(String topic) {
            this.topic = topic;
        }

        @Override
        public void write(byte[] event) {
            RecordHeaders headers = new RecordHeaders();
            int size = add(headers, HEADER_REASON, LATE);
            send(topic, null, event, headers, size, 1);
        }

        @Override
        public void write(byte[] event, RecordContext origin) {
            RecordHeaders headers = new RecordHeaders();
            int size = 0;
            int n = origin.headerCount();
            for (int i = 0; i < n; i++) {
                size += add(headers, origin.headerName(i), origin.headerValue(i));
            }
            // After the record's own headers: a reader's lastHeader(reason) is ours even for a record that had one.
            size += addOrigin(headers, LATE, origin.topic(), origin.partition(), origin.offset());
            send(topic, origin.key(), event, headers, size, n + 4);
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
            ResultEncoder.WINDOW_RESULTS.appendValue(result, json);
            send(topic, ResultEncoder.WINDOW_RESULTS.key(result), utf8(json.toString()), null, 0, 0);
        }

        @Override
        public String toString() {
            return "kafka:" + topic;
        }
    }
}
