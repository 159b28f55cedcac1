package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.json.CheckpointJson;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of checkpoint files.
 *
 * <ul>
 *   <li>{@code checkpoint-<id>.json}: one file per retained checkpoint, the newest {@code retain} are kept.</li>
 *   <li>{@code checkpoint.json}: the latest one (a hard link to its numbered file, or a copy where links are not
 *       supported), for people and tools.</li>
 *   <li>{@code *.tmp}: a write in progress; a leftover after a crash is ignored and removed.</li>
 * </ul>
 *
 * <p>Writes are atomic: the content goes to a temporary file which is fsynced, renamed into place and the directory
 * fsynced, so after a crash at any moment each name holds either its previous complete content or the new complete
 * content. The file's checksum catches what atomicity cannot (damage at rest, a hand edit).
 *
 * <p>One job owns a directory. {@link #write} is called by one thread at a time (the checkpoint writer thread);
 * the read methods may run on any thread but are meant for startup and for {@code checkpoint inspect}.
 */
public final class CheckpointStore {

    /** Name of the latest checkpoint. */
    public static final String LATEST = "checkpoint.json";
    /** Default number of checkpoints kept. */
    public static final int DEFAULT_RETAIN = 3;

    private static final System.Logger LOG = System.getLogger(CheckpointStore.class.getName());
    private static final Pattern NUMBERED = Pattern.compile("checkpoint-(\\d+)\\.json");
    private static final String TMP = ".tmp";

    private final Path dir;
    private final int retain;

    /**
     * @param dir    the directory; created on the first write when missing
     * @param retain how many numbered checkpoints to keep, at least 2 so that a damaged latest has a fallback
     */
    public CheckpointStore(Path dir, int retain) {
        if (retain < 2) {
            throw new IllegalArgumentException("retain at least 2 checkpoints (a fallback for a damaged latest), got " + retain);
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.retain = retain;
    }

    public CheckpointStore(Path dir) {
        this(dir, DEFAULT_RETAIN);
    }

    public Path directory() {
        return dir;
    }

    /** The file a checkpoint with this id is (or would be) stored in. */
    public Path fileOf(long id) {
        return dir.resolve("checkpoint-" + id + ".json");
    }

    /**
     * Writes {@code checkpoint} durably, makes it the latest, then deletes numbered checkpoints beyond the newest
     * {@code retain}. When this returns, the checkpoint survives a crash or power loss.
     *
     * @return the size of the file in bytes
     * @throws IOException when the disk refuses; the previous checkpoints are then untouched
     */
    public long write(Checkpoint checkpoint) throws IOException {
        Files.createDirectories(dir);
        Path target = fileOf(checkpoint.id());
        Path temp = dir.resolve(target.getFileName() + TMP);
        long size;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            size = CheckpointJson.write(checkpoint, out);
            out.flush();
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        moveAtomically(temp, target);
        publishAsLatest(target);
        syncDirectory();
        deleteBeyondRetention();
        return size;
    }

    /** Points {@code checkpoint.json} at {@code target} atomically: link (or copy) to a temp name, then rename. */
    private void publishAsLatest(Path target) throws IOException {
        Path temp = dir.resolve(LATEST + TMP);
        Files.deleteIfExists(temp);
        try {
            Files.createLink(temp, target);
        } catch (UnsupportedOperationException | IOException linkRefused) {
            // Some file systems have no hard links: a copy costs a second write but keeps the same guarantees.
            Files.copy(target, temp, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
        }
        moveAtomically(temp, dir.resolve(LATEST));
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the checkpoint directory's file system cannot rename atomically (" + e.getMessage()
                    + "); put --checkpoint-dir on a local disk", e);
        }
    }

    /** Makes the renames themselves durable: without it a power loss can undo a rename that already returned. */
    private void syncDirectory() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; the rename is still atomic, only less durable.
            LOG.log(System.Logger.Level.DEBUG, "cannot fsync directory " + dir + ": " + e.getMessage());
        }
    }

    private void deleteBeyondRetention() throws IOException {
        List<Long> ids = numberedIds();
        for (int i = retain; i < ids.size(); i++) {
            Files.deleteIfExists(fileOf(ids.get(i)));
        }
    }

    /** Ids of the numbered checkpoint files, newest first. Empty when the directory does not exist. */
    public List<Long> numberedIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "checkpoint-*.json")) {
            for (Path f : files) {
                Matcher m = NUMBERED.matcher(f.getFileName().toString());
                if (m.matches()) {
                    try {
                        ids.add(Long.parseLong(m.group(1)));
                    } catch (NumberFormatException ignored) {
                        // an absurdly long number is not a file we wrote
                    }
                }
            }
        }
        ids.sort(Comparator.reverseOrder());
        return ids;
    }

    /**
     * The highest checkpoint id present, valid or not, so that a restarted job continues the sequence and never
     * overwrites a file a previous run may still need.
     */
    public OptionalLong highestId() throws IOException {
        // checkpoint.json never names a newer id than the numbered files: a numbered file is written first and
        // retention keeps the newest.
        List<Long> ids = numberedIds();
        return ids.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ids.get(0));
    }

    /** Removes leftovers of writes interrupted by a crash. Called once at startup, before the first write. */
    public void deleteTemporaryFiles() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + TMP)) {
            for (Path f : files) {
                LOG.log(System.Logger.Level.INFO, "removing " + f.getFileName() + ", left by a checkpoint write interrupted by a crash");
                Files.deleteIfExists(f);
            }
        }
    }

    /** Reads and verifies one checkpoint file. */
    public static Checkpoint read(Path file) throws IOException {
        return CheckpointJson.read(Files.readAllBytes(file));
    }

    /** Reads and verifies the checkpoint with this id. */
    public Checkpoint load(long id) throws IOException {
        return read(fileOf(id));
    }

    /** What {@link #loadLatest()} found: the newest valid checkpoint, if any, and the problems met on the way. */
    public static final class Found {
        private final Checkpoint checkpoint;
        private final Path file;
        private final List<String> warnings;

        Found(Checkpoint checkpoint, Path file, List<String> warnings) {
            this.checkpoint = checkpoint;
            this.file = file;
            this.warnings = List.copyOf(warnings);
        }

        /** The newest valid checkpoint; empty when there is none. */
        public Optional<Checkpoint> checkpoint() { return Optional.ofNullable(checkpoint); }
        /** The file it was read from; {@code null} when none was found. */
        public Path file() { return file; }
        /** One line per damaged checkpoint skipped, naming the file and what is wrong; already logged. */
        public List<String> warnings() { return warnings; }
    }

    /**
     * Finds the newest valid checkpoint: {@code checkpoint.json}, or a newer numbered file when a crash came between
     * writing it and publishing it as the latest; when those are damaged, the previous ones, newest first, each
     * skipped one logged as a warning.
     */
    public Found loadLatest() throws IOException {
        List<String> warnings = new ArrayList<>();
        Checkpoint best = null;
        Path bestFile = null;
        Path latest = dir.resolve(LATEST);
        if (Files.exists(latest)) {
            try {
                best = read(latest);
                bestFile = latest;
            } catch (CorruptCheckpointException e) {
                warn(warnings, latest, e);
            }
        }
        for (long id : numberedIds()) {
            if (best != null && id <= best.id()) {
                break;
            }
            Path file = fileOf(id);
            try {
                best = read(file);
                bestFile = file;
                break;
            } catch (CorruptCheckpointException e) {
                warn(warnings, file, e);
            } catch (NoSuchFileException e) {
                // deleted by retention between listing and reading: an older one follows
            }
        }
        if (best != null && !warnings.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "falling back to checkpoint " + best.id() + " (" + bestFile.getFileName() + ")");
        }
        return new Found(best, bestFile, warnings);
    }

    private static void warn(List<String> warnings, Path file, CorruptCheckpointException e) {
        String line = "skipping damaged checkpoint " + file + ": " + e.getMessage();
        LOG.log(System.Logger.Level.WARNING, line);
        warnings.add(line);
    }

    /**
     * Moves every checkpoint file into a new subdirectory {@code superseded-<timeMs>}, so that a job started with
     * {@code --fresh-start} neither restores nor deletes them.
     *
     * @return the subdirectory, or empty when there was nothing to move
     */
    public Optional<Path> moveAside(long timeMs) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "checkpoint*.json")) {
            stream.forEach(files::add);
        }
        if (files.isEmpty()) {
            return Optional.empty();
        }
        Path aside = dir.resolve("superseded-" + timeMs);
        Files.createDirectories(aside);
        for (Path f : files) {
            moveAtomically(f, aside.resolve(f.getFileName()));
        }
        syncDirectory();
        return Optional.of(aside);
    }
}
