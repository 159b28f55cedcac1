package io.flinklite.app.cli;

import io.flinklite.app.CheckpointSettings;
import io.flinklite.runtime.checkpoint.Delivery;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The checkpoint and delivery flags of {@code run}. */
public final class CheckpointOptions {

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|none", defaultValue = "./checkpoints",
            description = "Where checkpoints are kept: checkpoint.json is the latest, the previous ones are kept beside it. "
                    + "'none' disables checkpoints (offsets are then committed every --commit-interval, and windows "
                    + "open at a stop are not restored) (default: ${DEFAULT-VALUE}).")
    String checkpointDir;

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

    @Option(names = "--transactional-id", paramLabel = "ID",
            description = "Kafka transactional.id for exactly-once output; must be stable across restarts of this job "
                    + "and unique among jobs (default: flinklite-<group-id>-<input-topic>).")
    String transactionalId;

    /** The settings these flags describe; {@code null} when checkpoints are disabled. */
    CheckpointSettings settings() {
        Delivery d = Delivery.parse(delivery);
        if (checkpointDir == null || checkpointDir.isBlank() || checkpointDir.equalsIgnoreCase("none")) {
            if (d == Delivery.EXACTLY_ONCE) {
                throw new IllegalArgumentException("--delivery exactly-once needs checkpoints: give a --checkpoint-dir");
            }
            if (freshStart) {
                throw new IllegalArgumentException("--fresh-start has no effect without checkpoints (--checkpoint-dir none)");
            }
            return null;
        }
        return new CheckpointSettings(Path.of(checkpointDir), checkpointIntervalMs, d, freshStart,
                transactionalId == null || transactionalId.isBlank() ? null : transactionalId);
    }
}
