package io.flinklite.app.cli;

import io.flinklite.app.KafkaJob;
import io.flinklite.app.ResultPrinter;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.task.TaskOptions;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The flags of the Kafka job beyond the job spec, shared by {@code run} and {@code demo}. */
public final class RunOptions {

    /** {@code --input-topic} when none is given. */
    static final String DEFAULT_INPUT_TOPIC = "flink-events";
    /** {@code --group-id} when none is given. */
    static final String DEFAULT_GROUP_ID = "flinklite";

    @Option(names = "--input-topic", paramLabel = "TOPIC[,TOPIC...]", defaultValue = DEFAULT_INPUT_TOPIC,
            description = "Topic of JSON events to read; several, comma-separated, are read as one stream (a union: "
                    + "each topic keeps its own partition watermarks, event time is their minimum) "
                    + "(default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "TOPIC|none", defaultValue = "processed-events",
            description = "Topic for window results, one replay JSON line per result keyed by the window key; "
                    + "none for no output (default: ${DEFAULT-VALUE}).")
    String outputTopic;

    @Option(names = "--group-id", paramLabel = "GROUP", defaultValue = DEFAULT_GROUP_ID,
            description = "Kafka consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--late-topic", paramLabel = "TOPIC",
            description = "Topic for events later than the allowed lateness, forwarded unchanged (default: none, "
                    + "late events are only counted).")
    String lateTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
            description = "Topic for invalid records, forwarded unchanged with the reason and source "
                    + "topic/partition/offset in headers (default: none, they are counted and logged).")
    String deadLetterTopic;

    @Option(names = "--too-large-to-dead-letter", negatable = true, defaultValue = "false",
            description = "Write records too large for their topic (max.message.bytes) or the producer "
                    + "(max.request.size) to --dead-letter-topic, key and value truncated to 1 KiB, with reason "
                    + "too_large; without it such a record stops the job with an error (default: off).")
    boolean tooLargeToDeadLetter;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = TaskOptions.DEFAULT_IDLE_TIMEOUT,
            description = "A partition silent this long stops holding the watermark back; 0s never (default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--idle-wall-clock", negatable = true, defaultValue = "false",
            description = "When every partition is idle, let event time follow the wall clock minus the "
                    + "out-of-orderness, so the last windows close when traffic stops (default: off).")
    boolean idleWallClock;

    @Option(names = "--start-from", paramLabel = "earliest|latest", defaultValue = "earliest",
            description = "Where a consumer group without committed offsets starts (default: ${DEFAULT-VALUE}).")
    String startFrom;

    @Option(names = "--max-record-size", paramLabel = "BYTES", defaultValue = "" + TaskOptions.DEFAULT_MAX_RECORD_BYTES,
            description = "Larger records are invalid (oversized) (default: ${DEFAULT-VALUE}).")
    int maxRecordBytes;

    @Option(names = "--max-future", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = TaskOptions.DEFAULT_MAX_FUTURE,
            description = "Timestamps further ahead of the wall clock are invalid (absurd_timestamp): one would push "
                    + "the watermark ahead and make everything else late (default: ${DEFAULT-VALUE}).")
    long maxFutureMs;

    @Option(names = "--commit-interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = KafkaJob.Settings.DEFAULT_COMMIT_INTERVAL,
            description = "How often to flush the output and then commit the consumed offsets (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--instance-id", paramLabel = "ID|none",
            description = "This process's stable identity in the consumer group (Kafka static membership, "
                    + "group.instance.id): a restart with the same id takes its partitions back at once instead of "
                    + "waiting for the old session to time out. Must differ between live processes of a group. "
                    + "none: a dynamic member (default: derived from the host name and the --checkpoint-dir; none "
                    + "without checkpoints).")
    String instanceId;

    @Option(names = "--create-topics", defaultValue = "false",
            description = "Create missing output, late and dead-letter topics with the Admin API (as Kafka's own "
                    + "producer would on a broker with auto.create.topics.enable); without it a missing one is refused.")
    boolean createTopics;

    @Option(names = "--topic-partitions", paramLabel = "N", defaultValue = "-1",
            description = "Partitions of each topic --create-topics creates; -1 for the broker's num.partitions "
                    + "(default: ${DEFAULT-VALUE}).")
    int topicPartitions;

    @Option(names = "--topic-replication-factor", paramLabel = "N", defaultValue = "-1",
            description = "Replication factor of each topic --create-topics creates; -1 for the broker's "
                    + "default.replication.factor (default: ${DEFAULT-VALUE}).")
    int topicReplicationFactor;

    @Option(names = "--scale-out", negatable = true, defaultValue = "false",
            description = "Run the job as two stages through the topic <group-id>-repartition, so that every instance "
                    + "started with the same command line in the group shares one job: source tasks (one per input "
                    + "partition) pre-aggregate and send watermarks, keyed tasks (one per repartition partition) run "
                    + "the windows; each task's state moves with its partition. See README \"Scaling out\" "
                    + "(default: off, one fused task per instance).")
    boolean scaleOut;

    @Option(names = "--keyed-input", negatable = true, defaultValue = "false",
            description = "Declare the input partitioned by --key-field (every record of a key in one partition, as "
                    + "'simulate --keyed' writes it), as Flink's reinterpretAsKeyedStream: instances of a job without "
                    + "--scale-out may then share one group, each computing exact windows for its partitions' keys. "
                    + "Without it such a job stops when other live instances own part of its input (default: off).")
    boolean keyedInput;

    @Option(names = "--repartition-partitions", paramLabel = "N", defaultValue = "" + io.flinklite.app.ScaleOut.SAME_AS_INPUT,
            description = "Partitions of the repartition topic --scale-out creates; -1 for as many as the input topic "
                    + "(default: ${DEFAULT-VALUE}).")
    int repartitionPartitions;

    @Option(names = "--format", paramLabel = "json|text", defaultValue = "json", converter = FormatConverter.class,
            description = "How window results are printed on stdout as they fire: JSON lines as in the output topic, "
                    + "or readable text; logs and the status line go to stderr (default: ${DEFAULT-VALUE}).")
    ResultPrinter.Format format;

    static final class FormatConverter implements picocli.CommandLine.ITypeConverter<ResultPrinter.Format> {
        @Override
        public ResultPrinter.Format convert(String value) {
            try {
                return ResultPrinter.Format.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The job settings these flags describe. */
    KafkaJob.Settings settings(KafkaConnection connection, JobSpec spec) {
        KafkaSourceReader.StartFrom from;
        switch (startFrom.trim().toLowerCase(Locale.ROOT)) {
            case "earliest": from = KafkaSourceReader.StartFrom.EARLIEST; break;
            case "latest": from = KafkaSourceReader.StartFrom.LATEST; break;
            default: throw new UsageException("--start-from", startFrom, "expected earliest or latest");
        }
        if (maxRecordBytes <= 0) {
            throw new UsageException("--max-record-size", Integer.toString(maxRecordBytes), "must be positive");
        }
        if (commitIntervalMs <= 0) {
            throw new UsageException("--commit-interval", io.flinklite.job.Durations.format(commitIntervalMs), "must be positive");
        }
        if (topicPartitions == 0 || topicPartitions < -1) {
            throw new UsageException("--topic-partitions", Integer.toString(topicPartitions), "must be positive, or -1 for the broker's default");
        }
        if (topicReplicationFactor == 0 || topicReplicationFactor < -1 || topicReplicationFactor > Short.MAX_VALUE) {
            throw new UsageException("--topic-replication-factor", Integer.toString(topicReplicationFactor),
                    "must be positive, or -1 for the broker's default");
        }
        io.flinklite.app.ScaleOut scale = null;
        if (scaleOut) {
            try {
                scale = new io.flinklite.app.ScaleOut(repartitionPartitions);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--repartition-partitions", Integer.toString(repartitionPartitions),
                        "must be positive, or -1 for as many as the input topic");
            }
        } else if (repartitionPartitions != io.flinklite.app.ScaleOut.SAME_AS_INPUT) {
            throw UsageException.of("--repartition-partitions", "only applies with --scale-out");
        }
        if (keyedInput && scaleOut) {
            throw UsageException.of("--keyed-input", "only applies without --scale-out (a scaled-out job is one job over"
                    + " all instances, whatever the input's partitioning)");
        }
        if (idleWallClock && idleTimeoutMs == 0) {
            throw UsageException.of("--idle-wall-clock", "needs an --idle-timeout above 0s");
        }
        return new KafkaJob.Settings(connection, spec)
                .inputTopics(inputTopics())
                .outputTopic(isNone(outputTopic) ? null : outputTopic)
                .groupId(groupId)
                .lateTopic(isNone(lateTopic) ? null : lateTopic)
                .deadLetterTopic(isNone(deadLetterTopic) ? null : deadLetterTopic)
                .tooLargeToDeadLetter(tooLargeToDeadLetter)
                .startFrom(from)
                .idleTimeoutMs(idleTimeoutMs)
                .wallClockWhenIdle(idleWallClock)
                .maxRecordBytes(maxRecordBytes)
                .maxFutureMs(maxFutureMs)
                .commitIntervalMs(commitIntervalMs)
                .instanceId(instanceId == null ? null : instanceId.trim().equalsIgnoreCase("none")
                        ? KafkaJob.Settings.NO_INSTANCE_ID : instanceId.trim())
                .console(System.out, format)
                .createTopics(createTopics, topicPartitions, topicReplicationFactor)
                .scaleOut(scale)
                .keyedInput(keyedInput);
    }

    /** {@code --input-topic} split at commas (a Kafka topic name cannot hold one). */
    java.util.List<String> inputTopics() {
        java.util.List<String> topics = new java.util.ArrayList<>();
        for (String t : inputTopic.split(",", -1)) {
            String topic = t.trim();
            if (topic.isEmpty()) {
                throw new UsageException("--input-topic", inputTopic, "a topic name is empty");
            }
            if (topics.contains(topic)) {
                throw new UsageException("--input-topic", inputTopic, "names '" + topic + "' twice");
            }
            topics.add(topic);
        }
        return topics;
    }

    private static boolean isNone(String topic) {
        return topic == null || topic.isBlank() || topic.equalsIgnoreCase("none");
    }
}
