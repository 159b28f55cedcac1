package io.flinklite.app.cli;

import io.flinklite.app.KafkaJob;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.job.JobSpec;
import picocli.CommandLine.Option;

import java.util.Locale;

/** The flags of the Kafka job beyond the job spec, shared by {@code run} and {@code demo}. */
public final class RunOptions {

    @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = "flink-events",
            description = "Topic of JSON events to read (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Option(names = "--output-topic", paramLabel = "TOPIC|none", defaultValue = "processed-events",
            description = "Topic for window results, one replay JSON line per result keyed by the window key; "
                    + "none for no output (default: ${DEFAULT-VALUE}).")
    String outputTopic;

    @Option(names = "--group-id", paramLabel = "GROUP", defaultValue = "flinklite",
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

    @Option(names = "--idle-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30s",
            description = "A partition silent this long stops holding the watermark back; 0s never (default: ${DEFAULT-VALUE}).")
    long idleTimeoutMs;

    @Option(names = "--idle-wall-clock", negatable = true, defaultValue = "false",
            description = "When every partition is idle, let event time follow the wall clock minus the "
                    + "out-of-orderness, so the last windows close when traffic stops (default: off).")
    boolean idleWallClock;

    @Option(names = "--start-from", paramLabel = "earliest|latest", defaultValue = "earliest",
            description = "Where a consumer group without committed offsets starts (default: ${DEFAULT-VALUE}).")
    String startFrom;

    @Option(names = "--max-record-size", paramLabel = "BYTES", defaultValue = "262144",
            description = "Larger records are invalid (oversized) (default: ${DEFAULT-VALUE}).")
    int maxRecordBytes;

    @Option(names = "--max-future", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "24h",
            description = "Timestamps further ahead of the wall clock are invalid (absurd_timestamp): one would push "
                    + "the watermark ahead and make everything else late (default: 24h).")
    long maxFutureMs;

    @Option(names = "--commit-interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "How often to flush the output and then commit the consumed offsets (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--instance-id", paramLabel = "ID|none",
            description = "This process's stable identity in the consumer group (Kafka static membership, "
                    + "group.instance.id): a restart with the same id takes its partitions back at once instead of "
                    + "waiting for the old session to time out. Must differ between live processes of a group. "
                    + "none: a dynamic member (default: derived from the host name and the --checkpoint-dir; none "
                    + "without checkpoints).")
    String instanceId;

    /** The job settings these flags describe. */
    KafkaJob.Settings settings(KafkaConnection connection, JobSpec spec) {
        KafkaSourceReader.StartFrom from;
        switch (startFrom.trim().toLowerCase(Locale.ROOT)) {
            case "earliest": from = KafkaSourceReader.StartFrom.EARLIEST; break;
            case "latest": from = KafkaSourceReader.StartFrom.LATEST; break;
            default: throw new IllegalArgumentException("bad --start-from '" + startFrom + "': expected earliest or latest");
        }
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("--max-record-size must be positive, got " + maxRecordBytes);
        }
        if (commitIntervalMs <= 0) {
            throw new IllegalArgumentException("--commit-interval must be positive");
        }
        if (idleWallClock && idleTimeoutMs == 0) {
            throw new IllegalArgumentException("--idle-wall-clock needs an --idle-timeout above 0s");
        }
        return new KafkaJob.Settings(connection, spec)
                .inputTopic(inputTopic)
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
                        ? KafkaJob.Settings.NO_INSTANCE_ID : instanceId.trim());
    }

    private static boolean isNone(String topic) {
        return topic == null || topic.isBlank() || topic.equalsIgnoreCase("none");
    }
}
