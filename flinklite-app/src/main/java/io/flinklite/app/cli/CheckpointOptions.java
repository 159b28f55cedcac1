package io.flinklite.app.cli;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.runtime.checkpoint.Delivery;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** The checkpoint and delivery flags of {@code run}. */
public final class CheckpointOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|none", defaultValue = CheckpointDirectoryArgument.DEFAULT_DIR,
            description = "Where checkpoints are kept: checkpoint.json is the latest, the previous ones are kept beside it. "
                    + "'none' disables checkpoints (offsets are then committed every --commit-interval, and windows "
                    + "open at a stop are not restored) (default: ${DEFAULT-VALUE}).")
    String checkpointDir;

    @Option(names = "--checkpoint-store", paramLabel = "dir|kafka", defaultValue = "dir",
            description = "Where checkpoints are kept: dir, files in --checkpoint-dir; kafka, a compacted Kafka topic "
                    + "(--checkpoint-topic, created when missing), so that instances on any machine need nothing but "
                    + "Kafka; under exactly-once the snapshot commits in the same transaction as the results and "
                    + "offsets (default: ${DEFAULT-VALUE}).")
    String checkpointStore;

    @Option(names = "--checkpoint-topic", paramLabel = "TOPIC",
            description = "The topic of --checkpoint-store kafka (default: <group-id>-checkpoints).")
    String checkpointTopic;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "5s",
            description = "How often to take a checkpoint (default: 5s). Under exactly-once this is also how often "
                    + "results become visible to read_committed consumers.")
    long checkpointIntervalMs;

    @Option(names = "--delivery", paramLabel = "at-least-once|exactly-once", defaultValue = "at-least-once",
            description = "at-least-once: results are written as windows fire; after a crash, windows fired since the "
                    + "last checkpoint are written again with identical contents. exactly-once: results are written in "
                    + "Kafka transactions that commit with each checkpoint; read_committed consumers see each once "
                    + "(default: ${DEFAULT-VALUE}).")
    String delivery;

    @Option(names = "--fresh-start",
            description = "Start without state even though --checkpoint-dir holds checkpoints (of this or another job): "
                    + "they are moved aside into a superseded-<time> subdirectory, not deleted.")
    boolean freshStart;

    @Option(names = "--restore-from", paramLabel = "FILE",
            description = "Restore exactly this checkpoint file (a kept one, see 'checkpoint keep', or any "
                    + "checkpoint-<id>.json) instead of the newest in --checkpoint-dir, like Flink's run -s <savepoint>. "
                    + "Refused, with the reason, when it is not valid or was taken by another job; nothing else is "
                    + "tried in its place. New checkpoints still go to --checkpoint-dir.")
    Path restoreFrom;

    @Option(names = "--transactional-id", paramLabel = "ID",
            description = "Kafka transactional.id for exactly-once output; must be stable across restarts of this job "
                    + "and unique among jobs (default: flinklite-<group-id>-<input-topic>).")
    String transactionalId;

    /**
     * The settings these flags describe; {@code null} when checkpoints are disabled. Refuses, as a usage error, a
     * checkpoint directory that cannot be used: better at start than a job that runs for hours without one checkpoint.
     */
    CheckpointSettings settings() {
        Delivery d = Delivery.parse(delivery);
        CheckpointSettings.Store store = CheckpointSettings.Store.parse(checkpointStore);
        if (checkpointTopic != null && store != CheckpointSettings.Store.KAFKA) {
            throw new IllegalArgumentException("--checkpoint-topic: only --checkpoint-store kafka has a topic; give that"
                    + " too, or leave --checkpoint-topic out");
        }
        if (checkpointDir == null || checkpointDir.isBlank()) {
            throw new ParameterException(mixee.commandLine(), "--checkpoint-dir is empty: give a directory, or 'none' to run"
                    + " without checkpoints");
        }
        if (checkpointDir.equalsIgnoreCase("none")) {
            if (store == CheckpointSettings.Store.KAFKA) {
                throw new IllegalArgumentException("--checkpoint-dir: 'none' turns checkpoints off, but --checkpoint-store"
                        + " kafka asks for them; leave one out");
            }
            if (d == Delivery.EXACTLY_ONCE) {
                throw new IllegalArgumentException("--delivery exactly-once needs checkpoints: give a --checkpoint-dir");
            }
            if (freshStart) {
                throw new IllegalArgumentException("--fresh-start has no effect without checkpoints (--checkpoint-dir none)");
            }
            if (restoreFrom != null) {
                throw new ParameterException(mixee.commandLine(), "--restore-from needs checkpoints: give a --checkpoint-dir"
                        + " for the checkpoints that continue it");
            }
            return null;
        }
        Path dir;
        try {
            dir = Path.of(checkpointDir);
        } catch (InvalidPathException e) {
            throw new ParameterException(mixee.commandLine(), "--checkpoint-dir '" + checkpointDir + "' is not a path: " + e.getReason());
        }
        CheckpointSettings settings = new CheckpointSettings(dir, checkpointIntervalMs, d, freshStart,
                transactionalId == null || transactionalId.isBlank() ? null : transactionalId, restoreFrom, store,
                checkpointTopic);
        if (store == CheckpointSettings.Store.KAFKA) {
            // Nothing is written to the directory: the topic is checked (and created) when the job connects.
            return settings;
        }
        try {
            settings.store().requireUsableDirectory();
        } catch (IOException e) {
            throw new ParameterException(mixee.commandLine(), "--checkpoint-dir cannot be used: " + e.getMessage());
        }
        return settings;
    }
}
