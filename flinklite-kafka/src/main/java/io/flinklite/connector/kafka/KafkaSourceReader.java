package io.flinklite.connector.kafka;

import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.RecordMetadata;
import io.flinklite.source.SourceReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.IntToLongFunction;

/**
 * The engine's {@link SourceReader} on one or more Kafka topics, in a consumer group, with one consumer.
 *
 * <p>Sources: each topic is a source, numbered in the order given ({@link #sourceCount()}, {@link #sourceOf}); the
 * engine keeps one watermark per (source, partition). Every record enters the batch with its source index, and every
 * per-partition question ({@link #partitionCount(int)}, {@link #lag(int, int)}, {@link #reportedWatermark(int, int)},
 * {@link #topicOf(int, int)}, restored positions) names its source. The unindexed methods answer for source 0, so a
 * reader of one topic is what it always was. All topics share the one consumer: one group member, one static
 * instance id, one commit (and, exactly-once, one transaction) for the offsets of every topic.
 *
 * <p>Partitions: group assignments and revocations reach the engine's {@link PartitionListener} from inside
 * {@link #poll}, on the task thread, as (source, partition): an assignment before the partition's first record, a
 * revocation after its last. A revocation first flushes the output and commits the positions of every partition still
 * assigned, of every topic, revoked ones included, so the next owner starts where this one stopped; and this reader
 * remembers them, so that when it gets a partition back (an eager rebalance revokes everything and gives most of it
 * back), it resumes where it stopped, not at an older committed offset: the task kept that partition's records in its
 * open windows, which must not see them twice.
 *
 * <p>Group membership: for one topic incremental (cooperative-sticky) assignment by default, so a rebalance takes away
 * only the partitions that move; for several the range assignment, which keeps partition p of every topic on one
 * member (co-partitioned topics: a key's records of both meet on one instance); and, given a {@code groupInstanceId}, static membership, so a restarted instance takes its
 * partitions back at once instead of waiting for the dead one's session to time out. Another process joining with the
 * same instance id fences this one: {@link #poll} then fails with a one-line {@link KafkaConnectorException}.
 *
 * <p>The whole of every topic: {@link #partitionCount(int)} and, for the partitions this instance is not assigned
 * (owned by another member, maybe a dead one), {@link #lag(int, int)} from their end offsets and the position they
 * would resume from, refreshed at most once a second from {@link #poll}. The task holds its watermark back while
 * records wait in them. The refresh is asynchronous (an admin client's requests, whose answers a later {@link #poll}
 * picks up), so a broker that does not answer never stalls the task thread; a backlog without a fresh answer is
 * unknown ({@code -1}), which holds the watermark back, never "nothing to read".
 *
 * <p>Records: each value goes into the batch as it is, without a copy and without parsing; the engine classifies what
 * it cannot use (not JSON, missing fields, oversized, absurd timestamps) and hands it to a dead-letter handler. A
 * record with no value (a tombstone) enters the batch with a null payload, which the engine rejects as
 * {@code null_value}. {@link #keyOf} gives the key of a record of the current batch, so a dead letter can be forwarded
 * with its key.
 *
 * <p>Offsets: never committed automatically. The runtime calls {@link #commit()} when everything polled so far is
 * accounted for (results flushed, or a checkpoint written). A commit the group rejects because it is rebalancing is
 * kept and retried with the next commit or after the rebalance, logged once per episode, not once per attempt. A group
 * without committed offsets starts from {@link StartFrom#EARLIEST} by default, as Flink's Kafka source does.
 *
 * <p>Threading: every method but {@link #wakeup()} and {@link #memberId()} is called on the task thread only;
 * {@link #wakeup()} may be called from any thread (a signal handler) to make a blocked {@link #poll} return at once.
 */
public final class KafkaSourceReader implements SourceReader {

