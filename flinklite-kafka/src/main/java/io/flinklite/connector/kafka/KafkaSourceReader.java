package io.flinklite.connector.kafka;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntToLongFunction;

/**
 * The engine's {@link SourceReader} on one Kafka topic, in a consumer group.
 *
 * <p>Partitions: the engine keeps one watermark per input partition, identified by the Kafka partition number (one
 * topic, so the number is unique). Group assignments and revocations reach the engine's {@link PartitionListener}
 * from inside {@link #poll}, on the task thread: an assignment before the partition's first record, a revocation
 * after its last. A revocation first flushes the output and commits the positions of every partition still
 * assigned, revoked ones included, so the next owner starts where this one stopped; and this reader remembers them,
 * so that when it gets a partition back (an eager rebalance revokes everything and gives most of it back), it
 * resumes where it stopped, not at an older committed offset: the task kept that partition's records in its open
 * windows, which must not see them twice.
 *
 * <p>Group membership: incremental (cooperative-sticky) assignment by default, so a rebalance takes away only the
 * partitions that move, and, given a {@code groupInstanceId}, static membership, so a restarted instance takes its
 * partitions back at once instead of waiting for the dead one's session to time out. Another process joining with the
 * same instance id fences this one: {@link #poll} then fails with a one-line {@link KafkaConnectorException}.
 *
 * <p>The whole topic: {@link #partitionCount()} and, for the partitions this instance is not assigned (owned by
 * another member, maybe a dead one), {@link #lag} from their end offsets and the position they would resume from,
 * refreshed at most once a second from {@link #poll}. The task holds its watermark back while records wait in them.
 *
 * <p>Records: each value goes into the batch as it is, without a copy and without parsing; the engine classifies what
 * it cannot use (not JSON, missing fields, oversized, absurd timestamps) and hands it to a dead-letter handler. A
 * record with no value (a tombstone) enters the batch with an empty payload, which the engine rejects as not JSON.
 * {@link #keyOf} gives the key of a record of the current batch, so a dead letter can be forwarded with its key.
 *
 * <p>Offsets: never committed automatically. The runtime calls {@link #commit()} when everything polled so far is
 * accounted for (results flushed, or a checkpoint written). A commit the group rejects because it is rebalancing is
 * kept and retried with the next commit or after the rebalance, logged once per episode, not once per attempt. A group
 * without committed offsets starts from {@link StartFrom#EARLIEST} by default, as Flink's Kafka source does.
 *
 * <p>Threading: every method but {@link #wakeup()} is called on the task thread only; {@link #wakeup()} may be
 * called from any thread (a signal handler) to make a blocked {@link #poll} return at once.
 */
public final class KafkaSourceReader implements SourceReader {

