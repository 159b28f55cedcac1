package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryCheckpointStoreTest {

    @TempDir
    Path dir;

    @Test
    void latestIsTheLastWrittenAndReadsBackEqual() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir.resolve("nested/checkpoints"));
        store.write(Checkpoints.sample(1));
        long size = store.write(Checkpoints.sample(2));

        Path latest = store.directory().resolve(DirectoryCheckpointStore.LATEST);
        assertThat(Files.size(latest)).isEqualTo(size);
        assertThat(DirectoryCheckpointStore.read(latest)).isEqualTo(Checkpoints.sample(2));
        DirectoryCheckpointStore.Found found = store.loadLatest();
        assertThat(found.checkpoint()).contains(Checkpoints.sample(2));
        assertThat(found.warnings()).isEmpty();
    }

    @Test
    void keepsOnlyTheNewestRetainedCheckpoints() throws IOException {
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir, 3, CheckpointValidator.NONE);
        for (long id = 1; id <= 6; id++) {
            store.write(Checkpoints.sample(id));
        }
        assertThat(store.numberedIds()).containsExactly(6L, 5L, 4L);
        assertThat(store.highestId()).hasValue(6);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("checkpoint-4.json", "checkpoint-5.json", "checkpoint-6.json", "checkpoint.json");
        }
    }

    @Test
    void aCrashMidWriteLeavesThePreviousCheckpointIntact() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        // What a crash during the write of checkpoint 2 leaves behind: a partial temp file, never a partial
        // checkpoint under its final name (the content reaches its name only by an atomic rename after fsync).
        byte[] full = Files.readAllBytes(store.fileOf(1));
        Files.write(dir.resolve("checkpoint-2.json.tmp"), Arrays.copyOf(full, full.length / 2));

        assertThat(store.loadLatest().checkpoint()).contains(Checkpoints.sample(1));
        assertThat(store.highestId()).hasValue(1);

        store.deleteTemporaryFiles();
        assertThat(dir.resolve("checkpoint-2.json.tmp")).doesNotExist();
        store.write(Checkpoints.sample(2));
        assertThat(store.loadLatest().checkpoint()).contains(Checkpoints.sample(2));
    }

    @Test
    void aCrashBetweenWritingAndPublishingStillFindsTheNewest() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        store.write(Checkpoints.sample(2));
        // As if the crash came after checkpoint-2.json was renamed into place but before checkpoint.json followed.
        Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));
        Files.copy(store.fileOf(1), dir.resolve(DirectoryCheckpointStore.LATEST));

        assertThat(store.loadLatest().checkpoint()).contains(Checkpoints.sample(2));
    }

    @Test
    void fallsBackToThePreviousWhenTheLatestIsTruncated() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        store.write(Checkpoints.sample(2));
        truncate(store.fileOf(2)); // checkpoint.json is the same file (a hard link) or a copy of it
        truncate(dir.resolve(DirectoryCheckpointStore.LATEST));

        DirectoryCheckpointStore.Found found = store.loadLatest();
        assertThat(found.checkpoint()).contains(Checkpoints.sample(1));
        assertThat(found.file()).isEqualTo(store.fileOf(1));
        assertThat(found.warnings()).isNotEmpty().allSatisfy(w -> assertThat(w).contains("skipping damaged checkpoint"));
        assertThat(found.warnings()).anySatisfy(w -> assertThat(w).contains("checkpoint-2.json").contains("truncated"));
    }

    @Test
    void fallsBackWhenTheLatestHasAFlippedByte() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        store.write(Checkpoints.sample(2));
        Path latest = dir.resolve(DirectoryCheckpointStore.LATEST);
        byte[] bytes = Files.readAllBytes(latest);
        Files.delete(latest); // break the hard link so that only checkpoint.json is damaged
        bytes[bytes.length / 3] ^= 0x04;
        Files.write(latest, bytes);

        DirectoryCheckpointStore.Found found = store.loadLatest();
        // checkpoint.json is damaged, but its numbered twin is intact and wins.
        assertThat(found.checkpoint()).contains(Checkpoints.sample(2));
        assertThat(found.warnings()).singleElement().asString().contains("checksum mismatch");
    }

    @Test
    void findsNothingInAnEmptyOrMissingDirectory() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir.resolve("absent"));
        assertThat(store.loadLatest().checkpoint()).isEmpty();
        assertThat(store.highestId()).isEmpty();
        assertThat(CheckpointRecovery.atLeastOnce(store, JobSpec.defaults().fingerprint(), false, 0).checkpoint()).isEmpty();
    }

    @Test
    void refusesACheckpointOfAnotherJobNamingTheDifference() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        JobSpec other = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withTypes(java.util.Set.of("critical"));

        assertThatThrownBy(() -> CheckpointRecovery.atLeastOnce(store, other.fingerprint(), false, 0))
                .isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("window: sliding:10s:5s vs tumbling:10s")
                .hasMessageContaining("types: critical,important vs critical")
                .hasMessageContaining("--fresh-start");
    }

    @Test
    void restoresACheckpointOfTheSameJob() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        CheckpointRecovery.Recovered r = CheckpointRecovery.atLeastOnce(store, JobSpec.defaults().fingerprint(), false, 0);
        assertThat(r.checkpoint()).contains(Checkpoints.sample(1));
        assertThat(r.nextId()).isEqualTo(2);
    }

    @Test
    void aFreshStartMovesOldCheckpointsAsideInsteadOfRestoring() throws IOException {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(1));
        store.write(Checkpoints.sample(2));
        String otherJob = JobSpec.defaults().withOutOfOrdernessMs(1_000).fingerprint();

        CheckpointRecovery.Recovered r = CheckpointRecovery.atLeastOnce(store, otherJob, true, 1234);

        assertThat(r.checkpoint()).isEmpty();
        assertThat(r.nextId()).as("ids continue after the moved checkpoints").isEqualTo(3);
        assertThat(store.loadLatest().checkpoint()).isEmpty();
        Path aside = dir.resolve("superseded-1234");
        assertThat(aside.resolve("checkpoint-2.json")).exists();
        assertThat(Checkpoints.fileOnlyStore(aside).loadLatest().checkpoint()).contains(Checkpoints.sample(2));
    }

    @Test
    void needsAtLeastOneFallback() {
        assertThatThrownBy(() -> new DirectoryCheckpointStore(dir, 1, CheckpointValidator.NONE)).hasMessageContaining("at least 2");
    }

    @Test
    void describesFingerprintDifferencesPartByPart() {
        assertThat(JobSpec.describeDifference("a=1;b=2", "a=1;b=3;c=4")).isEqualTo("b: 2 vs 3; c: (none) vs 4");
        assertThat(JobSpec.describeDifference(JobSpec.defaults().fingerprint(), JobSpec.defaults().fingerprint())).isEmpty();
        assertThat(List.of(JobSpec.defaults().describeDifference(JobSpec.defaults().withKeyField("type"))))
                .containsExactly("keyField: message vs type");
    }

    private static void truncate(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(bytes.length * 2L / 3);
        }
    }
}
