package io.flinklite.app.cli;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.connector.kafka.KafkaCheckpointStore;
import io.flinklite.runtime.checkpoint.CheckpointStore;
import io.flinklite.runtime.checkpoint.RestoreCheck;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@code checkpoint list} and {@code inspect} that read a Kafka checkpoint store instead of a
 * directory: the same flags, names and defaults as {@code run}'s, so the command line of a job names its checkpoints.
 */
public final class CheckpointStoreArgument {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--checkpoint-store", paramLabel = "dir|kafka", defaultValue = "dir",
            description = "dir: read the directory argument; kafka: read the job's checkpoint topic, named by "
                    + "--checkpoint-topic or --group-id, at --bootstrap-servers (default: ${DEFAULT-VALUE}).")
    String checkpointStore;

    @Option(names = "--checkpoint-topic", paramLabel = "TOPIC",
            description = "The checkpoint topic (default: <group-id>-checkpoints).")
    String checkpointTopic;

    @Option(names = "--group-id", paramLabel = "GROUP", defaultValue = RunOptions.DEFAULT_GROUP_ID,
            description = "The job's consumer group, which names its checkpoint topic (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--input-topic", paramLabel = "TOPIC", defaultValue = RunOptions.DEFAULT_INPUT_TOPIC,
            description = "The job's input topic, which names its checkpoints' key in the topic (default: ${DEFAULT-VALUE}).")
    String inputTopic;

    @Mixin
    KafkaOptions kafka;

    /** True when these options name a Kafka store. */
    boolean kafka() {
        CheckpointSettings.Store store = CheckpointSettings.Store.parse(checkpointStore);
        if (store != CheckpointSettings.Store.KAFKA) {
            if (checkpointTopic != null) {
                throw new IllegalArgumentException("--checkpoint-topic: only --checkpoint-store kafka has a topic; give"
                        + " that too, or leave --checkpoint-topic out");
            }
            return false;
        }
        if (mixee.commandLine().getParseResult().hasMatchedPositional(0)) {
            throw new UsageException("--checkpoint-store", checkpointStore, "the kafka store is a topic, so the directory"
                    + " or file argument (" + mixee.commandLine().getParseResult().matchedPositional(0).getValue()
                    + ") cannot also be read: leave one out");
        }
        return true;
    }

    /**
     * The Kafka store these options name, checked as a restart checks it.
     *
     * @throws io.flinklite.connector.kafka.KafkaConnectorException in one line when the topic is missing or Kafka
     *                                                              does not answer
     */
    KafkaCheckpointStore open() {
        return KafkaCheckpointStore.open(connection(), topic(), KafkaCheckpointStore.taskKeyOf(inputTopic),
                CheckpointStore.DEFAULT_RETAIN, RestoreCheck.INSTANCE, null);
    }

    /** The checkpoint topic these options name. */
    String topic() {
        return checkpointTopic != null ? checkpointTopic : KafkaCheckpointStore.defaultTopic(groupId);
    }

    /**
     * The tasks of the job these options name when it scaled out ({@code <input-topic>/<p>} and
     * {@code <group-id>-repartition/<p>}); empty when its repartition topic does not exist.
     */
    java.util.List<io.flinklite.runtime.checkpoint.TaskId> tasks() {
        return TaskSnapshots.inKafka(connection(), groupId, inputTopic);
    }

    /** The store of one task of a scaled-out job in the checkpoint topic, for reading. */
    CheckpointStore taskStore(io.flinklite.runtime.checkpoint.TaskId task) {
        return TaskSnapshots.kafkaStore(connection(), topic(), task);
    }

    private io.flinklite.connector.kafka.KafkaConnection connection;

    private io.flinklite.connector.kafka.KafkaConnection connection() {
        if (connection == null) {
            connection = kafka.connection();
        }
        return connection;
    }
}