    private volatile String memberId = "";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);

    /** Where a new consumer group starts. */
    public enum StartFrom { EARLIEST, LATEST }

    /** The task's watermark of a partition of a source; {@link Long#MIN_VALUE} when it has none. */
    @FunctionalInterface
    public interface PartitionWatermarks {
        long watermarkOf(int source, int partition);
    }

    /** How often the backlog of partitions assigned elsewhere is refreshed; each refresh is two or three requests. */
    private static final long BACKLOG_REFRESH_NANOS = 1_000_000_000L;
    /**
     * A refresh unanswered this long makes the backlog it would update unknown: the last answer is too old to say
     * nothing waits there. Its requests carry on (they give up after {@link #BACKLOG_REQUEST_TIMEOUT_MS}).
     */
    private static final long BACKLOG_STALE_NANOS = 1_000_000_000L;
    private static final int BACKLOG_REQUEST_TIMEOUT_MS = 5_000;
    /** With every partition assigned, only the partition count is refreshed. */
    private static final long COUNT_REFRESH_NANOS = 30_000_000_000L;
    /** A refresh must not stall the task thread long when the broker is away: unknown backlog holds back anyway. */
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(1);
    private static final long DEFERRED_COMMIT_RETRY_NANOS = 1_000_000_000L;

    private final KafkaConsumer<byte[], byte[]> consumer;
    /** The topics, by source index. */
    private final String[] topics;
    private final Map<String, Integer> sourceIndex = new HashMap<>();
    private final String groupId;
    private final String groupInstanceId;
    private final StartFrom startFrom;
    private final long sessionTimeoutMs;
    /** The consumer's {@code session.timeout.ms} when not set (Kafka's default since 3.0, KIP-735; not a public constant). */
    private static final long DEFAULT_SESSION_TIMEOUT_MS = 45_000;
    /** By source index: the partitions this instance owns. */
    private final TreeSet<Integer>[] assigned;
    /** Where a partition resumes when it is first assigned: restored from a checkpoint, applied as they are. */
    private final Map<TopicPartition, Long> restoredPositions = new HashMap<>();
    /** Where this reader stopped in a partition it was revoked; resumed from unless the group committed beyond. */
    private final Map<TopicPartition, Long> stoppedPositions = new HashMap<>();
    /** By source, by partition, for partitions not assigned here: the watermark their owner committed with. */
    private final long[][] reported;
    /** The task's watermark of an assigned partition, committed beside its offset as the partition's report. */
    private PartitionWatermarks liveWatermarks = (source, partition) -> Long.MIN_VALUE;
    /** By source: the topic's partition count, -1 until known. */
    private final int[] partitionCount;
    /** By source, by partition, for partitions not assigned here: records between resume position and end; -1 unknown. */
    private final long[][] backlog;
    private long nextRefreshNanos = Long.MIN_VALUE;
    private final KafkaConnection connection;
    private final IsolationLevel isolation;
    /** For the partition count and the backlog of partitions assigned elsewhere; made at the first refresh. */
    private Admin backlogAdmin;
    /** The backlog refresh whose answers are awaited; null when none is. */
    private BacklogRefresh inFlight;
    /** Offsets a rebalance kept from being committed, to retry; newer offsets of a partition replace older ones. */
    private final Map<TopicPartition, OffsetAndMetadata> deferredCommit = new HashMap<>();
    private int deferredAttempts;
    private long nextDeferredRetryNanos;
    private PartitionListener listener;
    private Runnable beforeRevokeCommit = () -> { };
    /** {@link #offsetsInTransactions()}: offsets commit in the owner's transactions, never here. */
    private boolean offsetsInTransactions;
    private boolean subscribed;
    // The records of the current batch, for keyOf(): dead letters arrive in batch order, so a cursor finds them.
    private ConsumerRecord<byte[], byte[]>[] current = newArray(0);
    private int[] currentSources = new int[0];
    private int currentSize;
    private int keyCursor;

    /**
     * The key and headers of a record in the task's batch, read from its {@code ConsumerRecord} (the batch's handle)
     * only when the engine asks (a dead letter, a late record, an operator reading its record context).
     */
    private static final RecordMetadata RECORD_METADATA = new RecordMetadata() {
        @Override
        public byte[] key(Object handle) {
            return record(handle).key();
        }

        @Override
        public int headerCount(Object handle) {
            return record(handle).headers().toArray().length;
        }

        @Override
        public String headerName(Object handle, int i) {
            return record(handle).headers().toArray()[i].key();
        }

        @Override
        public byte[] headerValue(Object handle, int i) {
            return record(handle).headers().toArray()[i].value();
        }

        @SuppressWarnings("unchecked")
        private ConsumerRecord<byte[], byte[]> record(Object handle) {
            return (ConsumerRecord<byte[], byte[]>) handle;
        }
    };

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
        this(connection, List.of(Objects.requireNonNull(topic, "topic")), groupId, startFrom, groupInstanceId);
    }

    /**
     * Creates one consumer for several topics; nothing is read before the first {@link #poll}.
     *
     * @param topics the input topics, source 0 first; each must exist (check first, a consumer waits for a missing
     *               topic forever) and appear once
     * @throws IllegalArgumentException when {@code topics} is empty or names a topic twice
     * @see #KafkaSourceReader(KafkaConnection, String, String, StartFrom, String)
     */
    @SuppressWarnings("unchecked")
    public KafkaSourceReader(KafkaConnection connection, List<String> topics, String groupId, StartFrom startFrom,
                             String groupInstanceId) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a Kafka source needs at least one topic");
        }
        this.topics = topics.toArray(new String[0]);
        for (int i = 0; i < this.topics.length; i++) {
            if (sourceIndex.putIfAbsent(Objects.requireNonNull(this.topics[i], "topic"), i) != null) {
                throw new IllegalArgumentException("topic '" + this.topics[i] + "' is named twice; each input topic is"
                        + " read once");
            }
        }
        int n = this.topics.length;
        this.assigned = new TreeSet[n];
        this.reported = new long[n][];
        this.backlog = new long[n][];
        this.partitionCount = new int[n];
        for (int i = 0; i < n; i++) {
            assigned[i] = new TreeSet<>();
            reported[i] = new long[0];
            backlog[i] = new long[0];
            partitionCount[i] = -1;
        }
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
        // One topic: incremental rebalances, so a member joining or leaving takes away only the partitions that move
        // and the others keep reading. Several topics: the range assignor, which gives partition p of every topic
        // (of equal partition counts) to the same member, so that a key's records of co-partitioned topics (a join's
        // two sides) meet on one instance; its rebalances are eager, which the stopped positions below make safe.
        // The consumer protocol (group.protocol=consumer, KIP-848) assigns on the broker and refuses the setting.
        Object protocol = p.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        if (protocol == null || protocol.toString().trim().toLowerCase(Locale.ROOT).equals("classic")) {
            p.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, topics.size() == 1
                    ? CooperativeStickyAssignor.class.getName() : RangeAssignor.class.getName());
        }
        try {
            this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new KafkaConnectorException("bad Kafka consumer configuration: " + KafkaConnection.rootMessage(e), e);
        }
        this.connection = connection;
        // End offsets as this consumer sees them: the last stable offset under read_committed.
        Object isolationLevel = p.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        this.isolation = isolationLevel != null && isolationLevel.toString().trim().equalsIgnoreCase("read_uncommitted")
                ? IsolationLevel.READ_UNCOMMITTED : IsolationLevel.READ_COMMITTED;
        this.groupId = groupId;
        Object instance = p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        this.groupInstanceId = instance == null ? null : instance.toString();
        this.startFrom = startFrom;
        Object session = p.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        long sessionMs = DEFAULT_SESSION_TIMEOUT_MS;
        if (session != null) {
            try {
                sessionMs = Long.parseLong(session.toString().trim());
            } catch (NumberFormatException e) {
                // The consumer itself refused it above; keep the default for the arithmetic.
            }
        }
        this.sessionTimeoutMs = sessionMs;
    }

    /**
     * The consumer's {@code session.timeout.ms}: how long the group keeps a member that stopped answering (a crashed
     * instance) and its partitions.
     */
    public long sessionTimeoutMs() {
        return sessionTimeoutMs;
    }

    @Override
    public int sourceCount() {
        return topics.length;
    }

    /** Where a partition without committed offset starts ({@code auto.offset.reset}). */
    public StartFrom startFrom() {
        return startFrom;
    }

    /** The source index of {@code topic}, or -1 when this reader does not read it. */
    public int sourceOf(String topic) {
        Integer i = sourceIndex.get(topic);
        return i == null ? -1 : i;
    }

    /** The topics this reader consumes, by source index. */
    public List<String> topics() {
        return List.of(topics);
    }

    /** Positions of source 0. */
    @Override
    public void restorePositions(Map<Integer, Long> nextOffsets) {
        restorePositions(0, nextOffsets);
    }

    @Override
    public void restorePositions(int source, Map<Integer, Long> nextOffsets) {
        String topic = topicAt(source);
        for (Map.Entry<Integer, Long> e : nextOffsets.entrySet()) {
            restoredPositions.put(new TopicPartition(topic, e.getKey()), e.getValue());
        }
    }

    /**
     * Positions restored from a checkpoint, each applied to the source reading its topic.
     *
     * @throws IllegalArgumentException naming the topic when a position belongs to a topic this reader does not read:
     *                                  the checkpoint was taken reading other topics
     */
    public void restorePositions(Collection<SourcePosition> positions) {
        for (SourcePosition p : positions) {
            if (sourceOf(p.topic()) < 0) {
                throw new IllegalArgumentException("the checkpoint holds a position in topic '" + p.topic()
                        + "', which this job does not read (it reads " + String.join(", ", topics) + ")");
            }
        }
        for (SourcePosition p : positions) {
            restoredPositions.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset());
        }
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
            int size = Math.max(n, current.length * 2);
            current = newArray(size);
            currentSources = new int[size];
        }
        currentSize = 0;
        keyCursor = 0;
        boolean one = topics.length == 1;
        batch.metadata(RECORD_METADATA);
        String runTopic = null;
        int source = 0;
        for (ConsumerRecord<byte[], byte[]> r : records) {
            // One topic: no lookup per record. Several: a hash lookup of the record's topic string once per run of
            // records of one fetched partition, which all share one topic string instance.
            if (!one && r.topic() != runTopic) {
                runTopic = r.topic();
                source = sourceIndex.get(runTopic);
            }
            currentSources[currentSize] = source;
            current[currentSize++] = r;
            byte[] value = r.value();
            batch.add(source, r.partition(), r.offset(), r.timestamp(), value, 0, value == null ? 0 : value.length, r);
        }
        return true;
    }

    private void subscribe() {
        consumer.subscribe(List.of(topics), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (partitions.isEmpty()) {
                    return;
                }
                // Positions first, while the consumer still has them; revoked partitions included, which the task
                // forgets when told of the revocation.
                Map<TopicPartition, Long> positions = allPositions();
                try {
                    beforeRevokeCommit.run();
                    if (!offsetsInTransactions) {
                        commitOffsets(withLiveWatermarks(positions));
                    }
                } catch (FencedInstanceIdException e) {
                    throw fenced(e);
                } catch (RuntimeException e) {
                    LOG.warn("flushing output and committing offsets before a rebalance failed; records since the last"
                            + " commit will be read again: {}", KafkaConnection.rootMessage(e));
                }
                revoke(partitions, positions, false);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Another member owns them already: a commit would be rejected. Where this reader stopped is still
                // where its windows stopped, should the partitions come back.
                Map<TopicPartition, Long> positions = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    try {
                        positions.put(tp, consumer.position(tp, METADATA_TIMEOUT));
                    } catch (RuntimeException e) {
                        // No position: the partition resumes at the group's committed offset.
                    }
                }
                revoke(partitions, positions, true);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The one moment the member id is known and the consumer may be asked on this thread.
                memberId = consumer.groupMetadata().memberId();
                Map<TopicPartition, OffsetAndMetadata> committed = committedOf(partitions);
                for (TopicPartition tp : partitions) {
                    int source = sourceOf(tp.topic());
                    if (source < 0) {
                        continue; // not subscribed: cannot happen with subscribe(topics), and must not reach the task
                    }
                    Long resume = restoredPositions.remove(tp);
                    // In transactions, where this reader stopped is state that was committed or dropped with its
                    // task: the committed offset (the owner restores its snapshot's) is the only truth.
                    Long stopped = offsetsInTransactions ? null : stoppedPositions.remove(tp);
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
                    setBacklog(source, tp.partition(), -1);
                    if (assigned[source].add(tp.partition())) {
                        listener.partitionAssigned(source, tp.partition());
                    }
                }
                if (!partitions.isEmpty()) {
                    LOG.info("assigned partitions {}", describe(partitions));
                }
            }
        });
    }

    private void revoke(Collection<TopicPartition> partitions, Map<TopicPartition, Long> positions, boolean lost) {
        // A deferred offset belongs to this ownership of its partition: should the partition come back, another
        // member may have committed past it meanwhile, and retrying it then would move the group's offset back.
        deferredCommit.keySet().removeAll(partitions);
        for (TopicPartition tp : partitions) {
            int source = sourceOf(tp.topic());
            if (source < 0) {
                continue;
            }
            Long position = positions.get(tp);
            if (position != null) {
                stoppedPositions.put(tp, position);
            }
            setBacklog(source, tp.partition(), -1);
            if (assigned[source].remove(tp.partition()) && listener != null) {
                if (lost) {
                    listener.partitionLost(source, tp.partition());
                } else {
                    listener.partitionRevoked(source, tp.partition());
                }
            }
        }
        nextRefreshNanos = Long.MIN_VALUE;
        if (!partitions.isEmpty()) {
            LOG.info("revoked partitions {}", describe(partitions));
        }
    }

    /** {@code [0, 1, 2] of flink-events}, or for several topics {@code [0, 1] of orders, [0] of payments}. */
    private String describe(Collection<TopicPartition> partitions) {
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (String t : topics) {
            byTopic.put(t, new ArrayList<>());
        }
        for (TopicPartition tp : partitions) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            e.getValue().sort(null);
            sb.append(sb.length() == 0 ? "" : ", ").append(e.getValue()).append(" of ").append(e.getKey());
        }
        return sb.toString();
    }

    /** {@link #keyOf(int, int, long)} of source 0. */
    public byte[] keyOf(int partition, long offset) {
        return keyOf(0, partition, offset);
    }

    /**
     * The key of the record of {@code source} at {@code partition}/{@code offset} in the batch of the last
     * {@link #poll}; null when it has none or is not in that batch. Cheap when asked in batch order, as the engine
     * reports dead letters.
     */
    public byte[] keyOf(int source, int partition, long offset) {
        for (int scanned = 0; scanned < currentSize; scanned++) {
            int i = (keyCursor + scanned) % currentSize;
            ConsumerRecord<byte[], byte[]> r = current[i];
            if (r.partition() == partition && r.offset() == offset && currentSources[i] == source) {
                keyCursor = i;
                return r.key();
            }
        }
        return null;
    }

    @Override
    public String topicOf(int partition) {
        return topics[0];
    }

    @Override
    public String topicOf(int source, int partition) {
        return source >= 0 && source < topics.length ? topics[source] : "";
    }

    @Override
    public long lag(int partition) {
        return lag(0, partition);
    }

    @Override
    public long lag(int source, int partition) {
        if (source < 0 || source >= topics.length) {
            return -1;
        }
        if (!assigned[source].contains(partition)) {
            long[] b = backlog[source];
            return partition >= 0 && partition < b.length ? b[partition] : -1;
        }
        OptionalLong lag = consumer.currentLag(new TopicPartition(topics[source], partition));
        return lag.isPresent() ? lag.getAsLong() : -1;
    }

    /**
     * This consumer's member id in its group, as of the last assignment; empty before the first. Any thread (the web
     * UI uses it to tell this instance among the group's members).
     */
    public String memberId() {
        return memberId;
    }

    /** The partition count of source 0's topic. */
    @Override
    public int partitionCount() {
        return partitionCount(0);
    }

    /** The topic's partition count, from the client's metadata; -1 until the first answer. */
    @Override
    public int partitionCount(int source) {
        if (source < 0 || source >= topics.length) {
            return -1;
        }
        if (partitionCount[source] < 0) {
            try {
                refreshPartitionCount(source);
            } catch (WakeupException e) {
                // A stop request: the next poll returns at once.
            } catch (KafkaException e) {
                LOG.debug("partition count of {} unknown for now: {}", topics[source], KafkaConnection.rootMessage(e));
            }
        }
        return partitionCount[source];
    }

    private void refreshPartitionCount(int source) {
        List<PartitionInfo> infos = consumer.partitionsFor(topics[source], METADATA_TIMEOUT);
        if (infos != null && infos.size() > partitionCount[source]) {
            partitionCount[source] = infos.size();
        }
    }

    /**
     * Refreshes the partition counts and the backlog of the partitions assigned elsewhere, of every topic; at most
     * once a second while some are, every 30 s otherwise. Never blocks on the broker: the requests go out through an
     * admin client and a later call applies their answers. An answer that fails, or is not there within a second,
     * leaves their backlog unknown, which holds the watermark back.
     */
    private void refreshTopicView() {
        long now = System.nanoTime();
        if (inFlight != null) {
            if (!inFlight.answered()) {
                if (now - inFlight.startedNanos - BACKLOG_STALE_NANOS > 0) {
                    for (TopicPartition tp : inFlight.partitions) {
                        setBacklog(sourceIndex.get(tp.topic()), tp.partition(), -1);
                    }
                }
                return;
            }
            apply(inFlight);
            inFlight = null;
        }
        if (nextRefreshNanos != Long.MIN_VALUE && now - nextRefreshNanos < 0) {
            return;
        }
        Set<TopicPartition> others = new HashSet<>();
        boolean allCounted = true;
        for (int s = 0; s < topics.length; s++) {
            if (partitionCount[s] < 0) {
                // Until a count is first known (at start, when the broker was just reached): the consumer's metadata.
                // Later refreshes learn of added partitions from the admin client's answer, without blocking.
                try {
                    refreshPartitionCount(s);
                } catch (WakeupException | FencedInstanceIdException e) {
                    throw e;
                } catch (KafkaException e) {
                    LOG.debug("partition count of {} unknown for now: {}", topics[s], KafkaConnection.rootMessage(e));
                }
            }
            int count = partitionCount[s];
            allCounted &= count > 0;
            for (int p = 0; p < count; p++) {
                if (!assigned[s].contains(p)) {
                    others.add(new TopicPartition(topics[s], p));
                }
            }
            if (backlog[s].length < count) {
                int old = backlog[s].length;
                backlog[s] = Arrays.copyOf(backlog[s], count);
                Arrays.fill(backlog[s], old, count, -1);
                reported[s] = Arrays.copyOf(reported[s], count);
                Arrays.fill(reported[s], old, count, Long.MIN_VALUE);
            }
        }
        try {
            inFlight = startRefresh(others, now);
        } catch (KafkaException e) {
            for (TopicPartition tp : others) {
                setBacklog(sourceIndex.get(tp.topic()), tp.partition(), -1);
            }
            LOG.debug("backlog of {} partitions assigned elsewhere unknown for now: {}", String.join(", ", topics),
                    KafkaConnection.rootMessage(e));
        }
        nextRefreshNanos = now + (others.isEmpty() && allCounted ? COUNT_REFRESH_NANOS : BACKLOG_REFRESH_NANOS);
    }

    /** Sends the requests of one refresh (every topic's partition count, and the backlog of {@code others}); returns at once. */
    private BacklogRefresh startRefresh(Set<TopicPartition> others, long now) {
        if (backlogAdmin == null) {
            backlogAdmin = connection.admin("flinklite-source-backlog", BACKLOG_REQUEST_TIMEOUT_MS, BACKLOG_REQUEST_TIMEOUT_MS);
        }
        Map<String, KafkaFuture<TopicDescription>> descriptions =
                backlogAdmin.describeTopics(Arrays.asList(topics)).topicNameValues();
        if (others.isEmpty()) {
            return new BacklogRefresh(others, descriptions, null, null, null, now);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicPartition tp : others) {
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }
        ListOffsetsOptions options = new ListOffsetsOptions(isolation);
        KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> ends =
                backlogAdmin.listOffsets(latest, options).all();
        KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> beginnings =
                startFrom == StartFrom.EARLIEST ? backlogAdmin.listOffsets(earliest, options).all() : null;
        KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed = backlogAdmin.listConsumerGroupOffsets(
                Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(others))).partitionsToOffsetAndMetadata(groupId);
        return new BacklogRefresh(others, descriptions, ends, beginnings, committed, now);
    }

    /** Applies the answers of a refresh: every answer there, or the backlog of its partitions unknown. */
    private void apply(BacklogRefresh refresh) {
        for (Map.Entry<String, KafkaFuture<TopicDescription>> d : refresh.descriptions.entrySet()) {
            int source = sourceIndex.get(d.getKey());
            try {
                int count = d.getValue().get().partitions().size();
                if (count > partitionCount[source]) {
                    partitionCount[source] = count;
                    nextRefreshNanos = System.nanoTime(); // at once: the new partitions' backlog is what holds back now
                }
            } catch (ExecutionException e) {
                LOG.debug("partition count of {} unknown for now: {}", d.getKey(), KafkaConnection.rootMessage(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (refresh.ends == null) {
            return;
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends;
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> beginnings;
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            ends = refresh.ends.get();
            beginnings = refresh.beginnings == null ? Map.of() : refresh.beginnings.get();
            committed = refresh.committed.get();
        } catch (ExecutionException e) {
            for (TopicPartition tp : refresh.partitions) {
                setBacklog(sourceIndex.get(tp.topic()), tp.partition(), -1);
            }
            LOG.debug("backlog of {} partitions assigned elsewhere unknown for now: {}", String.join(", ", topics),
                    KafkaConnection.rootMessage(e));
            return;
        } catch (InterruptedException e) {
            // Unreachable (every future is done), but keep the flag for whoever asked.
            Thread.currentThread().interrupt();
            return;
        }
        for (TopicPartition tp : refresh.partitions) {
            int source = sourceIndex.get(tp.topic());
            if (assigned[source].contains(tp.partition())) {
                continue; // assigned since the refresh was sent: lag() asks the consumer now
            }
            ListOffsetsResult.ListOffsetsResultInfo endInfo = ends.get(tp);
            Long end = endInfo == null ? null : endInfo.offset();
            Long resume = restoredPositions.get(tp);
            OffsetAndMetadata c = committed.get(tp);
            Long stopped = stoppedPositions.get(tp);
            if (resume == null && c != null) {
                resume = stopped != null ? Math.max(stopped, c.offset()) : c.offset();
            }
            if (resume == null) {
                resume = stopped;
            }
            setReported(source, tp.partition(), c == null ? Long.MIN_VALUE : WatermarkReport.parse(c.metadata()));
            if (resume == null) {
                ListOffsetsResult.ListOffsetsResultInfo beginning = beginnings.get(tp);
                resume = startFrom == StartFrom.EARLIEST ? (beginning == null ? null : beginning.offset()) : end;
            }
            setBacklog(source, tp.partition(), end == null || resume == null ? -1 : Math.max(0, end - resume));
        }
    }

    /** The requests of one refresh, sent at {@code startedNanos}; the backlog ones null when no partition is elsewhere. */
    private static final class BacklogRefresh {
        final Set<TopicPartition> partitions;
        /** By topic. */
        final Map<String, KafkaFuture<TopicDescription>> descriptions;
        final KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> ends;
        /** Null when a group without offsets starts at the end (nothing before it counts). */
        final KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> beginnings;
        final KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed;
        final long startedNanos;

        BacklogRefresh(Set<TopicPartition> partitions, Map<String, KafkaFuture<TopicDescription>> descriptions,
                       KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> ends,
                       KafkaFuture<Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo>> beginnings,
                       KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> committed, long startedNanos) {
            this.partitions = partitions;
            this.descriptions = descriptions;
            this.ends = ends;
            this.beginnings = beginnings;
            this.committed = committed;
            this.startedNanos = startedNanos;
        }

        boolean answered() {
            for (KafkaFuture<TopicDescription> d : descriptions.values()) {
                if (!d.isDone()) {
                    return false;
                }
            }
            return ends == null || ends.isDone() && committed.isDone() && (beginnings == null || beginnings.isDone());
        }
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
            commitOffsets(Map.of());
        } catch (KafkaConnectorException e) {
            if (e.getCause() instanceof FencedInstanceIdException) {
                throw e;
            }
            LOG.debug("retrying a deferred offset commit failed: {}", e.getMessage());
        }
    }

    private void setBacklog(int source, int partition, long records) {
        long[] b = backlog[source];
        if (partition >= 0 && partition < b.length) {
            b[partition] = records;
        }
    }

    private void setReported(int source, int partition, long watermark) {
        long[] r = reported[source];
        if (partition >= 0 && partition < r.length) {
            r[partition] = watermark;
        }
    }

    /** The report of a partition of source 0. */
    @Override
    public long reportedWatermark(int partition) {
        return reportedWatermark(0, partition);
    }

    /**
     * The watermark another member committed with the offset of a partition this reader is not assigned (its
     * report, see {@link #commit(Map, Map)}); {@link Long#MIN_VALUE} for an assigned partition or none known.
     */
    @Override
    public long reportedWatermark(int source, int partition) {
        if (source < 0 || source >= topics.length || assigned[source].contains(partition)) {
            return Long.MIN_VALUE;
        }
        long[] r = reported[source];
        return partition < 0 || partition >= r.length ? Long.MIN_VALUE : r[partition];
    }

    /** {@link #liveWatermarks(PartitionWatermarks)} for a reader of one topic: partition -> its watermark. */
    public void liveWatermarks(IntToLongFunction watermarkOf) {
        Objects.requireNonNull(watermarkOf, "watermarkOf");
        liveWatermarks((source, partition) -> source == 0 ? watermarkOf.applyAsLong(partition) : Long.MIN_VALUE);
    }

    /**
     * Where the task's watermark of each assigned partition stands now: committed beside the live positions (a
     * rebalance, {@link #commit()}) as the partition's report to other members. Task thread.
     */
    public void liveWatermarks(PartitionWatermarks watermarkOf) {
        this.liveWatermarks = Objects.requireNonNull(watermarkOf, "watermarkOf");
    }

    private Map<TopicPartition, OffsetAndMetadata> withLiveWatermarks(Map<TopicPartition, Long> positions) {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : positions.entrySet()) {
            TopicPartition tp = e.getKey();
            out.put(tp, offset(e.getValue(), liveWatermarks.watermarkOf(sourceIndex.get(tp.topic()), tp.partition())));
        }
        return out;
    }

    private static OffsetAndMetadata offset(long nextOffset, long watermark) {
        return new OffsetAndMetadata(nextOffset, watermark == Long.MIN_VALUE ? "" : WatermarkReport.format(watermark));
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOf(Collection<TopicPartition> partitions) {
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicPartition tp : partitions) {
            if (stoppedPositions.containsKey(tp) && !restoredPositions.containsKey(tp)) {
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

    /** The topic of source 0. */
    public String topic() {
        return topics[0];
    }

    /** The partitions of source 0 this instance owns now, ascending. */
    public int[] assignedPartitions() {
        return assignedPartitions(0);
    }

    /** The partitions of {@code source} this instance owns now, ascending. */
    public int[] assignedPartitions(int source) {
        int[] out = new int[assigned[source].size()];
        int i = 0;
        for (int p : assigned[source]) {
            out[i++] = p;
        }
        return out;
    }

    /**
     * Commits the current position of every assigned partition of every topic, each with its live watermark:
     * everything polled so far counts as processed.
     *
     * @throws KafkaConnectorException when the commit fails (for example the group rebalanced meanwhile)
     */
    public void commit() {
        commitOffsets(withLiveWatermarks(allPositions()));
    }

    /**
     * Commits the given next-offsets of source 0 (partition -> offset of the next record to read).
     *
     * @throws KafkaConnectorException when the commit fails
     */
    public void commit(Map<Integer, Long> nextOffsets) {
        commit(nextOffsets, Map.of());
    }

    /**
     * Commits the positions of source 0 processed so far (between batches), each with the partition's live
     * watermark ({@link #liveWatermarks}) as its report.
     *
     * @throws KafkaConnectorException when the commit fails for another reason than a rebalance in progress
     */
    public void commitProcessed(Map<Integer, Long> nextOffsets) {
        commitProcessed(List.of(nextOffsets));
    }

    /**
     * Commits the positions processed so far of every source, in one request: element {@code s} of the list holds
     * source {@code s}'s partition -> next offset; each with the partition's live watermark as its report.
     *
     * @throws KafkaConnectorException when the commit fails for another reason than a rebalance in progress
     */
    public void commitProcessed(List<Map<Integer, Long>> nextOffsetsBySource) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (int s = 0; s < nextOffsetsBySource.size(); s++) {
            String topic = topicAt(s);
            for (Map.Entry<Integer, Long> e : nextOffsetsBySource.get(s).entrySet()) {
                positions.put(new TopicPartition(topic, e.getKey()), e.getValue());
            }
        }
        commitOffsets(withLiveWatermarks(positions));
    }

    /**
     * Commits the given next-offsets of source 0, each with the partition's watermark at that offset as its metadata
     * (see {@link WatermarkReport}): the report other members of the group hold their watermark at while they do not
     * own the partition.
     *
     * @param watermarks partition -> its watermark at the offset committed; partitions missing carry no report
     * @throws KafkaConnectorException when the commit fails for another reason than a rebalance in progress
     */
    public void commit(Map<Integer, Long> nextOffsets, Map<Integer, Long> watermarks) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (Map.Entry<Integer, Long> e : nextOffsets.entrySet()) {
            Long w = watermarks.get(e.getKey());
            offsets.put(new TopicPartition(topics[0], e.getKey()), offset(e.getValue(), w == null ? Long.MIN_VALUE : w));
        }
        commitOffsets(offsets);
    }

    /**
     * Commits a checkpoint's positions, of any of this reader's topics, each with its watermark as its report; in one
     * request.
     *
     * @throws IllegalArgumentException when a position names a topic this reader does not read
     * @throws KafkaConnectorException  when the commit fails for another reason than a rebalance in progress
     */
    public void commit(Collection<SourcePosition> positions) {
        commitOffsets(offsetsOf(positions));
    }

    /**
     * Positions as the offsets a commit sends, each with its watermark as its report.
     *
     * @throws IllegalArgumentException when a position names a topic this reader does not read
     */
    Map<TopicPartition, OffsetAndMetadata> offsetsOf(Collection<SourcePosition> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (SourcePosition p : positions) {
            if (sourceOf(p.topic()) < 0) {
                throw new IllegalArgumentException("position in topic '" + p.topic() + "', which this reader does not read");
            }
            offsets.put(new TopicPartition(p.topic(), p.partition()), offset(p.nextOffset(), p.watermarkMs()));
        }
        return offsets;
    }

    /**
     * The consumer's group metadata (member, generation): what a transaction's offsets are committed with, so the
     * group coordinator refuses them from a member whose partitions moved on (KIP-447).
     */
    ConsumerGroupMetadata groupMetadata() {
        return consumer.groupMetadata();
    }

    /**
     * From now on this reader never commits offsets itself: a rebalance runs {@link #beforeRevokeCommit} only, and
     * offsets are committed inside the owner's Kafka transactions ({@link KafkaOutput#commitTransaction}). For a
     * scaled-out exactly-once instance, whose offsets must commit atomically with its output.
     *
     * @throws IllegalStateException when the consumer reads {@code read_uncommitted} (a {@code --kafka-property}):
     *                               it would see records of aborted transactions
     */
    public void offsetsInTransactions() {
        if (isolation != IsolationLevel.READ_COMMITTED) {
            throw new IllegalStateException("exactly-once needs isolation.level=read_committed; remove the"
                    + " --kafka-property isolation.level=read_uncommitted");
        }
        offsetsInTransactions = true;
    }

    /**
     * The group's committed offset of a partition (waiting for one a transaction is still completing: the consumer
     * asks for stable offsets under {@code read_committed}), or -1 when the group has none.
     *
     * @throws KafkaConnectorException when the broker does not answer within the connection's timeout
     */
    public long committedOffset(int source, int partition) {
        TopicPartition tp = new TopicPartition(topicAt(source), partition);
        try {
            Map<TopicPartition, OffsetAndMetadata> c = consumer.committed(Set.of(tp),
                    Duration.ofMillis(connection.connectTimeoutMs()));
            OffsetAndMetadata o = c == null ? null : c.get(tp);
            return o == null ? -1 : o.offset();
        } catch (FencedInstanceIdException e) {
            throw fenced(e);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            throw new KafkaConnectorException("cannot read the committed offset of " + tp + " in group '" + groupId
                    + "': " + KafkaConnection.rootMessage(e), e);
        }
    }

    /**
     * Moves the next read of an assigned partition back to the group's committed offset, or to its start or end
     * ({@code whenNone}) when there is none: for a task dropped with its uncommitted state and re-created without a
     * snapshot. Task thread only.
     */
    public void rewind(int source, int partition, StartFrom whenNone) {
        long committed = committedOffset(source, partition);
        TopicPartition tp = new TopicPartition(topicAt(source), partition);
        if (committed >= 0) {
            seek(source, partition, committed);
        } else if (whenNone == StartFrom.EARLIEST) {
            consumer.seekToBeginning(List.of(tp));
        } else {
            consumer.seekToEnd(List.of(tp));
        }
    }

    private void commitOffsets(Map<TopicPartition, OffsetAndMetadata> given) {
        // Offsets a rebalance deferred go along, unless the partition moved away meanwhile (its new owner commits it).
        for (Iterator<TopicPartition> it = deferredCommit.keySet().iterator(); it.hasNext(); ) {
            TopicPartition tp = it.next();
            if (!assigned[sourceIndex.get(tp.topic())].contains(tp.partition())) {
                it.remove();
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(deferredCommit);
        offsets.putAll(given);
        if (offsets.isEmpty()) {
            return;
        }
        String names = String.join(", ", topics);
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
            deferredCommit.putAll(offsets);
            nextDeferredRetryNanos = System.nanoTime() + DEFERRED_COMMIT_RETRY_NANOS;
            if (deferredAttempts++ == 0) {
                LOG.info("offset commit of {} deferred while group {} rebalances; retrying until it is through ({})",
                        names, groupId, KafkaConnection.rootMessage(e));
            }
            return;
        } catch (FencedInstanceIdException e) {
            throw fenced(e);
        } catch (KafkaException e) {
            throw new KafkaConnectorException("committing offsets of " + names + " failed: " + KafkaConnection.rootMessage(e), e);
        }
        deferredCommit.clear();
        if (deferredAttempts > 0) {
            LOG.info("offsets of {} committed again after the rebalance ({} attempts deferred)", names, deferredAttempts);
            deferredAttempts = 0;
        }
    }

    /** The position (offset of the next record to read) of every assigned partition of source 0. */
    public Map<Integer, Long> currentPositions() {
        return currentPositions(0);
    }

    /** The position (offset of the next record to read) of every assigned partition of {@code source}. */
    public Map<Integer, Long> currentPositions(int source) {
        Map<Integer, Long> positions = new HashMap<>();
        for (int p : assigned[source]) {
            positions.put(p, consumer.position(new TopicPartition(topics[source], p)));
        }
        return positions;
    }

    private Map<TopicPartition, Long> allPositions() {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (int s = 0; s < topics.length; s++) {
            for (int p : assigned[s]) {
                TopicPartition tp = new TopicPartition(topics[s], p);
                positions.put(tp, consumer.position(tp));
            }
        }
        return positions;
    }

    private String topicAt(int source) {
        if (source < 0 || source >= topics.length) {
            throw new IllegalArgumentException("this reader has " + topics.length + " source(s) ("
                    + String.join(", ", topics) + "); no source " + source);
        }
        return topics[source];
    }

    /**
     * Work to do before the offsets of revoked partitions are committed, typically flushing the output so that no
     * committed record's results are still in flight. Runs on the task thread, inside {@link #poll} or {@link #close()}.
     */
    /**
     * Moves the next read of an assigned partition to {@code nextOffset}: for a listener that restores a partition's
     * own state when it is assigned ({@link PartitionListener#partitionAssigned(int, int)}, called inside
     * {@link #poll} on the task thread, before any record of the partition is returned) and resumes where that state
     * was taken. Task thread only.
     *
     * @throws IllegalStateException when the partition is not assigned to this reader
     */
    public void seek(int source, int partition, long nextOffset) {
        if (!assigned[source].contains(partition)) {
            throw new IllegalStateException(topicAt(source) + "-" + partition + " is not assigned to this reader");
        }
        consumer.seek(new TopicPartition(topicAt(source), partition), nextOffset);
    }

    /**
     * Starts {@code source}'s {@code partition} at its end unless the group committed an offset for it: "latest" for
     * one topic of a reader whose policy is "earliest" (a scaled-out job's input under {@code --start-from latest},
     * its repartition topic always from the start). The end is looked up now, not at the next fetch, so records
     * written after this call are read. Task thread, typically inside a rebalance callback ({@link PartitionListener}).
     *
     * @return true when it moved to the end, false when the group's committed offset stands
     */
    public boolean seekToEndUnlessCommitted(int source, int partition) {
        if (!assigned[source].contains(partition)) {
            throw new IllegalStateException(topicAt(source) + "-" + partition + " is not assigned to this reader");
        }
        TopicPartition tp = new TopicPartition(topicAt(source), partition);
        if (consumer.committed(java.util.Set.of(tp)).get(tp) != null) {
            return false;
        }
        consumer.seekToEnd(List.of(tp));
        consumer.position(tp);
        return true;
    }

    public void beforeRevokeCommit(Runnable flush) {
        this.beforeRevokeCommit = Objects.requireNonNull(flush, "flush");
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
        if (backlogAdmin != null) {
            try {
                backlogAdmin.close(Duration.ofSeconds(1));
            } catch (KafkaException e) {
                LOG.debug("closing the backlog admin client: {}", KafkaConnection.rootMessage(e));
            }
        }
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
