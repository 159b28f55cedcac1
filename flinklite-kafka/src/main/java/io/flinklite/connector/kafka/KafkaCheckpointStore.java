package io.flinklite.connector.kafka;

import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointValidator;
import io.flinklite.runtime.checkpoint.CorruptCheckpointException;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.json.CheckpointJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * Checkpoints in a compacted Kafka topic ({@code --checkpoint-store kafka}), so that instances on different machines
 * need nothing but Kafka to find their state.
 *
 * <p><b>Records.</b> Every record of a store is keyed {@code <task key>/...}, and all records of one task key go to
 * one partition (murmur2 of the task key, as Kafka's default partitioner hashes keys), so they stay in write order.
 * The task key names what a snapshot belongs to: today a job is one task reading every partition of its input, keyed
 * {@code <input topic>/*} ({@link #taskKeyOf}); once tasks move between instances a task is keyed by its own id (its
 * source partition, {@code <input topic>/<partition>}, or a repartition topic's partition), and nothing below
 * changes. For checkpoint {@code n} of task {@code T}:
 * <ul>
 *   <li>{@code T/n/chunk/<i>}: the checkpoint's JSON (the same bytes a checkpoint file holds, checksum included),
 *       cut into chunks that fit the topic's {@code max.message.bytes} and the producer's {@code max.request.size},
 *       each with headers {@code flinklite.checkpoint=n} and {@code flinklite.chunk=i/count};</li>
 *   <li>{@code T/n/manifest}, written after every chunk: {@code flinklite-checkpoint-manifest v1 id=n chunks=c
 *       bytes=b crc32c=x time=ms}. Only a checkpoint with a manifest exists for a reader, and the manifest's length
 *       and CRC-32C over the chunks (on top of the checkpoint's own checksum) catch a chunk of another write;</li>
 *   <li>{@code T/n/kept}: checkpoint {@code n} is kept (a savepoint): retention never removes it;</li>
 *   <li>{@code T/superseded}: {@code upTo=n}, written by {@code --fresh-start}: checkpoints up to {@code n} are
 *       neither restored nor continued.</li>
 * </ul>
 * Retention writes tombstones (null values) for the manifest and the chunks of checkpoints beyond the newest
 * {@code retain} that are not kept, so compaction removes them; chunks no manifest names (a write interrupted by a
 * crash) are tombstoned at the next {@link #prepare()}. Keys are never reused (ids only grow), so compaction can
 * never remove a live record: it removes only records a later record of the same key (a tombstone) superseded.
 *
 * <p><b>Ordering.</b> At-least-once: the chunks are written and acknowledged ({@code acks=all}, idempotent producer)
 * before the manifest is sent, and {@link #write} returns once the manifest is acknowledged; the job commits offsets
 * only after that. Exactly-once: chunks, manifest, results and offsets go into ONE Kafka transaction
 * ({@link TransactionalCommitter#commit(Checkpoint, List)}), so the snapshot is visible to a {@code read_committed}
 * reader exactly when its results and offsets are committed: there is no written-but-uncommitted checkpoint to roll
 * forward, and a crash at any moment leaves either the previous checkpoint or this one, complete. A scaled-out
 * exactly-once instance sends every owned task's snapshot into its one open transaction ({@link #inTransaction}),
 * committed with all its output and the offsets of all its tasks.
 *
 * <p><b>Reading.</b> The task's partition is read from the beginning to its end ({@code read_committed}: records of
 * aborted transactions never show), keeping the latest value of each key; the result is cached and updated by this
 * store's own writes. Memory: the live checkpoints' chunks (tombstoned ones are dropped as they are read).
 *
 * <p>Thread use: {@link #write} on one thread at a time (the checkpoint writer); the rest at startup and in the
 * {@code checkpoint} commands.
 */
public final class KafkaCheckpointStore implements CheckpointStore, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(KafkaCheckpointStore.class.getName());

    /** Header naming the checkpoint a chunk belongs to. */
    static final String CHECKPOINT_HEADER = "flinklite.checkpoint";
    /** Header {@code <index>/<count>} of a chunk. */
    static final String CHUNK_HEADER = "flinklite.chunk";
    private static final String MANIFEST_MAGIC = "flinklite-checkpoint-manifest v1";
    /** Headroom for the two headers' values growing (ids and indexes get longer). */
    private static final int HEADER_ROOM = 64;

    /** The topic of a job in consumer group {@code groupId} when {@code --checkpoint-topic} names none. */
    public static String defaultTopic(String groupId) {
        return groupId + "-checkpoints";
    }

    /** The key of today's only task of a job reading {@code inputTopic}: every partition of it. */
    public static String taskKeyOf(String inputTopic) {
        return inputTopic + "/*";
    }

    /**
     * The topic-level settings a checkpoint topic is created with. Compaction keeps the latest value of each key
     * forever; {@code min.compaction.lag.ms} 0 is safe because keys are never reused (see the class comment), and
     * small segments let the cleaner drop rotated checkpoints within minutes instead of after a 1 GiB segment fills,
     * which is also what a starting job has to read.
     */
    static Map<String, String> topicConfigs() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "0",
                TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 << 20),
                TopicConfig.SEGMENT_MS_CONFIG, Long.toString(TimeUnit.MINUTES.toMillis(10)),
                TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.5");
    }

    private final KafkaConnection connection;
    private final String topic;
    private final String taskKey;
    private final int retain;
    private final CheckpointValidator validator;
    private final TransactionalCommitter committer;
    /** The open transaction of a scaled-out exactly-once instance the snapshots are sent in; null otherwise. */
    private KafkaOutput transaction;
    private final int partition;
    private final int chunkBytes;
    /** The idempotent producer of at-least-once snapshots: this store's own, or one it was given to share. */
    private CheckpointProducer producer;
    /** Whether {@link #producer} is this store's to close. */
    private boolean ownsProducer = true;
    private View view;

    private KafkaCheckpointStore(KafkaConnection connection, String topic, String taskKey, int retain,
                                 CheckpointValidator validator, TransactionalCommitter committer, int partitions,
                                 int chunkBytes) {
        this.connection = connection;
        this.topic = topic;
        this.taskKey = taskKey;
        this.retain = retain;
        this.validator = validator;
        this.committer = committer;
        this.partition = partitionOf(taskKey, partitions);
        this.chunkBytes = chunkBytes;
    }

    /**
     * The store of task {@code taskKey} in {@code topic}, created when missing (compacted, {@link #topicConfigs()},
     * one partition, as many replicas as the cluster has brokers up to 3).
     *
     * @param committer the exactly-once transaction the checkpoints are written in; null under at-least-once (the
     *                  store writes with an idempotent producer of its own)
     * @throws KafkaConnectorException in one line when the cluster does not answer or refuses the topic
     */
    public static KafkaCheckpointStore create(KafkaConnection connection, String topic, String taskKey, int retain,
                                              CheckpointValidator validator, TransactionalCommitter committer) {
        // One admin client for every metadata call of opening the store: a scaled-out job opens a store per task it
        // is assigned, during the rebalance, and each client costs a connection and a metadata round trip.
        try (Admin admin = connection.admin()) {
            if (!connection.ensureTopic(admin, topic, 1, replicationFactor(connection, admin), topicConfigs())) {
                warnUnlessCompacted(connection, admin, topic);
            }
            return open(connection, admin, topic, taskKey, retain, validator, committer);
        }
    }

    /**
     * The store of task {@code taskKey} of a scaled-out exactly-once instance, as {@link #create}: each snapshot's
     * records (chunks, manifest, retention's tombstones) are sent into {@code transaction}, the instance's open
     * transaction, and become visible only when {@link KafkaOutput#commitTransaction} commits it with the task's
     * output and offsets; {@link #write} does not wait for them. An aborted snapshot never shows to a reader
     * ({@code read_committed}), so after an abort the task is re-created with a fresh store.
     */
    public static KafkaCheckpointStore inTransaction(KafkaConnection connection, String topic, String taskKey, int retain,
                                                     CheckpointValidator validator, KafkaOutput transaction) {
        if (!transaction.isTransactional()) {
            throw new IllegalArgumentException("the output of " + taskKey + " does not write in transactions");
        }
        KafkaCheckpointStore store = create(connection, topic, taskKey, retain, validator, null);
        store.transaction = transaction;
        return store;
    }

    /**
     * An existing topic is used as it is, but one that is not compacted deletes checkpoints by age (7 days by
     * default): a job stopped that long would restart without state, or not at all under exactly-once.
     */
    private static void warnUnlessCompacted(KafkaConnection connection, Admin admin, String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            ConfigEntry policy = admin.describeConfigs(List.of(resource)).all()
                    .get(connection.connectTimeoutMs(), TimeUnit.MILLISECONDS).get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            if (policy != null && policy.value() != null && !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                LOG.log(System.Logger.Level.WARNING, "checkpoint topic '" + topic + "' has cleanup.policy=" + policy.value()
                        + ", not compact: Kafka deletes its checkpoints by age (retention.ms), so a job stopped longer"
                        + " than that loses its state; set cleanup.policy=compact on it");
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot read the configuration of checkpoint topic '" + topic + "': "
                    + KafkaConnection.rootMessage(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The store of task {@code taskKey} in an existing {@code topic}, for reading ({@code checkpoint list},
     * {@code inspect}) or writing.
     *
     * @throws KafkaConnectorException in one line when the topic does not exist or the cluster does not answer
     */
    public static KafkaCheckpointStore open(KafkaConnection connection, String topic, String taskKey, int retain,
                                            CheckpointValidator validator, TransactionalCommitter committer) {
        try (Admin admin = connection.admin()) {
            return open(connection, admin, topic, taskKey, retain, validator, committer);
        }
    }

    private static KafkaCheckpointStore open(KafkaConnection connection, Admin admin, String topic, String taskKey,
                                             int retain, CheckpointValidator validator, TransactionalCommitter committer) {
        if (retain < 2) {
            throw new IllegalArgumentException("retain at least 2 checkpoints (a fallback for a damaged latest), got " + retain);
        }
        int partitions = connection.partitionCount(admin, topic, "give the topic with --checkpoint-topic, or run the job"
                + " with --checkpoint-store kafka, which creates it");
        Properties p = producerProperties(connection);
        RecordLimits limits = RecordLimits.of(connection, admin, p, List.of(topic));
        String longestKey = chunkKey(taskKey, Checkpoint.MAX_ID, Integer.MAX_VALUE);
        int headers = RecordLimits.headerSize(CHECKPOINT_HEADER, new byte[20]) + RecordLimits.headerSize(CHUNK_HEADER, new byte[24]);
        int chunk = limits.largestValue(topic, longestKey.getBytes(StandardCharsets.UTF_8).length, headers + HEADER_ROOM, 2);
        if (chunk < 1024) {
            throw new KafkaConnectorException("checkpoint topic '" + topic + "' accepts records of at most " + chunk
                    + " bytes of value (max.message.bytes, max.request.size): raise its max.message.bytes");
        }
        return new KafkaCheckpointStore(connection, topic, taskKey, retain, Objects.requireNonNull(validator, "validator"),
                committer, partitions, chunk);
    }

    /**
     * As {@link #create} under at-least-once, writing with {@code producer}, which the instance's other task stores
     * share and its owner closes (this store's {@link #close} does not).
     */
    public static KafkaCheckpointStore sharing(KafkaConnection connection, String topic, String taskKey, int retain,
                                               CheckpointValidator validator, CheckpointProducer producer) {
        KafkaCheckpointStore store = create(connection, topic, taskKey, retain, validator, null);
        store.producer = Objects.requireNonNull(producer, "producer");
        store.ownsProducer = false;
        return store;
    }

    private static Properties producerProperties(KafkaConnection connection) {
        // The transactional producer starts from the same settings (ProducerSettings), so the limits are the same.
        return CheckpointProducer.settings(connection);
    }

    private static int replicationFactor(KafkaConnection connection, Admin admin) {
        try {
            int brokers = admin.describeCluster().nodes().get(connection.connectTimeoutMs(), TimeUnit.MILLISECONDS).size();
            return Math.max(1, Math.min(3, brokers));
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // ensureTopic reports an unreachable cluster in its own words; the broker's default replication then.
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static int partitionOf(String taskKey, int partitions) {
        return Utils.toPositive(Utils.murmur2(taskKey.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    static String chunkKey(String taskKey, long id, int index) {
        return taskKey + "/" + id + "/chunk/" + index;
    }

    static String manifestKey(String taskKey, long id) {
        return taskKey + "/" + id + "/manifest";
    }

    static String keptKey(String taskKey, long id) {
        return taskKey + "/" + id + "/kept";
    }

    static String supersededKey(String taskKey) {
        return taskKey + "/superseded";
    }

    /** The topic the checkpoints are in. */
    public String topic() {
        return topic;
    }

    /** The task key the checkpoints are under. */
    public String taskKey() {
        return taskKey;
    }

    /** The largest chunk value this store writes, in bytes. */
    public int chunkBytes() {
        return chunkBytes;
    }

    @Override
    public String location() {
        return "topic '" + topic + "' (key " + taskKey + ") at " + connection.bootstrapServers();
    }

    /** Where checkpoint {@code id} is, for messages. */
    public String locationOf(long id) {
        return "checkpoint " + id + " in topic '" + topic + "' (key " + manifestKey(taskKey, id) + ")";
    }

    @Override
    public void prepare() throws IOException {
        View v = view();
        List<ProducerRecord<byte[], byte[]>> tombstones = new ArrayList<>();
        for (String key : v.orphanChunks()) {
            tombstones.add(record(key, null));
        }
        if (!tombstones.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "removing " + tombstones.size() + " checkpoint chunks without a manifest"
                    + " from " + location() + ", left by a write interrupted by a crash");
            sendAndAwait(tombstones);
            for (ProducerRecord<byte[], byte[]> r : tombstones) {
                v.apply(new String(r.key(), StandardCharsets.UTF_8), null, List.of());
            }
        }
    }

    @Override
    public long write(Checkpoint checkpoint) throws IOException {
        View v = view();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream(checkpoint.state().byteSize() + 4_096);
        CheckpointJson.write(checkpoint, encoded);
        byte[] bytes = encoded.toByteArray();
        long id = checkpoint.id();
        int chunks = Math.max(1, (bytes.length + chunkBytes - 1) / chunkBytes);
        List<ProducerRecord<byte[], byte[]>> chunkRecords = new ArrayList<>(chunks);
        for (int i = 0; i < chunks; i++) {
            int from = i * chunkBytes;
            int to = Math.min(bytes.length, from + chunkBytes);
            byte[] value = java.util.Arrays.copyOfRange(bytes, from, to);
            ProducerRecord<byte[], byte[]> r = record(chunkKey(taskKey, id, i), value);
            r.headers().add(CHECKPOINT_HEADER, Long.toString(id).getBytes(StandardCharsets.US_ASCII));
            r.headers().add(CHUNK_HEADER, (i + "/" + chunks).getBytes(StandardCharsets.US_ASCII));
            chunkRecords.add(r);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        Manifest manifest = new Manifest(id, chunks, bytes.length, crc.getValue(), checkpoint.timeMs());
        List<ProducerRecord<byte[], byte[]>> after = new ArrayList<>();
        after.add(record(manifestKey(taskKey, id), manifest.encode().getBytes(StandardCharsets.UTF_8)));
        List<Long> rotated = v.rotatedBy(id, retain);
        for (long old : rotated) {
            // The manifest first: from then on the chunks are orphans, harmless and tombstoned next.
            after.add(record(manifestKey(taskKey, old), null));
            Manifest m = v.manifests.get(old);
            // A damaged manifest names no chunk count: its chunks become orphans, removed at the next start.
            for (int i = 0; m != null && i < m.chunks; i++) {
                after.add(record(chunkKey(taskKey, old, i), null));
            }
        }
        if (transaction != null) {
            // One transaction holds chunks and manifest, so they show together or not at all: no order to wait for.
            for (ProducerRecord<byte[], byte[]> r : chunkRecords) {
                transaction.sendInTransaction(r);
            }
            for (ProducerRecord<byte[], byte[]> r : after) {
                transaction.sendInTransaction(r);
            }
        } else if (committer != null) {
            List<ProducerRecord<byte[], byte[]>> all = new ArrayList<>(chunkRecords);
            all.addAll(after);
            committer.commit(checkpoint, all);
        } else {
            // The manifest only once every chunk is acknowledged: a reader never finds a manifest without its chunks.
            sendAndAwait(chunkRecords);
            sendAndAwait(after);
        }
        // A running job never reads its checkpoints back: keep the manifests (retention needs them), not the chunks'
        // bytes, or the heap would hold the retained checkpoints' state on top of the live one. load() reads them
        // from the topic again if it is ever asked.
        v.dropChunkValues();
        for (ProducerRecord<byte[], byte[]> r : chunkRecords) {
            v.chunks.put(new String(r.key(), StandardCharsets.UTF_8), Chunk.notInMemory(headersOf(r)));
        }
        for (ProducerRecord<byte[], byte[]> r : after) {
            v.apply(new String(r.key(), StandardCharsets.UTF_8), r.value(), List.of());
        }
        return bytes.length;
    }

    private static List<Header> headersOf(ProducerRecord<byte[], byte[]> r) {
        List<Header> h = new ArrayList<>();
        r.headers().forEach(h::add);
        return h;
    }

    private ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>(topic, partition, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Sends with this store's own idempotent producer and waits until Kafka acknowledged every record. */
    private void sendAndAwait(List<ProducerRecord<byte[], byte[]>> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Producer<byte[], byte[]> p = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        try {
            for (ProducerRecord<byte[], byte[]> r : records) {
                sent.add(p.send(r));
            }
            p.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("writing to checkpoint topic '" + topic + "' failed: " + KafkaConnection.rootMessage(e), e);
        } catch (KafkaException e) {
            throw new IOException("writing to checkpoint topic '" + topic + "' failed: " + KafkaConnection.rootMessage(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted writing to checkpoint topic '" + topic + "'", e);
        }
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new CheckpointProducer(connection);
        }
        return producer.producer();
    }

    @Override
    public List<Long> ids() throws IOException {
        return view().retained(retain);
    }

    /** Ids of the kept checkpoints ({@link #keep}), newest first. */
    public List<Long> keptIds() throws IOException {
        List<Long> ids = new ArrayList<>(view().kept.descendingSet());
        ids.removeIf(id -> !view.manifests.containsKey(id));
        return ids;
    }

    /** The encoded size of checkpoint {@code id} as its manifest gives it; -1 when there is none. */
    public long sizeOf(long id) throws IOException {
        Manifest m = view().manifests.get(id);
        return m == null ? -1 : m.bytes;
    }

    @Override
    public OptionalLong highestId() throws IOException {
        long highest = view().highestId;
        return highest == 0 ? OptionalLong.empty() : OptionalLong.of(highest);
    }

    @Override
    public Checkpoint load(long id) throws IOException {
        View v = view();
        if (v.valuesDropped(taskKey, id)) {
            view = read();
            v = view;
        }
        Manifest m = v.manifests.get(id);
        if (m == null && v.damagedManifests.contains(id)) {
            throw new CorruptCheckpointException("its manifest (" + manifestKey(taskKey, id) + ") is not one FlinkLite writes");
        }
        if (m == null) {
            throw new NoSuchFileException(locationOf(id) + ": no such checkpoint");
        }
        if (m.bytes > DirectoryCheckpointStore.maxFileBytes()) {
            throw new CorruptCheckpointException("it is " + m.bytes + " bytes, more than the " + DirectoryCheckpointStore.maxFileBytes()
                    + " this JVM can restore (half its maximum heap; raise -Xmx to restore it)");
        }
        byte[] bytes = new byte[(int) m.bytes];
        int at = 0;
        for (int i = 0; i < m.chunks; i++) {
            Chunk c = v.chunks.get(chunkKey(taskKey, id, i));
            if (c == null || c.value == null) {
                throw new CorruptCheckpointException("chunk " + i + " of " + m.chunks + " is missing");
            }
            if (c.checkpointId != id || c.index != i || c.count != m.chunks) {
                throw new CorruptCheckpointException("chunk " + i + " of " + m.chunks + " belongs to another write (its"
                        + " headers say checkpoint " + c.checkpointId + ", chunk " + c.index + "/" + c.count + ")");
            }
            if (at + c.value.length > bytes.length) {
                throw new CorruptCheckpointException("its chunks hold more than the " + m.bytes + " bytes its manifest names");
            }
            System.arraycopy(c.value, 0, bytes, at, c.value.length);
            at += c.value.length;
        }
        if (at != bytes.length) {
            throw new CorruptCheckpointException("its chunks hold " + at + " bytes, its manifest names " + m.bytes);
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length);
        if (crc.getValue() != m.crc) {
            throw new CorruptCheckpointException("the chunks' CRC-32C does not match the manifest's");
        }
        Checkpoint checkpoint = CheckpointJson.read(bytes);
        if (checkpoint.id() != id) {
            throw new CorruptCheckpointException("its chunks hold checkpoint " + checkpoint.id() + ", not " + id);
        }
        validator.validate(checkpoint);
        return checkpoint;
    }

    @Override
    public Checkpoint loadFile(Path file) throws IOException {
        Checkpoint c = DirectoryCheckpointStore.read(file);
        validator.validate(c);
        return c;
    }

    @Override
    public Found loadLatest() throws IOException {
        List<String> warnings = new ArrayList<>();
        View v = view();
        if (!v.strayKeys.isEmpty()) {
            String line = "ignoring " + v.strayKeys.size() + " record(s) under " + taskKey + "/ in checkpoint topic '"
                    + topic + "' whose keys FlinkLite does not write (the first: '" + v.strayKeys.get(0) + "')";
            LOG.log(System.Logger.Level.WARNING, line);
            warnings.add(line);
        }
        for (long id : ids()) {
            try {
                Checkpoint c = load(id);
                if (!warnings.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "falling back to " + locationOf(id));
                }
                return new Found(c, locationOf(id), null, warnings);
            } catch (IOException e) {
                String line = "skipping damaged " + locationOf(id) + ": " + DirectoryCheckpointStore.describe(e);
                LOG.log(System.Logger.Level.WARNING, line);
                warnings.add(line);
            }
        }
        return new Found(null, null, null, warnings);
    }

    @Override
    public String keep(long id) throws IOException {
        load(id);
        View v = view();
        ProducerRecord<byte[], byte[]> r = record(keptKey(taskKey, id), ("kept at " + System.currentTimeMillis())
                .getBytes(StandardCharsets.UTF_8));
        sendAndAwait(List.of(r));
        v.apply(keptKey(taskKey, id), r.value(), List.of());
        return locationOf(id) + ", marked kept (" + keptKey(taskKey, id) + ")";
    }

    @Override
    public Optional<String> moveAside(long timeMs) throws IOException {
        View v = view();
        List<Long> live = v.retained(Integer.MAX_VALUE);
        if (live.isEmpty()) {
            return Optional.empty();
        }
        long upTo = v.highestId;
        byte[] value = ("upTo=" + upTo + " timeMs=" + timeMs).getBytes(StandardCharsets.UTF_8);
        sendAndAwait(List.of(record(supersededKey(taskKey), value)));
        v.apply(supersededKey(taskKey), value, List.of());
        return Optional.of("checkpoints up to " + upTo + " in " + location() + ", superseded (retention removes them"
                + " as new ones are written; kept ones stay)");
    }

    private View view() throws IOException {
        if (view == null) {
            view = read();
        }
        return view;
    }

    /** Reads the task's partition from its beginning to its (last stable) end. */
    private View read() throws IOException {
        Properties p = connection.clientProperties();
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "flinklite-checkpoint-reader");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        TopicPartition tp = new TopicPartition(topic, partition);
        View v = new View(taskKey);
        Duration timeout = Duration.ofMillis(connection.connectTimeoutMs());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
            long lastProgress = System.currentTimeMillis();
            while (consumer.position(tp, timeout) < end) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    if (r.key() == null) {
                        v.strayKeys.add("(no key) at offset " + r.offset());
                        continue;
                    }
                    List<Header> headers = new ArrayList<>();
                    r.headers().forEach(headers::add);
                    v.apply(new String(r.key(), StandardCharsets.UTF_8), r.value(), headers);
                }
                if (!records.isEmpty()) {
                    lastProgress = System.currentTimeMillis();
                } else if (System.currentTimeMillis() - lastProgress > connection.connectTimeoutMs()) {
                    throw new IOException("reading checkpoint topic '" + topic + "' made no progress for "
                            + connection.connectTimeoutMs() / 1000.0 + " s (at offset " + consumer.position(tp) + " of " + end + ")");
                }
            }
        } catch (KafkaException e) {
            throw new IOException("cannot read checkpoint topic '" + topic + "' at " + connection.bootstrapServers() + ": "
                    + KafkaConnection.rootMessage(e), e);
        } finally {
            // Without a timeout, close() waits for the fetch the last poll sent ahead, which the broker holds for
            // fetch.max.wait.ms (500 ms by default) when the partition has nothing more: half a second per task
            // restore. This consumer has no group, no offsets to commit and nothing left to read, so nothing is lost
            // by dropping that fetch.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
        return v;
    }

    @Override
    public void close() {
        if (producer != null && ownsProducer) {
            producer.close();
        }
        producer = null;
    }

    /** A manifest: which chunks make checkpoint {@code id}, and what they must add up to. */
    static final class Manifest {
        final long id;
        final int chunks;
        final long bytes;
        final long crc;
        final long timeMs;

        Manifest(long id, int chunks, long bytes, long crc, long timeMs) {
            this.id = id;
            this.chunks = chunks;
            this.bytes = bytes;
            this.crc = crc;
            this.timeMs = timeMs;
        }

        String encode() {
            return MANIFEST_MAGIC + " id=" + id + " chunks=" + chunks + " bytes=" + bytes + " crc32c="
                    + String.format(Locale.ROOT, "%08x", crc) + " time=" + timeMs;
        }

        /** The manifest in {@code text}, or null when it is not one (damaged: the checkpoint is then skipped). */
        static Manifest decode(String text) {
            if (!text.startsWith(MANIFEST_MAGIC + " ")) {
                return null;
            }
            Map<String, String> fields = new HashMap<>();
            for (String part : text.substring(MANIFEST_MAGIC.length() + 1).trim().split(" ")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    fields.put(part.substring(0, eq), part.substring(eq + 1));
                }
            }
            try {
                long id = Long.parseLong(fields.get("id"));
                int chunks = Integer.parseInt(fields.get("chunks"));
                long bytes = Long.parseLong(fields.get("bytes"));
                long crc = Long.parseLong(fields.get("crc32c"), 16);
                long time = Long.parseLong(fields.get("time"));
                if (id < 1 || id > Checkpoint.MAX_ID || chunks < 1 || bytes < chunks || crc < 0 || crc > 0xffffffffL) {
                    return null;
                }
                return new Manifest(id, chunks, bytes, crc, time);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }

    /** A chunk's value and what its headers say it is. */
    private static final class Chunk {
        final byte[] value;
        final long checkpointId;
        final int index;
        final int count;

        Chunk(byte[] value, long checkpointId, int index, int count) {
            this.value = value;
            this.checkpointId = checkpointId;
            this.index = index;
            this.count = count;
        }

        /** A chunk known to be in the topic, its bytes not held in memory ({@code value} null). */
        static Chunk notInMemory(List<Header> headers) {
            Chunk c = View.chunkOf(new byte[0], headers);
            return new Chunk(null, c.checkpointId, c.index, c.count);
        }

        Chunk withoutValue() {
            return new Chunk(null, checkpointId, index, count);
        }
    }

    /** The latest value of every key of one task, as read (and as this store wrote since). */
    private static final class View {
        final String prefix;
        final TreeMap<Long, Manifest> manifests = new TreeMap<>();
        /** Manifests present but undecodable: their checkpoint is listed, and skipped as damaged. */
        final TreeSet<Long> damagedManifests = new TreeSet<>();
        final Map<String, Chunk> chunks = new HashMap<>();
        final TreeSet<Long> kept = new TreeSet<>();
        final List<String> strayKeys = new ArrayList<>();
        long supersededUpTo;
        long highestId;

        View(String taskKey) {
            this.prefix = taskKey + "/";
        }

        void apply(String key, byte[] value, List<Header> headers) {
            if (!key.startsWith(prefix)) {
                return; // another task's record (a shared topic)
            }
            String rest = key.substring(prefix.length());
            if (rest.equals("superseded")) {
                supersededUpTo = value == null ? 0 : parseUpTo(new String(value, StandardCharsets.UTF_8));
                highestId = Math.max(highestId, supersededUpTo);
                return;
            }
            String[] parts = rest.split("/");
            long id = parts.length >= 2 ? parseLong(parts[0]) : -1;
            if (id < 1 || id > Checkpoint.MAX_ID) {
                if (value != null) {
                    strayKeys.add(key);
                }
                return;
            }
            if (value != null) {
                highestId = Math.max(highestId, id);
            }
            if (parts.length == 2 && parts[1].equals("manifest")) {
                damagedManifests.remove(id);
                manifests.remove(id);
                if (value != null) {
                    Manifest m = Manifest.decode(new String(value, StandardCharsets.UTF_8));
                    if (m == null || m.id != id) {
                        damagedManifests.add(id);
                    } else {
                        manifests.put(id, m);
                    }
                }
            } else if (parts.length == 2 && parts[1].equals("kept")) {
                if (value == null) {
                    kept.remove(id);
                } else {
                    kept.add(id);
                }
            } else if (parts.length == 3 && parts[1].equals("chunk")) {
                if (value == null) {
                    chunks.remove(key);
                } else {
                    chunks.put(key, chunkOf(value, headers));
                }
            } else if (value != null) {
                strayKeys.add(key);
            }
        }

        /** Forgets the bytes of every chunk (see {@link Chunk#notInMemory}). */
        void dropChunkValues() {
            chunks.replaceAll((key, chunk) -> chunk.value == null ? chunk : chunk.withoutValue());
        }

        /** True when a chunk of checkpoint {@code id} is known but its bytes are not in memory. */
        boolean valuesDropped(String taskKey, long id) {
            Manifest m = manifests.get(id);
            for (int i = 0; m != null && i < m.chunks; i++) {
                Chunk c = chunks.get(chunkKey(taskKey, id, i));
                if (c != null && c.value == null) {
                    return true;
                }
            }
            return false;
        }

        static Chunk chunkOf(byte[] value, List<Header> headers) {
            long id = -1;
            int index = -1;
            int count = -1;
            for (Header h : headers) {
                String v = h.value() == null ? "" : new String(h.value(), StandardCharsets.US_ASCII);
                if (h.key().equals(CHECKPOINT_HEADER)) {
                    id = parseLong(v);
                } else if (h.key().equals(CHUNK_HEADER)) {
                    int slash = v.indexOf('/');
                    if (slash > 0) {
                        index = (int) Math.min(Integer.MAX_VALUE, parseLong(v.substring(0, slash)));
                        count = (int) Math.min(Integer.MAX_VALUE, parseLong(v.substring(slash + 1)));
                    }
                }
            }
            return new Chunk(value, id, index, count);
        }

        private static long parseUpTo(String text) {
            for (String part : text.split(" ")) {
                if (part.startsWith("upTo=")) {
                    return Math.max(0, parseLong(part.substring(5)));
                }
            }
            return 0;
        }

        private static long parseLong(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** Ids of the checkpoints a restart may restore (manifest present, not superseded), newest first, at most {@code max}. */
        List<Long> retained(int max) {
            TreeSet<Long> ids = new TreeSet<>(manifests.keySet());
            ids.addAll(damagedManifests);
            List<Long> out = new ArrayList<>();
            for (long id : ids.descendingSet()) {
                if (id <= supersededUpTo || out.size() >= max) {
                    break;
                }
                out.add(id);
            }
            return out;
        }

        /** Ids whose manifest and chunks retention removes once checkpoint {@code newId} is written. */
        List<Long> rotatedBy(long newId, int retain) {
            List<Long> out = new ArrayList<>();
            int newer = 1; // newId itself
            TreeSet<Long> ids = new TreeSet<>(manifests.keySet());
            ids.addAll(damagedManifests);
            for (long id : ids.descendingSet()) {
                if (id >= newId) {
                    continue;
                }
                if (newer < retain && id > supersededUpTo) {
                    newer++;
                } else if (!kept.contains(id)) {
                    out.add(id);
                }
            }
            return out;
        }

        /** Keys of chunks whose checkpoint has no manifest: left by a write interrupted before its manifest. */
        List<String> orphanChunks() {
            List<String> out = new ArrayList<>();
            for (String key : chunks.keySet()) {
                long id = parseLong(key.substring(prefix.length(), key.indexOf('/', prefix.length())));
                if (!manifests.containsKey(id) && !damagedManifests.contains(id)) {
                    out.add(key);
                }
            }
            out.sort(null);
            return out;
        }
    }
}
