package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;
import io.flinklite.runtime.json.CheckpointJson;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every way the newest checkpoint can be unusable — wrong file type, unreadable, oversize, impossible header or
 * state behind a valid checksum, a stray id — falls back to the previous one with one warning line, and never hangs,
 * throws, or runs out of memory. The checkpoints carry real engine state, so the store's {@link RestoreCheck} is
 * exercised as a restart exercises it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DamagedCheckpointTest {

    private static final JobSpec SPEC = JobSpec.defaults();

    @TempDir
    Path dir;

    /** A checkpoint of the default job holding the open windows of a few events (keys critical and important). */
    static Checkpoint real(long id) {
        byte[][] events = new byte[6][];
        for (int i = 0; i < events.length; i++) {
            String type = i % 2 == 0 ? "critical" : "important";
            events[i] = ("{\"timestamp\":" + (1_700_000_000_000L + i * 1_000) + ",\"message\":\"" + type + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
        }
        StreamTask task = StreamTask.forSpec(SPEC, TaskOptions.replay(), new ArraySourceReader(events), r -> { }, null,
                DeadLetterHandler.DISCARD, new JobMetrics());
        task.addHook((t, now) -> t.stop()); // after the first batch: windows stay open
        try {
            task.run();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        TapeStateWriter out = new TapeStateWriter(4_096, 64);
        out.beginObject(null);
        task.snapshotState(out);
        out.endObject();
        return new Checkpoint(id, id - 1, 1_700_000_100_000L + id, SPEC.fingerprint(), Delivery.AT_LEAST_ONCE.label(),
                List.of(new SourcePosition("flink-events", 0, 6, task.watermarkMs())), task.watermarkMs(), out.finish(), List.of());
    }

    private DirectoryCheckpointStore storeWithTwo() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.write(real(1));
        store.write(real(2));
        return store;
    }

    /** Replaces the newest checkpoint (both names) by {@code content}, checksummed as if FlinkLite had written it. */
    private void replaceNewest(DirectoryCheckpointStore store, String content) throws IOException {
        byte[] bytes = withValidChecksum(content);
        Files.delete(store.fileOf(2));
        Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));
        Files.write(store.fileOf(2), bytes);
        Files.write(dir.resolve(DirectoryCheckpointStore.LATEST), bytes);
    }

    /** Replaces the newest checkpoint by a sparse file of {@code size} zero bytes (no disk used). */
    private void sparseNewest(DirectoryCheckpointStore store, long size) throws IOException {
        Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));
        Files.delete(store.fileOf(2));
        try (RandomAccessFile sparse = new RandomAccessFile(store.fileOf(2).toFile(), "rw")) {
            sparse.setLength(size);
        }
    }

    private static String json(Checkpoint c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CheckpointJson.write(c, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Recomputes the CRC-32C field of an edited checkpoint file, as the writer computes it. */
    static byte[] withValidChecksum(String content) {
        int key = content.lastIndexOf("\"checksum\"");
        int comma = content.lastIndexOf(',', key);
        byte[] head = content.substring(0, comma).getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(head);
        String tail = content.substring(comma).replaceFirst("crc32c:[0-9a-f]{8}",
                "crc32c:" + String.format(Locale.ROOT, "%08x", crc.getValue()));
        return (content.substring(0, comma) + tail).getBytes(StandardCharsets.UTF_8);
    }

    private static String replaceOnce(String text, String regex, String replacement) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("pattern %s in the checkpoint", regex).isTrue();
        return text.substring(0, m.start()) + replacement + text.substring(m.end());
    }

    private void assertFallsBackToOne(DirectoryCheckpointStore store, String reason) throws IOException {
        DirectoryCheckpointStore.Found found = store.loadLatest();
        assertThat(found.checkpoint()).map(Checkpoint::id).contains(1L);
        assertThat(found.warnings()).isNotEmpty()
                .allSatisfy(w -> assertThat(w).doesNotContain("\n").contains("skipping damaged checkpoint"))
                .anySatisfy(w -> assertThat(w).contains(reason));
    }

    @Test
    void aRealCheckpointIsValidAndRestores() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        DirectoryCheckpointStore.Found found = store.loadLatest();
        assertThat(found.checkpoint()).map(Checkpoint::id).contains(2L);
        assertThat(found.warnings()).isEmpty();
        assertThat(StateSummary.of(found.checkpoint().get().state()).openPanes()).isPositive();
        assertThat(RestoreCheck.restoresFully(found.checkpoint().get())).isTrue();
    }

    @Test
    void aDirectoryInPlaceOfTheNewestFallsBack() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        Files.delete(store.fileOf(2));
        Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));
        Files.createDirectory(store.fileOf(2));
        Files.createDirectory(dir.resolve(DirectoryCheckpointStore.LATEST));
        assertFallsBackToOne(store, "not a regular file but a directory");
    }

    @Test
    void aFifoInPlaceOfTheNewestFallsBackWithoutHanging() throws Exception {
        DirectoryCheckpointStore store = storeWithTwo();
        Files.delete(store.fileOf(2));
        Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));
        for (Path p : List.of(store.fileOf(2), dir.resolve(DirectoryCheckpointStore.LATEST))) {
            Process mkfifo = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
            assertThat(mkfifo.waitFor()).isZero();
        }
        assertFallsBackToOne(store, "a FIFO, socket or device");
    }

    @Test
    void anUnreadableNewestFallsBack() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads files without read permission");
        DirectoryCheckpointStore store = storeWithTwo();
        Files.setPosixFilePermissions(store.fileOf(2), PosixFilePermissions.fromString("---------"));
        assertFallsBackToOne(store, "permission denied");
    }

    @Test
    void anOversizeNewestIsRefusedByItsSizeNotReadIntoMemory() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        sparseNewest(store, DirectoryCheckpointStore.maxFileBytes() + 1);
        assertFallsBackToOne(store, "more than the");
    }

    @Test
    void aLargeFileIsChecksummedStreamingAndItsTailIsWhereTheChecksumIs() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        sparseNewest(store, 64L << 20); // zeros, no checksum
        assertFallsBackToOne(store, "no checksum");
    }

    @Test
    void anImpossibleKeyGroupBehindAValidChecksumFallsBack() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        replaceNewest(store, replaceOnce(json(real(2)), "\"keyGroup\"\\s*:\\s*\\d+", "\"keyGroup\" : 4000"));
        assertFallsBackToOne(store, "key group 4000, outside [0, 128)");
    }

    @Test
    void aKeyInTheWrongGroupBehindAValidChecksumFallsBack() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        String text = json(real(2));
        Matcher m = Pattern.compile("\"keyGroup\"\\s*:\\s*(\\d+)").matcher(text);
        assertThat(m.find()).isTrue();
        int group = Integer.parseInt(m.group(1));
        replaceNewest(store, text.substring(0, m.start(1)) + ((group + 1) % 128) + text.substring(m.end(1)));
        assertFallsBackToOne(store, "belongs to group " + group);
    }

    @Test
    void stateOfAnotherShapeBehindAValidChecksumFallsBack() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        replaceNewest(store, replaceOnce(json(real(2)), "\"allowedLateness\"", "\"allowedLatenes\""));
        assertFallsBackToOne(store, "its state cannot be restored");
    }

    @Test
    void impossibleHeaderValuesFallBack() throws IOException {
        String[][] edits = {
                {"\"formatVersion\"\\s*:\\s*1", "\"formatVersion\" : 0", "format version 0 is impossible"},
                {"\"formatVersion\"\\s*:\\s*1", "\"formatVersion\" : -3", "format version -3 is impossible"},
                {"\"formatVersion\"\\s*:\\s*1", "\"formatVersion\" : \"1\"", "must be a 64-bit integer"},
                {"\"formatVersion\"\\s*:\\s*1", "\"formatVersion\" : 99999999999999999999", "must be a 64-bit integer"},
                {"\"checkpointId\"\\s*:\\s*2", "\"checkpointId\" : 0", "checkpoint id 0 is impossible"},
                {"\"checkpointId\"\\s*:\\s*2", "\"checkpointId\" : 9223372036854775807", "checkpoint id 9223372036854775807 is impossible"},
                {"\"checkpointId\"\\s*:\\s*2", "\"checkpointId\" : 7", "holds checkpoint 7, not 2"},
                {"\"previousCheckpointId\"\\s*:\\s*1", "\"previousCheckpointId\" : 2", "previous checkpoint id 2 is impossible"},
                {"\"timeMs\"\\s*:\\s*\\d+", "\"timeMs\" : -5", "time -5 ms is impossible"},
                {"\"delivery\"\\s*:\\s*\"at-least-once\"", "\"delivery\" : \"twice\"", "unknown delivery \"twice\""},
                {"\"partition\"\\s*:\\s*0", "\"partition\" : -1", "impossible source position"},
                {"\"nextOffset\"\\s*:\\s*6", "\"nextOffset\" : -6", "impossible source position"},
        };
        for (String[] edit : edits) {
            DirectoryCheckpointStore store = storeWithTwo();
            replaceNewest(store, replaceOnce(json(real(2)), edit[0], edit[1]));
            assertFallsBackToOne(store, edit[2]);
        }
    }

    @Test
    void anAddedFieldInASourcePositionIsTolerated() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        replaceNewest(store, replaceOnce(json(real(2)), "\"partition\"\\s*:\\s*0", "\"topicId\" : \"Zx9_aWq1RkOQ3bGk1d6Fnw\", \"partition\" : 0"));
        assertThat(store.loadLatest().checkpoint()).map(Checkpoint::id).contains(2L);
        assertThat(store.loadLatest().warnings()).isEmpty();
    }

    @Test
    void aStrayCheckpointWithAnOverflowingIdIsIgnored() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        Path stray = dir.resolve("checkpoint-" + Long.MAX_VALUE + ".json");
        Files.copy(store.fileOf(2), stray);
        Files.write(dir.resolve("checkpoint-99999999999999999999999.json"), new byte[] {1, 2, 3});

        DirectoryCheckpointStore.Found found = store.loadLatest();
        assertThat(found.checkpoint()).map(Checkpoint::id).contains(2L);
        assertThat(found.warnings()).anySatisfy(w -> assertThat(w).contains("ignoring").contains(stray.getFileName().toString()));
        assertThat(store.numberedIds()).containsExactly(2L, 1L);
        CheckpointRecovery.Recovered r = CheckpointRecovery.atLeastOnce(store, SPEC.fingerprint(), false, 0);
        assertThat(r.nextId()).isEqualTo(3);
        store.write(real(3));
        store.write(real(4));
        assertThat(stray).exists();
        assertThat(store.numberedIds()).containsExactly(4L, 3L, 2L);
    }

    @Test
    void everyCheckpointUnusableStartsWithoutStateAndSaysSo() throws IOException {
        DirectoryCheckpointStore store = storeWithTwo();
        for (Path p : List.of(store.fileOf(1), store.fileOf(2), dir.resolve(DirectoryCheckpointStore.LATEST))) {
            Files.delete(p);
            Files.createDirectory(p);
        }
        CheckpointRecovery.Recovered r = CheckpointRecovery.atLeastOnce(store, SPEC.fingerprint(), false, 0);
        assertThat(r.checkpoint()).isEmpty();
        assertThat(r.nextId()).isEqualTo(3);
    }

    @Test
    void theStaticReaderRefusesAFileThatIsNotRegular() throws IOException {
        assertThatThrownBy(() -> DirectoryCheckpointStore.read(dir)).isInstanceOf(CorruptCheckpointException.class)
                .hasMessageContaining("directory");
    }
}
