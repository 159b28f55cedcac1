package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.json.CheckpointJson;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
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
 *   <li>{@code kept/checkpoint-<id>.json}: checkpoints kept by {@link #keep} (savepoints): never rotated away.</li>
 * </ul>
 *
 * <p>Writes are atomic: the content goes to a temporary file which is fsynced, renamed into place and the directory
 * fsynced, so after a crash at any moment each name holds either its previous complete content or the new complete
 * content. The file's checksum catches what atomicity cannot (damage at rest, a hand edit).
 *
 * <p>One job owns a directory. {@link #write} is called by one thread at a time (the checkpoint writer thread);
 * the read methods may run on any thread but are meant for startup and for {@code checkpoint inspect}.
 */
public final class DirectoryCheckpointStore implements CheckpointStore {

    /** Name of the latest checkpoint. */
    public static final String LATEST = "checkpoint.json";

    private static final System.Logger LOG = System.getLogger(DirectoryCheckpointStore.class.getName());
    private static final Pattern NUMBERED = Pattern.compile("checkpoint-(\\d+)\\.json");
    private static final String TMP = ".tmp";
    private static final String KEPT = "kept";

    private final Path dir;
    private final int retain;
    private final CheckpointValidator validator;

    /**
     * @param dir       the directory; created on the first write when missing
     * @param retain    how many numbered checkpoints to keep, at least 2 so that a damaged latest has a fallback
     * @param validator what {@link #load} and {@link #loadLatest} check beyond the file format; a job's store uses
     *                  {@link RestoreCheck#INSTANCE}, so a checkpoint whose state cannot be restored is skipped
     */
    public DirectoryCheckpointStore(Path dir, int retain, CheckpointValidator validator) {
        if (retain < 2) {
            throw new IllegalArgumentException("retain at least 2 checkpoints (a fallback for a damaged latest), got " + retain);
        }
        this.dir = dir.toAbsolutePath().normalize();
        this.retain = retain;
        this.validator = Objects.requireNonNull(validator, "validator");
    }

    /** A job's store: the default retention, and only checkpoints whose state restores count as valid. */
    public DirectoryCheckpointStore(Path dir) {
        this(dir, DEFAULT_RETAIN, RestoreCheck.INSTANCE);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public String location() {
        return dir.toString();
    }

    @Override
    public void prepare() throws IOException {
        deleteTemporaryFiles();
    }

    @Override
    public List<Long> ids() throws IOException {
        return numberedIds();
    }

    /**
     * Checks, once at startup, that checkpoints can be written here: the directory exists or can be created, is a
     * directory, and a file can be created, written and deleted in it (a real write, not a permission check: root
     * and ACLs make those unreliable). Without it a job could run for hours with every checkpoint failing.
     *
     * @throws IOException whose message says, in one line, why the directory is unusable
     */
    public void requireUsableDirectory() throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException(dir + " is " + (Files.isRegularFile(dir) ? "a regular file" : "not a directory")
                    + ", not a directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException(dir + " cannot be created (" + reason(e) + ")", e);
        }
        try {
            Path probe = Files.createTempFile(dir, "write-check-", TMP);
            try {
                Files.write(probe, new byte[] {'\n'});
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new IOException("cannot write in " + dir + " (" + reason(e) + ")", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory: " + e.getMessage();
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file is in the way: " + e.getMessage();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
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
    @Override
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
        linkAtomically(target, dir.resolve(LATEST));
    }

    /** Makes {@code name} a hard link to {@code target} (or a synced copy), atomically: link to a temp name, rename. */
    private static void linkAtomically(Path target, Path name) throws IOException {
        Path temp = name.resolveSibling(name.getFileName() + TMP);
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
        moveAtomically(temp, name);
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
    private void syncDirectory() {
        syncDirectory(dir);
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; the rename is still atomic, only less durable.
            LOG.log(System.Logger.Level.DEBUG, "cannot fsync directory " + directory + ": " + e.getMessage());
        }
    }

    private void deleteBeyondRetention() throws IOException {
        List<Long> ids = numberedIds();
        for (int i = retain; i < ids.size(); i++) {
            Files.deleteIfExists(fileOf(ids.get(i)));
        }
    }

    /**
     * Ids of the numbered checkpoint files, newest first. Empty when the directory does not exist. A file named like a
     * checkpoint but with an id outside [1, {@link Checkpoint#MAX_ID}] is not one FlinkLite wrote: it is left out
     * (see {@link #strayFiles()}), so it neither overflows the next id nor counts against retention.
     */
    public List<Long> numberedIds() throws IOException {
        List<Long> ids = new ArrayList<>();
        listNumbered(ids, null);
        return ids;
    }

    /** Files named {@code checkpoint-<id>.json} whose id is impossible; ignored by everything else. */
    public List<Path> strayFiles() throws IOException {
        List<Path> stray = new ArrayList<>();
        listNumbered(new ArrayList<>(), stray);
        return stray;
    }

    private void listNumbered(List<Long> ids, List<Path> stray) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "checkpoint-*.json")) {
            for (Path f : files) {
                Matcher m = NUMBERED.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long id = parseId(m.group(1));
                if (id >= 1 && id <= Checkpoint.MAX_ID && f.getFileName().toString().equals(fileOf(id).getFileName().toString())) {
                    ids.add(id);
                } else if (stray != null) {
                    stray.add(f);
                }
            }
        }
        ids.sort(Comparator.reverseOrder());
    }

    private static long parseId(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException beyondLong) {
            return -1;
        }
    }

    /**
     * The highest checkpoint id present, valid or not, numbered or kept, so that a restarted job continues the
     * sequence and never overwrites a file a previous run may still need, nor reuses the id of a kept one.
     */
    @Override
    public OptionalLong highestId() throws IOException {
        // checkpoint.json never names a newer id than the numbered files: a numbered file is written first and
        // retention keeps the newest.
        List<Long> ids = numberedIds();
        long highest = ids.isEmpty() ? 0 : ids.get(0);
        for (Path kept : keptFiles()) {
            Matcher m = NUMBERED.matcher(kept.getFileName().toString());
            long id = m.matches() ? parseId(m.group(1)) : -1;
            if (id <= Checkpoint.MAX_ID) {
                highest = Math.max(highest, id);
            }
        }
        return highest == 0 ? OptionalLong.empty() : OptionalLong.of(highest);
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

    /**
     * Reads and verifies one checkpoint file. Never blocks on a FIFO or reads a device (the file type is checked
     * before opening), never loads the whole file into memory (the checksum is streamed), and refuses a file larger
     * than {@link #maxFileBytes()}.
     *
     * @throws CorruptCheckpointException when the file is not a regular file, too large, or not a valid checkpoint
     * @throws IOException                when it cannot be read (no such file, no permission, an I/O error)
     */
    public static Checkpoint read(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new CorruptCheckpointException("not a regular file but "
                    + (attributes.isDirectory() ? "a directory" : "a FIFO, socket or device"));
        }
        long limit = maxFileBytes();
        if (attributes.size() > limit) {
            throw new CorruptCheckpointException("the file is " + attributes.size() + " bytes, more than the " + limit
                    + " this JVM can restore (half its maximum heap; raise -Xmx to restore it)");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return CheckpointJson.read(channel);
        }
    }

    /**
     * The largest checkpoint file {@link #read} accepts: half the maximum heap (the decoded state is smaller than its
     * JSON, and the job needs the rest), and never beyond what a state tape's byte array can hold.
     */
    public static long maxFileBytes() {
        return Math.min(Runtime.getRuntime().maxMemory() / 2, Integer.MAX_VALUE - 8);
    }

    /**
     * Reads and verifies the checkpoint with this id: the file, that it holds that id (a file copied or renamed by hand
     * would otherwise restore another checkpoint than its name says), and this store's validator.
     */
    @Override
    public Checkpoint load(long id) throws IOException {
        Checkpoint c = read(fileOf(id));
        if (c.id() != id) {
            throw new CorruptCheckpointException("the file holds checkpoint " + c.id() + ", not " + id + " (renamed or copied by hand?)");
        }
        validator.validate(c);
        return c;
    }

    /** Reads and verifies any checkpoint file (a kept one, one named by {@code --restore-from}), with this store's validator. */
    @Override
    public Checkpoint loadFile(Path file) throws IOException {
        Checkpoint c = read(file);
        validator.validate(c);
        return c;
    }

    /**
     * Finds the newest valid checkpoint: {@code checkpoint.json}, or a newer numbered file when a crash came between
     * writing it and publishing it as the latest; when those are unusable (damaged, unreadable, not a regular file,
     * too large, impossible content, or refused by the store's validator), the previous ones, newest first, each skipped
     * one logged as a one-line warning.
     *
     * @throws IOException only when the directory itself cannot be listed
     */
    @Override
    public Found loadLatest() throws IOException {
        List<String> warnings = new ArrayList<>();
        for (Path stray : strayFiles()) {
            String line = "ignoring " + stray + ": its id is outside [1, " + Checkpoint.MAX_ID + "], not a checkpoint FlinkLite wrote";
            LOG.log(System.Logger.Level.WARNING, line);
            warnings.add(line);
        }
        Checkpoint best = null;
        Path bestFile = null;
        Path latest = dir.resolve(LATEST);
        List<Long> ids = numberedIds();
        if (Files.exists(latest, LinkOption.NOFOLLOW_LINKS)) {
            best = tryRead(latest, -1, warnings);
            bestFile = best == null ? null : latest;
            if (best != null && !ids.isEmpty() && best.id() > ids.get(0)) {
                // checkpoint.json is published after its numbered file, which retention keeps: it cannot be newer.
                String line = "skipping damaged checkpoint " + latest + ": it names checkpoint " + best.id()
                        + ", newer than the newest numbered file (" + ids.get(0) + ")";
                LOG.log(System.Logger.Level.WARNING, line);
                warnings.add(line);
                best = null;
                bestFile = null;
            }
        }
        for (long id : ids) {
            if (best != null && id <= best.id()) {
                break;
            }
            Path file = fileOf(id);
            Checkpoint c = tryRead(file, id, warnings);
            if (c != null) {
                best = c;
                bestFile = file;
                break;
            }
        }
        if (best != null && !warnings.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "falling back to checkpoint " + best.id() + " (" + bestFile.getFileName() + ")");
        }
        return new Found(best, bestFile == null ? null : bestFile.getFileName().toString(), bestFile, warnings);
    }

    /** The checkpoint in {@code file} when it is usable; otherwise null, with a warning unless the file is gone. */
    private Checkpoint tryRead(Path file, long expectedId, List<String> warnings) {
        try {
            return expectedId < 0 ? loadFile(file) : load(expectedId);
        } catch (NoSuchFileException e) {
            // deleted by retention between listing and reading: an older one follows
            return null;
        } catch (IOException e) {
            String line = "skipping damaged checkpoint " + file + ": " + describe(e);
            LOG.log(System.Logger.Level.WARNING, line);
            warnings.add(line);
            return null;
        }
    }

    /**
     * One line saying what is wrong with a checkpoint file, for warnings and {@code checkpoint inspect}: the message
     * of a {@link CorruptCheckpointException}, or the kind of I/O error and its detail.
     */
    public static String describe(IOException e) {
        String message;
        if (e instanceof CorruptCheckpointException) {
            message = e.getMessage();
        } else if (e instanceof AccessDeniedException) {
            message = "permission denied";
        } else {
            message = "cannot read it: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        return message.replace('\n', ' ').replace('\r', ' ');
    }

    /** The subdirectory of kept checkpoints: retention and {@code --fresh-start} never touch it. */
    public Path keptDirectory() {
        return dir.resolve(KEPT);
    }

    /**
     * Keeps checkpoint {@code id} from being rotated away, as a savepoint: it is linked (or copied) to
     * {@code kept/checkpoint-<id>.json}, which retention never deletes and {@code --fresh-start} never moves. It can
     * be restored with {@code run --restore-from}; deleting the file releases it.
     *
     * @return the kept file
     * @throws IOException when the checkpoint is not valid (see {@link #load}) or cannot be kept
     */
    @Override
    public String keep(long id) throws IOException {
        return keepFile(id).toString();
    }

    /** As {@link #keep}, returning the kept file. */
    public Path keepFile(long id) throws IOException {
        load(id);
        Path kept = keptDirectory();
        Files.createDirectories(kept);
        Path target = kept.resolve(fileOf(id).getFileName());
        if (Files.exists(target)) {
            if (Files.isSameFile(target, fileOf(id)) || Files.mismatch(target, fileOf(id)) == -1) {
                return target;
            }
            throw new IOException(target + " exists and holds another checkpoint " + id + " (of an earlier job in this"
                    + " directory?): move it away first");
        }
        linkAtomically(fileOf(id), target);
        syncDirectory(kept);
        return target;
    }

    /** The kept checkpoint files ({@link #keep}), by name; empty when there are none. */
    public List<Path> keptFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        Path kept = keptDirectory();
        if (!Files.isDirectory(kept)) {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(kept, "*.json")) {
            stream.forEach(files::add);
        }
        files.sort(Comparator.comparing(Path::toString));
        return files;
    }

    /**
     * Moves every checkpoint file into a new subdirectory {@code superseded-<timeMs>}, so that a job started with
     * {@code --fresh-start} neither restores nor deletes them.
     *
     * @return the subdirectory, or empty when there was nothing to move
     */
    @Override
    public Optional<String> moveAside(long timeMs) throws IOException {
        return moveAsideInto(timeMs).map(Path::toString);
    }

    /** As {@link #moveAside}, returning the subdirectory. */
    public Optional<Path> moveAsideInto(long timeMs) throws IOException {
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