    private volatile String memberId = "";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);

    /** Where a new consumer group starts. */
    public enum StartFrom { EARLIEST, LATEST }

    /** How often the backlog of partitions assigned elsewhere is refreshed; each refresh is two or three requests. */
    private static final long BACKLOG_REFRESH_NANOS = 1_000_000_000L;
    /** With every partition assigned, only the partition count is refreshed (from the client's metadata cache). */
    private static final long COUNT_REFRESH_NANOS = 30_000_000_000L;
    /** A refresh must not stall the task thread long when the broker is away: unknown backlog holds back anyway. */
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(1);
    private static final long DEFERRED_COMMIT_RETRY_NANOS = 1_000_000_000L;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String groupId;
    private final String groupInstanceId;
    private final StartFrom startFrom;
    private final TreeSet<Integer> assigned = new TreeSet<>();
    /** Where a partition resumes when it is first assigned: restored from a checkpoint, applied as they are. */
    private final Map<Integer, Long> restoredPositions = new HashMap<>();
    /** Where this reader stopped in a partition it was revoked; resumed from unless the group committed beyond. */
    private final Map<Integer, Long> stoppedPositions = new HashMap<>();
    /** By partition id, for partitions not assigned here: the watermark their owner committed with; MIN unknown. */
    private long[] reported = new long[0];
    /** The task's watermark of an assigned partition, committed beside its offset as the partition's report. */
    private IntToLongFunction liveWatermarks = partition -> Long.MIN_VALUE;
    private int partitionCount = -1;
    /** By partition id, for partitions not assigned here: records between resume position and end; -1 unknown. */
    private long[] backlog = new long[0];
    private long nextRefreshNanos = Long.MIN_VALUE;
    /** Offsets a rebalance kept from being committed, to retry; newer offsets of a partition replace older ones. */
    private final Map<Integer, OffsetAndMetadata> deferredCommit = new HashMap<>();
    private int deferredAttempts;
    private long nextDeferredRetryNanos;
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
        this(connection, topic, groupId, startFrom, null);
    }

    /**
     * Creates the consumer; nothing is read before the first {@link #poll}.
     *
     * @param groupInstanceId the static member id ({@code group.instance.id}): stable across restarts of this
     *                        instance and unique among the group's live members; {@code null} for a dynamic member
     *                        (or whatever a pass-through {@code group.instance.id} property says)
     * @see #KafkaSourceReader(KafkaConnection, String, String, StartFrom)
     */
    public KafkaSourceReader(KafkaConnection connection, String topic, String groupId, StartFrom startFrom,
                             String groupInstanceId) {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, startFrom == StartFrom.EARLIEST ? "earliest" : "latest");
        // The runtime commits when results are durable; auto-commit would commit records whose windows never fired.
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "flinklite-source");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2_000);
        // Records of aborted transactions must never reach a window.
        p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        if (groupInstanceId != null) {
            p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
        }
        // Incremental rebalances: a member joining or leaving takes away only the partitions that move, so the others
        // keep reading. The consumer protocol (group.protocol=consumer, KIP-848) is incremental by itself and refuses
        // the setting.
        Object protocol = p.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol == null || protocol.toString().trim().toLowerCase(Locale.ROOT).equals("classic")) {
            p.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        }
        try {
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka consumer configuration: " + KafkaConnection.rootMessage(e), e);
        }
        this.topic = topic;
        this.groupId = groupId;
        Object instance = p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.groupInstanceId = instance == null ? null : instance.toString();
        this.startFrom = startFrom;
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
            refreshTopicView();
            records = consumer.poll(Duration.ofMillis(timeoutMs));
            retryDeferredCommit();
        } catch (WakeupException e) {
            currentSize = 0;
            return true;
        } catch (FencedInstanceIdException e) {
            throw fenced(e);
        } catch (KafkaException e) {
            // A rebalance callback's own failure (fenced while committing) reaches us wrapped by the consumer.
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                if (c instanceof KafkaConnectorException) {
                    throw (KafkaConnectorException) c;
                }
            }
            throw e;
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
            batch.add(r.partition(), r.offset(), r.timestamp(), value, 0, value == null ? 0 : value.length);
        }
        return true;
    }

    private void subscribe() {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (partitions.isEmpty()) {
                    return;
                }
                // Positions first, while the consumer still has them; revoked partitions included, which the task
                // forgets when told of the revocation.
                Map<Integer, Long> positions = currentPositions();
                try {
                    beforeRevokeCommit.run();
                    commit(positions, watermarksOf(positions.keySet()));
                } catch (FencedInstanceIdException e) {
                    throw fenced(e);
                } catch (RuntimeException e) {
                    LOG.warn("flushing output and committing offsets before a rebalance failed; records since the last"
                            + " commit will be read again: {}", KafkaConnection.rootMessage(e));
                }
                revoke(partitions, positions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Another member owns them already: a commit would be rejected. Where this reader stopped is still
                // where its windows stopped, should the partitions come back.
                Map<Integer, Long> positions = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    try {
                        positions.put(tp.partition(), consumer.position(tp, METADATA_TIMEOUT));
                    } catch (RuntimeException e) {
                        // No position: the partition resumes at the group's committed offset.
                    }
                }
                revoke(partitions, positions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The one moment the member id is known and the consumer may be asked on this thread.
                memberId = consumer.groupMetadata().memberId();
                Map<TopicPartition, OffsetAndMetadata> committed = committedOf(partitions);
                for (TopicPartition tp : partitions) {
                    Long resume = restoredPositions.remove(tp.partition());
                    Long stopped = stoppedPositions.remove(tp.partition());
                    OffsetAndMetadata c = committed.get(tp);
                    if (resume == null && stopped != null && (c == null || c.offset() < stopped)) {
                        // Its records up to there are in the task's open windows: resuming at an older committed
                        // offset (a commit lost in the rebalance) would count them twice. Beyond it, another member
                        // read them meanwhile and committed: the group's offset then wins, as for a new partition.
                        resume = stopped;
                    }
                    if (resume != null) {
                        consumer.seek(tp, resume);
                    }
                    setBacklog(tp.partition(), -1);
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

    private void revoke(Collection<TopicPartition> partitions, Map<Integer, Long> positions) {
        for (TopicPartition tp : partitions) {
            Long position = positions.get(tp.partition());
            if (position != null) {
                stoppedPositions.put(tp.partition(), position);
            }
            setBacklog(tp.partition(), -1);
            if (assigned.remove(tp.partition()) && listener != null) {
                listener.partitionRevoked(tp.partition());
            }
        }
        nextRefreshNanos = Long.MIN_VALUE;
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
        if (!assigned.contains(partition)) {
            return partition >= 0 && partition < backlog.length ? backlog[partition] : -1;
        }
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

    /** The input topic's partition count, from the client's metadata; -1 until the first answer. */
    @Override
    public int partitionCount() {
        if (partitionCount < 0) {
            try {
                refreshPartitionCount();
            } catch (WakeupException e) {
                // A stop request: the next poll returns at once.
            } catch (KafkaException e) {
                LOG.debug("partition count of {} unknown for now: {}", topic, KafkaConnection.rootMessage(e));
            }
        }
        return partitionCount;
    }

    private void refreshPartitionCount() {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
        if (infos != null && infos.size() > partitionCount) {
            partitionCount = infos.size();
        }
    }

    /**
     * Refreshes the partition count and the backlog of the partitions assigned elsewhere; at most once a second while
     * some are, every 30 s otherwise. A failure leaves their backlog unknown, which holds the watermark back.
     */
    private void refreshTopicView() {
        long now = System.nanoTime();
        if (nextRefreshNanos != Long.MIN_VALUE && now - nextRefreshNanos < 0) {
            return;
        }
        Set<TopicPartition> others = new HashSet<>();
        try {
            refreshPartitionCount();
            for (int p = 0; p < partitionCount; p++) {
                if (!assigned.contains(p)) {
                    others.add(new TopicPartition(topic, p));
                }
            }
            if (backlog.length < partitionCount) {
                int old = backlog.length;
                backlog = Arrays.copyOf(backlog, partitionCount);
                Arrays.fill(backlog, old, partitionCount, -1);
                reported = Arrays.copyOf(reported, partitionCount);
                Arrays.fill(reported, old, partitionCount, Long.MIN_VALUE);
            }
            if (!others.isEmpty()) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(others, METADATA_TIMEOUT);
                Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(others, METADATA_TIMEOUT);
                Map<TopicPartition, Long> beginnings = Map.of();
                if (startFrom == StartFrom.EARLIEST) {
                    beginnings = consumer.beginningOffsets(others, METADATA_TIMEOUT);
                }
                for (TopicPartition tp : others) {
                    Long end = ends.get(tp);
                    Long resume = restoredPositions.get(tp.partition());
                    OffsetAndMetadata c = committed.get(tp);
                    Long stopped = stoppedPositions.get(tp.partition());
                    if (resume == null && c != null) {
                        resume = stopped != null ? Math.max(stopped, c.offset()) : c.offset();
                    }
                    if (resume == null) {
                        resume = stopped;
                    }
                    setReported(tp.partition(), c == null ? Long.MIN_VALUE : WatermarkReport.parse(c.metadata()));
                    if (resume == null) {
                        resume = startFrom == StartFrom.EARLIEST ? beginnings.get(tp) : end;
                    }
                    setBacklog(tp.partition(), end == null || resume == null ? -1 : Math.max(0, end - resume));
                }
            }
        } catch (WakeupException | FencedInstanceIdException e) {
            throw e;
        } catch (KafkaException e) {
            for (TopicPartition tp : others) {
                setBacklog(tp.partition(), -1);
            }
            LOG.debug("backlog of {} partitions assigned elsewhere unknown for now: {}", topic, KafkaConnection.rootMessage(e));
        }
        nextRefreshNanos = System.nanoTime() + (others.isEmpty() && partitionCount > 0 ? COUNT_REFRESH_NANOS : BACKLOG_REFRESH_NANOS);
    }

    /**
     * Retries a commit a rebalance deferred, about once a second. Any other failure is left to the next regular
     * commit to report: this retry is a courtesy, and the offsets are committed with the next one anyway.
     */
    private void retryDeferredCommit() {
        if (deferredCommit.isEmpty() || System.nanoTime() - nextDeferredRetryNanos < 0) {
            return;
        }
        nextDeferredRetryNanos = System.nanoTime() + DEFERRED_COMMIT_RETRY_NANOS;
        try {
            commit(Map.of());
        } catch (KafkaConnectorException e) {
            if (e.getCause() instanceof FencedInstanceIdException) {
                throw e;
            }
            LOG.debug("retrying a deferred offset commit failed: {}", e.getMessage());
        }
    }

    private void setBacklog(int partition, long records) {
        if (partition >= 0 && partition < backlog.length) {
            backlog[partition] = records;
        }
    }

    private void setReported(int partition, long watermark) {
        if (partition >= 0 && partition < reported.length) {
            reported[partition] = watermark;
        }
    }

    /**
     * The watermark another member committed with the offset of a partition this reader is not assigned (its
     * report, see {@link #commit(Map, Map)}); {@link Long#MIN_VALUE} for an assigned partition or none known.
     */
    @Override
    public long reportedWatermark(int partition) {
        if (assigned.contains(partition) || partition < 0 || partition >= reported.length) {
            return Long.MIN_VALUE;
        }
        return reported[partition];
    }

    /**
     * Where the task's watermark of each assigned partition stands now: committed beside the live positions (a
     * rebalance, {@link #commit()}) as the partition's report to other members. Task thread.
     */
    public void liveWatermarks(IntToLongFunction watermarkOf) {
        this.liveWatermarks = java.util.Objects.requireNonNull(watermarkOf, "watermarkOf");
    }

    private Map<Integer, Long> watermarksOf(Collection<Integer> partitions) {
        Map<Integer, Long> out = new HashMap<>();
        for (int p : partitions) {
            out.put(p, liveWatermarks.applyAsLong(p));
        }
        return out;
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOf(Collection<TopicPartition> partitions) {
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (stoppedPositions.containsKey(tp.partition()) && !restoredPositions.containsKey(tp.partition())) {
                wanted.add(tp);
            }
        }
        if (wanted.isEmpty()) {
            return Map.of();
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> c = consumer.committed(wanted, METADATA_TIMEOUT);
            return c == null ? Map.of() : c;
        } catch (WakeupException | FencedInstanceIdException e) {
            throw e;
        } catch (KafkaException e) {
            // Unknown: resume where this reader stopped, which may repeat records but never skips any.
            return Map.of();
        }
    }

    private KafkaConnectorException fenced(FencedInstanceIdException e) {
        return new KafkaConnectorException("another process joined consumer group '" + groupId + "' with this one's"
                + " instance id '" + groupInstanceId + "' and took over its partitions; give every process its own"
                + " --instance-id (or its own --checkpoint-dir, from which the default is derived)", e);
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
        Map<Integer, Long> positions = currentPositions();
        commit(positions, watermarksOf(positions.keySet()));
    }

    /**
     * Commits the given next-offsets (partition -> offset of the next record to read), e.g. a checkpoint's positions.
     *
     * @throws KafkaConnectorException when the commit fails
     */
    public void commit(Map<Integer, Long> nextOffsets) {
        commit(nextOffsets, Map.of());
    }

    /**
     * Commits the positions of everything processed so far (between batches), each with the partition's live
     * watermark ({@link #liveWatermarks}) as its report.
     *
     * @throws KafkaConnectorException when the commit fails for another reason than a rebalance in progress
     */
    public void commitProcessed(Map<Integer, Long> nextOffsets) {
        commit(nextOffsets, watermarksOf(nextOffsets.keySet()));
    }

    /**
     * Commits the given next-offsets, each with the partition's watermark at that offset as its metadata (see
     * {@link WatermarkReport}): the report other members of the group hold their watermark at while they do not
     * own the partition.
     *
     * @param watermarks partition -> its watermark at the offset committed; partitions missing carry no report
     * @throws KafkaConnectorException when the commit fails for another reason than a rebalance in progress
     */
    public void commit(Map<Integer, Long> nextOffsets, Map<Integer, Long> watermarks) {
        // Offsets a rebalance deferred go along, unless the partition moved away meanwhile (its new owner commits it).
        for (Iterator<Integer> it = deferredCommit.keySet().iterator(); it.hasNext(); ) {
            if (!assigned.contains(it.next())) {
                it.remove();
            }
        }
        Map<Integer, OffsetAndMetadata> all = new HashMap<>(deferredCommit);
        for (Map.Entry<Integer, Long> e : nextOffsets.entrySet()) {
            Long w = watermarks.get(e.getKey());
            all.put(e.getKey(), new OffsetAndMetadata(e.getValue(),
                    w == null || w == Long.MIN_VALUE ? "" : WatermarkReport.format(w)));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<Integer, OffsetAndMetadata> e : all.entrySet()) {
            offsets.put(new TopicPartition(topic, e.getKey()), e.getValue());
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException e) {
                // A stop request raced with the commit; the stop is handled by the loop, the commit is retried once.
                consumer.commitSync(offsets);
            }
        } catch (RebalanceInProgressException | CommitFailedException e) {
            // The group is rebalancing (a member joined, or a dead one's session ran out): normal, and over in
            // seconds. Retried with the next commit, or from poll once the rebalance is through; said once.
            deferredCommit.clear();
            deferredCommit.putAll(all);
            nextDeferredRetryNanos = System.nanoTime() + DEFERRED_COMMIT_RETRY_NANOS;
            if (deferredAttempts++ == 0) {
                LOG.info("offset commit of {} deferred while group {} rebalances; retrying until it is through ({})",
                        topic, groupId, KafkaConnection.rootMessage(e));
            }
            return;
        } catch (FencedInstanceIdException e) {
            throw fenced(e);
        } catch (KafkaException e) {
            throw new KafkaConnectorException("committing offsets of " + topic + " failed: " + KafkaConnection.rootMessage(e), e);
        }
        deferredCommit.clear();
        if (deferredAttempts > 0) {
            LOG.info("offsets of {} committed again after the rebalance ({} attempts deferred)", topic, deferredAttempts);
            deferredAttempts = 0;
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
     * revokes the partitions, which commits their positions. A static member leaves too: a clean stop is not a
     * restart Kafka could tell apart, and its partitions should not wait a session timeout for it.
     */
    @Override
    public void close() {
        try {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        } catch (KafkaException e) {
            LOG.warn("closing the Kafka consumer: {}", KafkaConnection.rootMessage(e));
        }
    }

    @SuppressWarnings("unchecked")
    private static ConsumerRecord<byte[], byte[]>[] newArray(int n) {
        return (ConsumerRecord<byte[], byte[]>[]) new ConsumerRecord<?, ?>[n];
    }
}
