package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code run --restore-from FILE} and {@code checkpoint keep}: exactly the named checkpoint, or a refusal saying why. */
class RestoreFromFileTest {

    private static final String JOB = JobSpec.defaults().fingerprint();

    @TempDir
    Path dir;

    @Test
    void restoresExactlyTheNamedCheckpointAndContinuesAboveEveryId() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        for (long id = 1; id <= 3; id++) {
            store.write(DamagedCheckpointTest.real(id));
        }
        CheckpointRecovery.Recovered r = CheckpointRecovery.fromFile(store, store.fileOf(2), JOB);
        assertThat(r.checkpoint()).map(Checkpoint::id).contains(2L);
        assertThat(r.restoredId()).isEqualTo(2);
        assertThat(r.nextId()).as("above checkpoint 3, which stays on disk").isEqualTo(4);
    }

    @Test
    void aKeptCheckpointSurvivesRetentionAndFreshStartAndRestores() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.write(DamagedCheckpointTest.real(1));
        Path kept = store.keepFile(1);
        assertThat(kept).isEqualTo(dir.resolve("kept/checkpoint-1.json"));
        assertThat(store.keepFile(1)).as("keeping twice is harmless").isEqualTo(kept);
        for (long id = 2; id <= 6; id++) {
            store.write(DamagedCheckpointTest.real(id));
        }
        store.moveAsideInto(99);
        assertThat(store.fileOf(1)).doesNotExist();
        assertThat(store.keptFiles()).containsExactly(kept);

        CheckpointRecovery.Recovered r = CheckpointRecovery.fromFile(store, kept, JOB);
        assertThat(r.checkpoint()).map(Checkpoint::id).contains(1L);
        assertThat(r.nextId()).as("above the kept id; the moved-aside ones are out of the way").isEqualTo(2);
        assertThat(store.highestId()).hasValue(1);
    }

    @Test
    void refusesAMissingDamagedOrForeignFileNamingIt() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.write(DamagedCheckpointTest.real(1));
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> CheckpointRecovery.fromFile(store, missing, JOB))
                .isInstanceOf(UnrecoverableCheckpointException.class).hasMessage("cannot restore " + missing + ": no such file");

        Path damaged = Files.writeString(dir.resolve("damaged.json"), "{\"formatVersion\": 1");
        assertThatThrownBy(() -> CheckpointRecovery.fromFile(store, damaged, JOB))
                .isInstanceOf(UnrecoverableCheckpointException.class).hasMessageStartingWith("cannot restore " + damaged + ": no checksum");

        assertThatThrownBy(() -> CheckpointRecovery.fromFile(store, dir, JOB))
                .isInstanceOf(UnrecoverableCheckpointException.class).hasMessageContaining("not a regular file but a directory");

        String other = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).fingerprint();
        assertThatThrownBy(() -> CheckpointRecovery.fromFile(store, store.fileOf(1), other))
                .isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("cannot restore " + store.fileOf(1))
                .hasMessageContaining("window: sliding:10s:5s vs tumbling:10s");
    }

    @Test
    void keepRefusesAnInvalidCheckpoint() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        store.write(DamagedCheckpointTest.real(1));
        Files.writeString(store.fileOf(1), "{}");
        assertThatThrownBy(() -> store.keepFile(1)).isInstanceOf(CorruptCheckpointException.class);
        assertThat(store.keptFiles()).isEmpty();
    }

    @Test
    void anUnusableDirectoryIsRefusedSayingWhy() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(file).requireUsableDirectory())
                .hasMessage(file + " is a regular file, not a directory");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(Path.of("/proc/flinklite-x/y")).requireUsableDirectory())
                .hasMessageStartingWith("/proc/flinklite-x/y cannot be created");
        assertThatThrownBy(() -> new DirectoryCheckpointStore(Path.of("/proc/self")).requireUsableDirectory())
                .hasMessageStartingWith("cannot write in /proc/");
        Path fresh = dir.resolve("a/b");
        new DirectoryCheckpointStore(fresh).requireUsableDirectory();
        assertThat(fresh).isDirectory();
        try (var files = Files.list(fresh)) {
            assertThat(files).as("the write check leaves nothing behind").isEmpty();
        }
    }
}
