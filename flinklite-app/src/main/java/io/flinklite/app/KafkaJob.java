package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.app.web.Counter;
import io.flinklite.app.web.JobActivity;
import io.flinklite.app.web.JobDescription;
import io.flinklite.app.web.Peer;
import io.flinklite.app.web.WebConsole;
import io.flinklite.connector.kafka.BrokerWatch;
import io.flinklite.connector.kafka.ConsumerGroupMembers;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaOutput;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.job.Durations;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.EncodedResult;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.json.JoinPairJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.BatchHook;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.SourceReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The built-in job on Kafka, as {@code flinklite run} and {@code flinklite demo} start it: read the input topic in a
 * consumer group, run the {@link JobSpec} on the engine's task loop, write results (and late events, dead letters)
 * to topics, and log each result as one readable line.
 *
 * <p>Delivery: without checkpoints, offsets are committed every {@link Settings#commitIntervalMs} after the output
 * was flushed, and once more on a clean stop: output is at-least-once for results that fired, but the contents of
 * windows still open at a stop or crash are not restored (the checkpoint feature restores them).
 *
 * <p>Threading: {@link #run()} runs the job on the calling thread (the task thread) and returns after a clean stop;
 * {@link #stop()} may be called from any thread, typically a shutdown hook on SIGTERM/SIGINT.
 */
public final class KafkaJob {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaJob.class);

    /**
     * Builds the task from the input and outputs {@link #run()} opened: the built-in job of the spec by default; a
     * user job, or the built-in job with a user aggregate, or extra result outputs (PostgreSQL) through
     * {@link Settings#taskFactory}. Called once, on the task thread.
     */
    @FunctionalInterface
    public interface TaskFactory {
        /**
         * @param records a user job's own records to the output topic ({@link io.flinklite.api.JobContext#records()});
         *                {@code null} when there is no output topic or delivery is exactly-once
         */
        StreamTask create(Settings settings, TaskOptions options, SourceReader source, Sink<WindowResult> results,
                          Sink<io.flinklite.api.OutputRecord> records, Sink<byte[]> late, DeadLetterHandler deadLetters,
                          JobMetrics metrics) throws Exception;

        /**
         * For the web UI's graph: one line naming the user job the task runs instead of the built-in chain (a
         * {@code --jar --job} class and its parameters), or null when it runs the built-in chain.
         */
        default String userJob() {
            return null;
        }

        /**
         * The two stages {@code --scale-out} runs this job as, per partition; null when this job cannot scale out
         * (the run is then refused in one line). By default the built-in job's, results to Kafka only;
         * {@link JobLauncher}'s add the plug-in result sinks and a {@code --aggregate-class}; a user job
         * ({@code --jar --job}) does not scale out yet.
         */
        default ScaledKafkaJob.Stages stages(Settings settings, JobMetrics metrics) {
            return userJob() == null && userAggregate() == null && extraResultSinks().isEmpty()
                    ? ShuffleStages.builtIn(settings, metrics, List.of()) : null;
        }

        /** For the web UI's graph: the user aggregate the built-in chain's window applies, or null for the spec's. */
        default String userAggregate() {
            return null;
        }

        /** For the web UI's graph: where results go besides the output topic, one line each (e.g. a PostgreSQL table). */
        default List<String> extraResultSinks() {
            return List.of();
        }
    }

    /**
     * The built-in job of {@link Settings#spec()}; over several input topics (each a source of the reader), their
     * union into the one window.
     */
    public static final TaskFactory BUILT_IN = (settings, options, source, results, records, late, deadLetters, metrics) ->
            new StreamTask(JobGraphs.builtIn(settings.spec, source.sourceCount(), options.idleTimeoutMs(),
                    options.wallClockWhenIdle(), results, late), List.of(source), options, deadLetters, metrics);

    /**
     * What the job reads and writes, and how it treats time: a builder whose setters return it, filled on one thread
     * before the job is created; the job reads it in {@link KafkaJob#run()}.
     */
    public static final class Settings {
        final KafkaConnection connection;
        final JobSpec spec;
        String inputTopic = "flink-events";
        /** Topics read besides {@link #inputTopic} into the same stream (a union), in source order after it. */
        List<String> unionTopics = List.of();
        String joinTopic;
        io.flinklite.job.JoinSpec join;
        String outputTopic = "processed-events";
        String groupId = "flinklite";
        String lateTopic;
        String deadLetterTopic;
        boolean tooLargeToDeadLetter;
        KafkaSourceReader.StartFrom startFrom = KafkaSourceReader.StartFrom.EARLIEST;
        long idleTimeoutMs = TaskOptions.DEFAULT_IDLE_TIMEOUT_MS;
        boolean wallClockWhenIdle;
        int maxRecordBytes = TaskOptions.DEFAULT_MAX_RECORD_BYTES;
        long maxFutureMs = TaskOptions.DEFAULT_MAX_FUTURE_MS;
        long commitIntervalMs = io.flinklite.job.Durations.parseMillis(DEFAULT_COMMIT_INTERVAL);
        TaskFactory taskFactory = BUILT_IN;
        CheckpointSettings checkpoints;
        java.io.PrintStream console = System.out;
        boolean createTopics;
        int topicPartitions = -1;
        int topicReplicationFactor = -1;
        ResultPrinter.Format format = ResultPrinter.Format.JSON;
        String instanceId;
        ScaleOut scaleOut;
        boolean keyedInput;

        /** How often the output is flushed and consumed offsets committed without checkpoints, by default (as typed). */
        public static final String DEFAULT_COMMIT_INTERVAL = "5s";

        /** For {@link #instanceId(String)}: a dynamic group member, without static membership. */
        public static final String NO_INSTANCE_ID = "";

        public Settings(KafkaConnection connection, JobSpec spec) {
            this.connection = Objects.requireNonNull(connection, "connection");
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        public Settings inputTopic(String t) { inputTopic = Objects.requireNonNull(t); return this; }

        /**
         * Several input topics read as one stream (a union): the first is {@link #inputTopic()}, each is a source of
         * its own (own partitions, watermarks and positions; the stream's event time is their minimum).
         *
         * @throws IllegalArgumentException when {@code topics} is empty or names a topic twice
         */
        public Settings inputTopics(List<String> topics) {
            if (topics.isEmpty()) {
                throw new IllegalArgumentException("at least one input topic is needed");
            }
            if (new java.util.HashSet<>(topics).size() != topics.size()) {
                throw new IllegalArgumentException("input topics " + topics + " name a topic twice");
            }
            inputTopic = topics.get(0);
            unionTopics = List.copyOf(topics.subList(1, topics.size()));
            return this;
        }

        /**
         * Joins the input topic (left) with {@code topic} (right) as {@code join} says; the job then emits pairs.
         *
         * @param topic null for no join
         */
        public Settings join(String topic, io.flinklite.job.JoinSpec join) {
            if ((topic == null) != (join == null)) {
                throw new IllegalArgumentException("a join needs both the right topic and the join spec");
            }
            this.joinTopic = topic;
            this.join = join;
            return this;
        }
        /** @param t the results topic, or null for no output */
        public Settings outputTopic(String t) { outputTopic = t; return this; }
        public Settings groupId(String g) { groupId = Objects.requireNonNull(g); return this; }
        /** @param t where late events go, or null to count them only */
        public Settings lateTopic(String t) { lateTopic = t; return this; }
        /** @param t where invalid records go, or null to count and log them only */
        public Settings deadLetterTopic(String t) { deadLetterTopic = t; return this; }
        /**
         * @param on records too large for their topic or the producer go to the dead-letter topic truncated
         *           (see {@link KafkaOutput}) instead of stopping the job; needs a dead-letter topic
         */
        public Settings tooLargeToDeadLetter(boolean on) { tooLargeToDeadLetter = on; return this; }
        public Settings startFrom(KafkaSourceReader.StartFrom s) { startFrom = Objects.requireNonNull(s); return this; }
        public Settings idleTimeoutMs(long ms) { idleTimeoutMs = ms; return this; }
        public Settings wallClockWhenIdle(boolean on) { wallClockWhenIdle = on; return this; }
        public Settings maxRecordBytes(int bytes) { maxRecordBytes = bytes; return this; }
        public Settings maxFutureMs(long ms) { maxFutureMs = ms; return this; }
        public Settings commitIntervalMs(long ms) { commitIntervalMs = ms; return this; }
        public Settings taskFactory(TaskFactory f) { taskFactory = Objects.requireNonNull(f); return this; }
        /** @param c how to checkpoint; {@code null} for no checkpoints (offsets committed every commit interval) */
        public Settings checkpoints(CheckpointSettings c) { checkpoints = c; return this; }
        /**
         * @param id the consumer's static member id; {@code null} for the default ({@link StaticMembership}),
         *           {@link #NO_INSTANCE_ID} for a dynamic member
         */
        public Settings instanceId(String id) { instanceId = id; return this; }

        /**
         * @param s how to run as two stages through the repartition topic ({@code --scale-out}); {@code null} for the
         *          fused job on one task (the default)
         */
        public Settings scaleOut(ScaleOut s) { scaleOut = s; return this; }

        /**
         * The input is partitioned by the key field ({@code --keyed-input}): instances of a fused job may share the
         * group, each computing exact windows for the keys of its partitions. Without it a fused job stops when
         * other live members of its group own part of its input ({@link SharedGroupGuard}).
         */
        public Settings keyedInput(boolean on) { keyedInput = on; return this; }

        /** How the job scales out; {@code null} when it runs fused. */
        public ScaleOut scaleOut() { return scaleOut; }

        /** The static member id the consumer joins with, or {@code null} for a dynamic member. */
        public String groupInstanceId() {
            if (instanceId != null) {
                return instanceId.isEmpty() ? null : instanceId;
            }
            return checkpoints == null ? null : StaticMembership.defaultInstanceId(checkpoints.dir());
        }

        /**
         * Create missing output, late and dead-letter topics with the Admin API.
         *
         * @param partitions        of each created topic; -1 for the broker's default
         * @param replicationFactor of each created topic; -1 for the broker's default
         */
        public Settings createTopics(boolean on, int partitions, int replicationFactor) {
            createTopics = on;
            topicPartitions = partitions;
            topicReplicationFactor = replicationFactor;
            return this;
        }
        /** Where each result is printed as it fires (stdout by default), and how. */
        public Settings console(java.io.PrintStream out, ResultPrinter.Format f) {
            console = Objects.requireNonNull(out);
            format = Objects.requireNonNull(f);
            return this;
        }

        public KafkaConnection connection() { return connection; }
        public JobSpec spec() { return spec; }
        /** The input topic: source 0. */
        public String inputTopic() { return inputTopic; }
        /** Every topic the job reads, by source index (one consumer reads them all): the inputs, then the join's right. */
        public List<String> inputTopics() {
            List<String> all = new ArrayList<>();
            all.add(inputTopic);
            all.addAll(unionTopics);
            if (joinTopic != null) {
                all.add(joinTopic);
            }
            return all;
        }
        /** The right input of a join; null when the job does not join. */
        public String joinTopic() { return joinTopic; }
        /** How the job joins its two inputs; null when it does not. */
        public io.flinklite.job.JoinSpec join() { return join; }
        /** The flag that names the input topic of source {@code source}, for messages. */
        String inputTopicFlag(int source) { return joinTopic != null && source == 1 + unionTopics.size() ? "--join-topic" : "--input-topic"; }
        public String outputTopic() { return outputTopic; }
        public String lateTopic() { return lateTopic; }
        public String deadLetterTopic() { return deadLetterTopic; }
        /** Where records too large to write go, truncated; null when they stop the job. */
        public String tooLargeTopic() { return tooLargeToDeadLetter ? deadLetterTopic : null; }
        public String groupId() { return groupId; }

        TaskOptions taskOptions() {
            return TaskOptions.defaults()
                    .withIdleTimeoutMs(idleTimeoutMs)
                    .withWallClockWhenIdle(wallClockWhenIdle)
                    .withMaxRecordBytes(maxRecordBytes)
                    .withTimestampBounds(0, maxFutureMs)
                    // Exactly-once results are written by the checkpoint's transaction, which counts them.
                    .withFlushAcknowledgingResults(checkpoints == null
                            || checkpoints.delivery() != io.flinklite.runtime.checkpoint.Delivery.EXACTLY_ONCE);
        }
    }

    private final Settings settings;
    private final JobMetrics metrics;
    private final JobActivity activity = new JobActivity();
    private final ConsumerGroupMembers groupMembers;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile KafkaSourceReader reader;
    private volatile Runnable stopTask = () -> { };

    public KafkaJob(Settings settings, JobMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.groupMembers = new ConsumerGroupMembers(settings.connection, settings.groupId, settings.inputTopics());
        metrics.setCheckpointListener(activity.checkpointListener());
    }

    /**
     * Checks that the cluster answers and the topics exist (waiting at most the connect timeout), then runs until
     * {@link #stop()}. On the way out it flushes the output, commits the offsets and closes the consumer.
     *
     * @throws io.flinklite.connector.kafka.KafkaConnectorException with a one-line message for an unreachable
     *                                                               cluster or a missing topic
     */
    public void run() throws Exception {
        boolean failed = true;
        try {
            KafkaConnection connection = settings.connection;
            List<String> topics = settings.inputTopics();
            StringBuilder reading = new StringBuilder();
            for (int i = 0; i < topics.size(); i++) {
                String flag = settings.inputTopicFlag(i);
                int partitions = connection.partitionCount(topics.get(i), "create it first"
                        + (flag.equals("--input-topic") ? " (or run `flinklite simulate`, which creates it)" : "")
                        + ", or name another with " + flag);
                reading.append(i == 0 ? "" : ", ").append(topics.get(i)).append(" (").append(partitions)
                        .append(" partitions)");
            }
            requireOutputTopic(settings.outputTopic, "--output-topic", "--output-topic none");
            requireOutputTopic(settings.lateTopic, "--late-topic", "leave --late-topic out");
            requireOutputTopic(settings.deadLetterTopic, "--dead-letter-topic", "leave --dead-letter-topic out");
            if (settings.tooLargeToDeadLetter && settings.deadLetterTopic == null) {
                throw new IllegalArgumentException("--too-large-to-dead-letter needs a --dead-letter-topic to write them to");
            }
            requireBuiltInForSeveralTopics();
            if (settings.scaleOut != null) {
                runScaledOut();
                failed = false;
                return;
            }
            String instanceId = settings.groupInstanceId();
            LOG.info("reading {} at {} in group {}{}; job {}{}", reading, connection.bootstrapServers(), settings.groupId,
                    instanceId == null ? "" : " as instance " + instanceId,
                    settings.join == null ? settings.spec : JobGraphs.describeJoin(settings.spec, settings.join),
                    settings.join == null ? "" : " (right input " + settings.joinTopic + ")");
            try (BrokerWatch brokerWatch = new BrokerWatch(connection, metrics);
                 KafkaOutput kafkaOutput = new KafkaOutput(connection, "flinklite-" + settings.groupId,
                    java.util.Arrays.asList(settings.outputTopic, settings.lateTopic, settings.deadLetterTopic),
                    settings.tooLargeTopic(), metrics);
                 KafkaSourceReader source = new KafkaSourceReader(connection, topics, settings.groupId,
                         settings.startFrom, instanceId)) {
                reader = source;
                // A rebalance commits the revoked partitions' offsets: their results must be durable first, in every
                // sink (the plug-in sinks too: they are in the task's fan-out), and the dead letters in the producer.
                StreamTask[] running = new StreamTask[1];
                source.beforeRevokeCommit(() -> {
                    if (running[0] != null) {
                        try {
                            running[0].flushSinks();
                        } catch (RuntimeException e) {
                            throw e;
                        } catch (Exception e) {
                            throw new IllegalStateException(e.getMessage(), e);
                        }
                    }
                    kafkaOutput.flush();
                });
                JobCheckpointing checkpointing = null;
                try {
                    checkpointing = settings.checkpoints == null ? null
                            : JobCheckpointing.open(settings.checkpoints, settings, source, metrics);
                    Sink<WindowResult> output = settings.outputTopic == null ? null : kafkaOutput.resultSink(settings.outputTopic);
                    Sink<WindowResult> results = alsoFlushing(new ResultPrinter(settings.console, settings.format,
                            checkpointing == null ? output : checkpointing.results(output), activity::recordResult),
                            kafkaOutput);
                    Sink<byte[]> late = settings.lateTopic == null ? null : kafkaOutput.lateSink(settings.lateTopic);
                    // Results that are not window results (a join's pairs, a user job's records), encoded: to the
                    // output topic as they come, or under exactly-once into the next checkpoint's transaction.
                    Sink<EncodedResult> encodedOutput = settings.outputTopic == null ? null
                            : kafkaOutput.encodedSink(settings.outputTopic);
                    Sink<EncodedResult> encoded = checkpointing == null ? encodedOutput
                            : checkpointing.records(encodedOutput);
                    DeadLetterHandler deadLetters = activity.recordDeadLetters(
                            kafkaOutput.deadLetters(settings.deadLetterTopic, source));
                    // Closed (its operators and user functions) after the final checkpoint, also on failure or stop.
                    try (StreamTask task = settings.join == null
                            ? settings.taskFactory.create(settings, settings.taskOptions(), source, results,
                                    recordSink(encoded, kafkaOutput), late, deadLetters, metrics)
                            : new StreamTask(JobGraphs.join(settings.spec, settings.join, settings.idleTimeoutMs,
                                    settings.wallClockWhenIdle, pairSink(encoded, kafkaOutput), late), List.of(source),
                                    settings.taskOptions(), deadLetters, metrics)) {
                        running[0] = task;
                        if (checkpointing != null) {
                            // After the task is built: its graph's fingerprint is what a checkpoint must match.
                            checkpointing.recover(fingerprint(task.fingerprint(), settings.inputTopics()));
                            checkpointing.restored().ifPresent(cp -> {
                                List<JobActivity.Position> positions = new ArrayList<>();
                                for (SourcePosition p : cp.sources()) {
                                    positions.add(new JobActivity.Position(p.topic(), p.partition(), p.nextOffset()));
                                }
                                positions.sort(java.util.Comparator.comparingInt((JobActivity.Position p) -> topics.indexOf(p.topic()))
                                        .thenComparingInt(JobActivity.Position::partition));
                                activity.restoredFrom(new JobActivity.Restored(cp.id(), cp.timeMs(), cp.watermarkMs(), positions));
                            });
                        }
                        // First of the hooks: a failed write stops the job before anything commits past it.
                        task.addHook((t, nowMs) -> kafkaOutput.checkWrites());
                        if (!settings.keyedInput) {
                            task.addHook(SharedGroupGuard.of(source, groupMembers, settings.groupId));
                        }
                        if (checkpointing != null) {
                            checkpointing.attach(task);
                        } else {
                            task.addHook(new CommitHook(source, settings.commitIntervalMs));
                        }
                        source.liveWatermarks((s, p) -> task.partitionWatermark(s, p));
                        stopTask = task::stop;
                        if (!stopRequested) {
                            // Ready (/health/ready) from here once the source has partitions; see JobMetrics.ready().
                            metrics.setJobState(JobMetrics.JobState.RUNNING);
                            task.run();
                        }
                        // run() flushed the sinks; the dead letters share the producer, so flush it once more for them.
                        kafkaOutput.flush();
                        if (checkpointing != null) {
                            checkpointing.finish(task);
                        }
                        source.commitProcessed(positionsBySource(task));
                        LOG.info(checkpointing != null ? "stopped: output flushed, offsets committed, final checkpoint written"
                                : "stopped: output flushed, offsets committed");
                    }
                } finally {
                    // Before the consumer closes: a checkpoint in flight still commits its offsets through it.
                    if (checkpointing != null) {
                        checkpointing.close();
                    }
                }
            }
            failed = false;
        } finally {
            metrics.setJobState(failed ? JobMetrics.JobState.FAILED : JobMetrics.JobState.FINISHED);
            groupMembers.close();
            reader = null;
            stopped.countDown();
        }
    }

    /**
     * The one fingerprint of a Kafka job's checkpoints, which recovery checks: that of the graph the task runs
     * ({@link StreamTask#fingerprint()}, made by {@link JobGraphs} from what shapes the operators' state), and for a
     * reader of several topics, which topic is which source (a join's left and right, the per-source watermarks). With
     * one topic it is the graph's alone, as it always was: the topic is checked against each recorded position instead.
     */
    static String fingerprint(String graphFingerprint, List<String> topics) {
        return topics.size() == 1 ? graphFingerprint : graphFingerprint + ";sources=" + String.join(",", topics);
    }

    /** {@code handler} with every dead letter named as one of source {@code source} of the reader. */
    /**
     * How many partitions a new source task of {@code id} tells the keyed tasks to wait for: its topic's count now,
     * which grows when partitions are added while the job runs (the consumer is assigned them once its metadata
     * refreshes, {@code metadata.max.age.ms}). The count at start would refuse the new partition's task and stop the
     * job; a count that grows makes every keyed task wait for the new partition's first marker (SourceWatermarks).
     * Said once per growth: what the new partition held before the keyed watermark passed it is late.
     *
     * @param known        each input topic's partition count as of the last source task made (updated here)
     * @param currentCount the reader's count of the topic now (-1 unknown; it may lag the assignment)
     */
    static int sourcePartitions(java.util.Map<String, Integer> known, TaskId id, int currentCount) {
        int before = known.get(id.topic());
        int now = Math.max(before, Math.max(currentCount, id.partition() + 1));
        if (now > before) {
            known.put(id.topic(), now);
            LOG.warn("input topic {} has {} partitions now, {} at start: its new partitions' source tasks join the"
                    + " job, and keyed tasks wait for their first watermark; records in them older than the job's"
                    + " watermark when they are first read are late (counted, --late-topic)", id.topic(), now, before);
        }
        return now;
    }

    private static DeadLetterHandler ofSource(DeadLetterHandler handler, int source) {
        return (partition, offset, payload, payloadOffset, payloadLength, reason, detail) -> handler.deadLetter(source,
                partition, offset, payload, payloadOffset, payloadLength, reason, detail);
    }

    /**
     * {@code --scale-out}: this instance's share of the job as tasks of the partitions it is assigned (see
     * {@link ScaledKafkaJob}), the repartition topic created when missing.
     */
    private void runScaledOut() throws Exception {
        KafkaConnection connection = settings.connection;
        ScaledKafkaJob.Stages stages = settings.taskFactory.stages(settings, metrics);
        if (stages == null) {
            throw new IllegalArgumentException("--scale-out runs the built-in job (its own aggregates or a --jar"
                    + " --aggregate-class) for now; a --jar --job does not scale out yet (its maps, joins and process"
                    + " functions would each need a shuffle of their own): leave --scale-out out");
        }
        if (settings.join != null) {
            throw new IllegalArgumentException("--scale-out does not run a join yet (--join-topic " + settings.joinTopic
                    + "): its two sides would need a shuffle of their own; leave --scale-out out");
        }
        CheckpointSettings checkpoints = settings.checkpoints;
        if (checkpoints == null) {
            throw new IllegalArgumentException("--scale-out moves each task's state with its partition, through its"
                    + " snapshots: give --checkpoint-dir (shared by the instances) or --checkpoint-store kafka");
        }
        boolean exactlyOnce = checkpoints.delivery() == io.flinklite.runtime.checkpoint.Delivery.EXACTLY_ONCE;
        if (exactlyOnce && checkpoints.storeKind() != CheckpointSettings.Store.KAFKA) {
            throw new IllegalArgumentException(CheckpointSettings.SCALE_OUT_EXACTLY_ONCE_NEEDS_KAFKA_STORE);
        }
        if (exactlyOnce && settings.groupInstanceId() == null) {
            throw new IllegalArgumentException("--scale-out --delivery exactly-once derives each instance's"
                    + " transactional.id from its instance id: leave --instance-id at its default (or give each"
                    + " instance its own), not empty");
        }
        // Several input topics are a union: a source task per partition of each, one repartition stream, keyed
        // tasks taking the minimum watermark over every partition of every topic (SourceWatermarks).
        List<String> inputTopics = settings.inputTopics();
        java.util.Map<String, Integer> inputPartitions = new java.util.LinkedHashMap<>();
        int mostPartitions = 0;
        for (String topic : inputTopics) {
            int n = connection.partitionCount(topic, "create it first, or name another with --input-topic");
            inputPartitions.put(topic, n);
            mostPartitions = Math.max(mostPartitions, n);
        }
        String repartitionTopic = ScaleOut.repartitionTopic(settings.groupId);
        int repartitionPartitions = settings.scaleOut.ensureRepartitionTopic(connection, settings.groupId,
                mostPartitions, settings.topicReplicationFactor);
        String instanceId = settings.groupInstanceId();
        LOG.info("scaled out: reading {} and {} ({} partitions) at {} in group {}{}; job {}; task snapshots in {}",
                inputPartitions, repartitionTopic, repartitionPartitions, connection.bootstrapServers(),
                settings.groupId, instanceId == null ? "" : " as instance " + instanceId, settings.spec,
                checkpoints.describeStore(settings.groupId));
        List<String> readTopics = new ArrayList<>(inputTopics);
        readTopics.add(repartitionTopic);
        List<String> written = java.util.Arrays.asList(settings.outputTopic, settings.lateTopic,
                settings.deadLetterTopic, repartitionTopic);
        String transactionalId = exactlyOnce ? checkpoints.scaleOutTransactionalId(settings.groupId, instanceId) : null;
        if (exactlyOnce) {
            LOG.info("exactly-once: every write and the offsets of this instance commit in Kafka transactions of"
                    + " transactional.id {}", transactionalId);
        }
        try (BrokerWatch brokerWatch = new BrokerWatch(connection, metrics);
             KafkaOutput kafkaOutput = exactlyOnce
                     ? KafkaOutput.transactional(connection, transactionalId, checkpoints.intervalMs(), written,
                             settings.tooLargeTopic(), metrics)
                     : KafkaOutput.scaledOut(connection, "flinklite-" + settings.groupId, written,
                             settings.tooLargeTopic(), metrics);
             // Earliest for both: the repartition topic is always read from its start (a keyed task starting
             // "latest" would skip what the source tasks wrote before it was assigned); --start-from latest applies
             // to the input's partitions only, in ScaledKafkaJob.
             KafkaSourceReader source = new KafkaSourceReader(connection, readTopics, settings.groupId,
                     KafkaSourceReader.StartFrom.EARLIEST, instanceId);
             io.flinklite.connector.kafka.RecordPurger purger =
                     new io.flinklite.connector.kafka.RecordPurger(connection, repartitionTopic);
             // At-least-once, every task store of this instance writes with this one producer (made on the first
             // snapshot); closed after the task manager has closed the stores.
             io.flinklite.connector.kafka.CheckpointProducer checkpointProducer =
                     new io.flinklite.connector.kafka.CheckpointProducer(connection)) {
            reader = source;
            Sink<WindowResult> output = settings.outputTopic == null ? null : kafkaOutput.resultSink(settings.outputTopic);
            Sink<WindowResult> results = stages.resultSink(alsoFlushing(new ResultPrinter(settings.console,
                    settings.format, output, activity::recordResult), kafkaOutput));
            Sink<byte[]> late = settings.lateTopic == null ? null : kafkaOutput.lateSink(settings.lateTopic);
            DeadLetterHandler deadLetters = activity.recordDeadLetters(
                    kafkaOutput.deadLetters(settings.deadLetterTopic, source));
            ScaledKafkaJob.Repartition repartition = new ScaledKafkaJob.Repartition() {
                @Override
                public int partitions() {
                    return repartitionPartitions;
                }

                @Override
                public void send(int partition, byte[] key, byte[] value) {
                    kafkaOutput.repartition(repartitionTopic, partition, key, value);
                }
            };
            try (io.flinklite.runtime.task.TaskManager<ScaledKafkaJob.StageTask> tasks =
                         new io.flinklite.runtime.task.TaskManager<>(
                                 id -> id.topic().equals(repartitionTopic) ? stages.keyedTask(id, results, late)
                                         : stages.sourceTask(id, sourcePartitions(inputPartitions, id,
                                                         source.partitionCount(readTopics.indexOf(id.topic()))),
                                                         repartition,
                                                 ofSource(deadLetters, readTopics.indexOf(id.topic())),
                                                 () -> source.lag(readTopics.indexOf(id.topic()), id.partition())),
                                 id -> checkpoints.taskStore(id, connection, settings.groupId,
                                         exactlyOnce ? kafkaOutput : null, checkpointProducer),
                                 fingerprint(stages.fingerprint(), inputTopics) + ";scale-out",
                                 checkpoints.delivery().label())) {
                ScaledKafkaJob job = new ScaledKafkaJob(source, tasks, checkpoints.intervalMs(), metrics, () -> {
                    try {
                        results.flush();
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IllegalStateException(e.getMessage(), e);
                    }
                    kafkaOutput.checkWrites();
                }, settings.startFrom, purger::purgeBefore, exactlyOnce ? kafkaOutput : null);
                stopTask = job::stop;
                if (!stopRequested) {
                    metrics.setJobState(JobMetrics.JobState.RUNNING);
                    job.run();
                }
            }
        } finally {
            reader = null;
        }
    }

    /** The task's positions of each source, by source index: the reader's topics in the same order. */
    private static List<Map<Integer, Long>> positionsBySource(StreamTask task) {
        List<Map<Integer, Long>> out = new ArrayList<>();
        for (int i = 0; i < task.sourceCount(); i++) {
            out.add(task.positions(i));
        }
        return out;
    }

    /**
     * Where a join's pairs go: each printed on the console as its JSON line, and to {@code encoded} keyed by the join
     * key (the output topic, or the exactly-once transaction; null: nowhere else); flushing also flushes the Kafka
     * output, as for window results.
     */
    private Sink<JoinedPair<byte[], byte[]>> pairSink(Sink<EncodedResult> encoded, KafkaOutput kafkaOutput) {
        JoinPairJson json = new JoinPairJson();
        java.io.PrintStream console = settings.console;
        return new Sink<>() {
            @Override
            public void write(JoinedPair<byte[], byte[]> pair) throws Exception {
                String line = json.toLine(pair);
                console.println(line);
                if (encoded != null) {
                    encoded.write(new EncodedResult(WindowResult.keyText(pair.key()), line));
                }
            }

            @Override
            public void flush() throws Exception {
                console.flush();
                kafkaOutput.flush();
            }
        };
    }

    /**
     * Where a user job's own records go ({@link io.flinklite.api.JobContext#records()}): each value printed on the
     * console and written to {@code encoded} (the output topic, or the exactly-once transaction); flushing flushes
     * the Kafka output. {@code null} (the job is told why when it asks) without an output topic.
     */
    private Sink<io.flinklite.api.OutputRecord> recordSink(Sink<EncodedResult> encoded, KafkaOutput kafkaOutput) {
        if (encoded == null || settings.outputTopic == null) {
            return null;
        }
        java.io.PrintStream console = settings.console;
        return new Sink<>() {
            @Override
            public void write(io.flinklite.api.OutputRecord record) throws Exception {
                console.println(record.value());
                encoded.write(new EncodedResult(record.key(), record.value()));
            }

            @Override
            public void flush() throws Exception {
                console.flush();
                kafkaOutput.flush();
            }
        };
    }

    /**
     * {@code results}, whose flush also flushes the Kafka output: every checkpoint and offset commit flushes the
     * results sink first, and the dead letters (and, exactly-once, late events) that share the producer must be
     * acknowledged by then too, even when no result goes to Kafka.
     */
    private static Sink<WindowResult> alsoFlushing(Sink<WindowResult> results, KafkaOutput kafkaOutput) {
        return new Sink<>() {
            @Override
            public void write(WindowResult result) throws Exception {
                results.write(result);
            }

            @Override
            public void flush() throws Exception {
                results.flush();
                kafkaOutput.flush();
            }

            @Override
            public void close() throws Exception {
                results.close();
            }
        };
    }

    /**
     * What several topics or a join cannot run with: refused in one line before anything is read, rather than half
     * supported.
     */
    private void requireBuiltInForSeveralTopics() {
        TaskFactory task = settings.taskFactory;
        if (settings.inputTopics().size() > 1 && task.userAggregate() != null) {
            throw new IllegalArgumentException("several input topics (or --join-topic) run the built-in job or a --jar "
                    + "job, not the built-in job with an --aggregate-class; a user job reads several as its sources");
        }
        if (settings.join != null && task.userJob() != null) {
            throw new IllegalArgumentException("--join is the built-in join; a --jar job joins with the Java API: give "
                    + "its sources' topics as --input-topic A,B (in the order of the job's sources)");
        }
        if (settings.join != null && !task.extraResultSinks().isEmpty()) {
            throw new IllegalArgumentException("--join-topic writes pairs to the output topic only; the result sinks "
                    + task.extraResultSinks() + " take window results");
        }
    }

    private void requireOutputTopic(String topic, String flag, String alternative) {
        if (topic == null) {
            return;
        }
        if (settings.createTopics) {
            if (settings.connection.ensureTopic(topic, settings.topicPartitions, settings.topicReplicationFactor)) {
                LOG.info("created topic {} ({})", topic, flag);
            }
            return;
        }
        settings.connection.partitionCount(topic, "create it first, add --create-topics to let FlinkLite create it, or "
                + alternative + " (" + flag + ")");
    }

    /**
     * At-least-once without checkpoints: every interval, make the output durable, then commit the positions of the
     * records processed so far. Between batches every polled record has been processed, so the positions match.
     */
    private static final class CommitHook implements BatchHook {
        private final KafkaSourceReader source;
        private final long intervalMs;
        private long nextCommitMs = Long.MIN_VALUE;

        CommitHook(KafkaSourceReader source, long intervalMs) {
            this.source = source;
            this.intervalMs = intervalMs;
        }

        @Override
        public void afterBatch(StreamTask task, long nowMs) throws Exception {
            if (nextCommitMs == Long.MIN_VALUE) {
                nextCommitMs = nowMs + intervalMs;
                return;
            }
            if (nowMs < nextCommitMs) {
                return;
            }
            nextCommitMs = nowMs + intervalMs;
            task.flushSinks();
            source.commitProcessed(positionsBySource(task));
        }
    }

    /** Makes {@link #run()} stop soon: the current batch finishes, output is flushed, the consumer closed. Any thread. */
    public void stop() {
        stopRequested = true;
        stopTask.run();
        KafkaSourceReader r = reader;
        if (r != null) {
            r.wakeup();
        }
    }

    /** Waits up to {@code timeoutMs} for {@link #run()} to return; true when it did. */
    public boolean awaitStopped(long timeoutMs) throws InterruptedException {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    public JobMetrics metrics() {
        return metrics;
    }

    /** The web UI of this job: its graph and settings, its recent history, its consumer group. */
    public WebConsole webConsole() {
        return new WebConsole(metrics, description(), activity, this::peers, System::currentTimeMillis);
    }

    /**
     * The web UI's one-line name of the job, known before the task exists: the spec (and join), the user job, or the
     * spec with the user aggregate. The checkpoint {@link #fingerprint} is the graph's, once the task is built.
     */
    private String displayName() {
        TaskFactory task = settings.taskFactory;
        if (settings.join != null) {
            return JobGraphs.joinFingerprint(settings.spec, settings.join);
        }
        if (task.userJob() != null) {
            return "userJob=" + task.userJob();
        }
        return settings.spec.fingerprint() + (task.userAggregate() == null ? "" : ";aggregate=" + task.userAggregate());
    }

    /**
     * What this job is, for the web UI: the chain the task runs (source, decode with watermarks, filter and key,
     * window, and the sinks the settings configure), each node with the counters of its records in and out, and the
     * settings it runs with (Kafka client properties that name a secret masked).
     */
    public JobDescription description() {
        JobSpec spec = settings.spec;
        TaskFactory task = settings.taskFactory;
        JobDescription.Builder b = new JobDescription.Builder(displayName());
        b.node("source", "source", "Kafka source", "topic " + settings.inputTopic + ", group " + settings.groupId,
                List.of(), null, Counter.READ);
        b.node("decode", "operator", "decode + watermarks", "JSON, field " + JobSpec.TIMESTAMP_FIELD
                        + ", out-of-orderness " + Durations.format(spec.outOfOrdernessMs()) + ", idle after "
                        + (settings.idleTimeoutMs > 0 ? Durations.format(settings.idleTimeoutMs) : "never"),
                List.of("source"), Counter.READ, Counter.VALID);
        String last;
        if (task.userJob() == null) {
            b.node("filter", "operator", "filter + key by " + spec.keyField(),
                    "types " + (spec.selectsAllTypes() ? "*" : String.join(",", new java.util.TreeSet<>(spec.types()))),
                    List.of("decode"), Counter.VALID, Counter.SELECTED);
            b.node("window", "operator", "window " + spec.window(), "aggregate "
                            + (task.userAggregate() != null ? task.userAggregate() : spec.aggregate().toString())
                            + ", lateness " + Durations.format(spec.allowedLatenessMs()),
                    List.of("filter"), Counter.SELECTED, Counter.FIRED);
            last = "window";
        } else {
            // A user job is one node until the operator graph names its parts.
            b.node("job", "operator", "user job", task.userJob(), List.of("decode"), Counter.SELECTED, Counter.FIRED);
            last = "job";
        }
        b.node("results", "sink", "results", settings.outputTopic == null ? "log only" : "topic " + settings.outputTopic,
                List.of(last), Counter.FIRED, Counter.WRITTEN);
        List<String> extra = task.extraResultSinks();
        for (int i = 0; i < extra.size(); i++) {
            b.node("results-" + (i + 2), "sink", "results", extra.get(i), List.of(last), Counter.FIRED, null);
        }
        if (settings.lateTopic != null) {
            b.node("late", "sink", "late events", "topic " + settings.lateTopic, List.of(last), Counter.LATE, null);
        }
        b.node("dead-letters", "sink", "dead letters",
                settings.deadLetterTopic == null ? "counted and logged" : "topic " + settings.deadLetterTopic,
                List.of("decode"), Counter.INVALID, null);

        b.setting("job", displayName())
                .setting("input-topic", settings.inputTopic)
                .setting("output-topic", settings.outputTopic == null ? "none" : settings.outputTopic)
                .setting("late-topic", settings.lateTopic)
                .setting("dead-letter-topic", settings.deadLetterTopic)
                .setting("group-id", settings.groupId)
                .setting("start-from", settings.startFrom.name().toLowerCase(java.util.Locale.ROOT))
                .setting("idle-timeout", Durations.format(settings.idleTimeoutMs))
                .setting("idle-wall-clock", settings.wallClockWhenIdle)
                .setting("max-record-size", settings.maxRecordBytes)
                .setting("max-future", Durations.format(settings.maxFutureMs))
                .setting("commit-interval", Durations.format(settings.commitIntervalMs))
                .setting("bootstrap-servers", settings.connection.bootstrapServers())
                .setting("connect-timeout", Durations.format(settings.connection.connectTimeoutMs()));
        if (settings.checkpoints != null) {
            b.setting(settings.checkpoints.storeKind() == CheckpointSettings.Store.KAFKA ? "checkpoint-store" : "checkpoint-dir",
                            settings.checkpoints.describeStore(settings.groupId))
                    .setting("checkpoint-interval", Durations.format(settings.checkpoints.intervalMs()))
                    .setting("delivery", settings.checkpoints.delivery().label());
        } else {
            b.setting("checkpoints", "off");
        }
        for (Map.Entry<String, String> e : new TreeMap<>(settings.connection.properties()).entrySet()) {
            b.possiblySecret("kafka-property " + e.getKey(), e.getValue());
        }
        return b.build();
    }

    /** The consumer group's members, this instance marked; cached by {@link ConsumerGroupMembers}. Any thread. */
    private List<Peer> peers() {
        KafkaSourceReader r = reader;
        String self = r == null ? "" : r.memberId();
        List<Peer> out = new ArrayList<>();
        for (ConsumerGroupMembers.Member m : groupMembers.members()) {
            out.add(new Peer(m.clientId(), m.host(), m.partitions(), !self.isEmpty() && self.equals(m.memberId())));
        }
        return out;
    }
}
