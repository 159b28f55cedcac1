package io.flinklite.runtime.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Where a job's checkpoints live: what recovery, the {@link CheckpointCoordinator} and the {@code checkpoint}
 * commands need of a store, whatever it is built on. {@link DirectoryCheckpointStore} keeps them as files in a
 * directory ({@code --checkpoint-dir}); the Kafka connector's {@code KafkaCheckpointStore} in a compacted topic
 * ({@code --checkpoint-store kafka}).
 *
 * <p>Contract shared by every implementation:
 * <ol>
 *   <li>One job (one task of one job, once tasks exist) owns what a store instance reads and writes; {@link #write}
 *       is called by one thread at a time (the checkpoint writer thread). The read methods are for startup and the
 *       {@code checkpoint} commands.</li>
 *   <li>A checkpoint is visible to the read methods only once {@link #write} returned for it: a reader never sees
 *       part of one. A damaged one (checksum, format, impossible content, or refused by the store's
 *       {@link CheckpointValidator}) is never returned as valid: {@link #loadLatest} skips it with one warning line
 *       and falls back to the previous one.</li>
 *   <li>The newest {@link #DEFAULT_RETAIN} (or as configured) checkpoints are retained; {@link #keep kept} ones are
 *       never rotated away.</li>
 *   <li>Ids are never reused: {@link #highestId} counts every checkpoint the store holds, valid or not, kept or not.</li>
 * </ol>
 */
public interface CheckpointStore {

    /** Default number of checkpoints kept. */
    int DEFAULT_RETAIN = 3;

    /** Where the checkpoints are, for messages: a directory's path, or a topic and key. */
    String location();

    /**
     * Called once at startup, before the first write and the first read of a job: removes what an interrupted write
     * left behind (a directory's temporary files; a topic's chunks no manifest names).
     */
    void prepare() throws IOException;

    /**
     * Writes {@code checkpoint} durably, makes it the latest, and rotates away retained checkpoints beyond the
     * newest ones kept. When this returns, the checkpoint survives a crash of this process (and, for a directory,
     * a power loss).
     *
     * @return the size of the encoded checkpoint in bytes
     * @throws IOException when the storage refuses; the previous checkpoints are then untouched
     */
    long write(Checkpoint checkpoint) throws IOException;

    /** Ids of the retained (not kept) checkpoints, valid or not, newest first; empty when there are none. */
    List<Long> ids() throws IOException;

    /** The highest id present, valid or not, retained or kept: a restarted job continues above it. */
    OptionalLong highestId() throws IOException;

    /**
     * Reads and verifies the retained checkpoint with this id, with the store's validator.
     *
     * @throws java.nio.file.NoSuchFileException when the store holds no checkpoint with this id
     * @throws CorruptCheckpointException        when it is damaged or refused by the validator
     * @throws IOException                       when it cannot be read
     */
    Checkpoint load(long id) throws IOException;

    /**
     * Reads and verifies a checkpoint file outside the store ({@code run --restore-from}), as this store checks its own.
     */
    Checkpoint loadFile(Path file) throws IOException;

    /**
     * The newest valid checkpoint, falling back past damaged ones, each skipped one logged as a one-line warning.
     *
     * @throws IOException only when the store itself cannot be read (a directory that cannot be listed, a broker
     *                     that does not answer)
     */
    Found loadLatest() throws IOException;

    /**
     * Keeps checkpoint {@code id} from being rotated away, as a savepoint.
     *
     * @return where it is kept, for people
     * @throws IOException when it is not valid (see {@link #load}) or cannot be kept
     */
    String keep(long id) throws IOException;

    /**
     * Sets every retained checkpoint aside so that a job started with {@code --fresh-start} neither restores nor
     * continues them; kept ones stay. Ids keep counting up.
     *
     * @return where they went, for people; empty when there was nothing to set aside
     */
    Optional<String> moveAside(long timeMs) throws IOException;

    /** What {@link #loadLatest()} found: the newest valid checkpoint, if any, and the problems met on the way. */
    final class Found {
        private final Checkpoint checkpoint;
        private final String where;
        private final Path file;
        private final List<String> warnings;

        /**
         * @param where where the checkpoint was read from, for people (a file name, a topic offset)
         * @param file  the file it was read from, for a directory store; null otherwise
         */
        public Found(Checkpoint checkpoint, String where, Path file, List<String> warnings) {
            this.checkpoint = checkpoint;
            this.where = where;
            this.file = file;
            this.warnings = List.copyOf(warnings);
        }

        /** The newest valid checkpoint; empty when there is none. */
        public Optional<Checkpoint> checkpoint() { return Optional.ofNullable(checkpoint); }
        /** Where it was read from, for people; {@code null} when none was found. */
        public String where() { return where; }
        /** The file it was read from (a directory store); {@code null} when none was found or the store has no files. */
        public Path file() { return file; }
        /** One line per damaged checkpoint skipped, naming it and what is wrong; already logged. */
        public List<String> warnings() { return warnings; }
    }
}
