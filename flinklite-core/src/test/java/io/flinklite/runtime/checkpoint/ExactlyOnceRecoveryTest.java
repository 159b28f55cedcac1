package io.flinklite.runtime.checkpoint;

import io.flinklite.job.JobSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Exactly-once recovery against a fake of Kafka's side: which checkpoint the committed offsets name, and the
 * transactions recovery commits ("roll forward").
 */
class ExactlyOnceRecoveryTest {

    @TempDir
    Path dir;

    private final List<Long> rolledForward = new ArrayList<>();
    private final CheckpointCoordinator.Committer kafka = c -> rolledForward.add(c.id());
    private final String job = JobSpec.defaults().fingerprint();

    private static Checkpoint checkpoint(long id, long previousId) {
        Checkpoint s = Checkpoints.sample(id);
        return new Checkpoint(id, previousId, s.timeMs(), s.jobFingerprint(), "exactly-once", s.sources(), s.watermarkMs(),
                s.state(), s.pendingResults());
    }

    private CheckpointRecovery.Recovered recover(DirectoryCheckpointStore store, long committed) throws Exception {
        return CheckpointRecovery.exactlyOnce(store, job, committed == 0 ? OptionalLong.empty() : OptionalLong.of(committed),
                kafka, false, 99);
    }

    @Test
    void restoresTheCommittedCheckpointWhenNothingNewerWasWritten() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));
        store.write(checkpoint(2, 1));

        CheckpointRecovery.Recovered r = recover(store, 2);

        assertThat(r.checkpoint()).contains(checkpoint(2, 1));
        assertThat(rolledForward).isEmpty();
        assertThat(r.nextId()).isEqualTo(3);
    }

    @Test
    void commitsAWrittenButUncommittedCheckpointAndRestoresIt() throws Exception {
        // The crash came after checkpoint 3 was fsynced but before its transaction committed.
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));
        store.write(checkpoint(2, 1));
        store.write(checkpoint(3, 2));

        CheckpointRecovery.Recovered r = recover(store, 2);

        assertThat(rolledForward).containsExactly(3L);
        assertThat(r.checkpoint()).contains(checkpoint(3, 2));
        assertThat(r.nextId()).isEqualTo(4);
    }

    @Test
    void rollsForwardTheFirstCheckpointOfANewJob() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));

        CheckpointRecovery.Recovered r = recover(store, 0);

        assertThat(rolledForward).containsExactly(1L);
        assertThat(r.checkpoint()).contains(checkpoint(1, 0));
    }

    @Test
    void aDamagedUncommittedCheckpointIsRecomputedFromTheCommittedOne() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));
        store.write(checkpoint(2, 1));
        java.nio.file.Files.write(store.fileOf(2), new byte[] {'{'});

        CheckpointRecovery.Recovered r = recover(store, 1);

        assertThat(rolledForward).isEmpty();
        assertThat(r.checkpoint()).contains(checkpoint(1, 0));
        assertThat(r.nextId()).as("the damaged id is not reused").isEqualTo(3);
    }

    @Test
    void refusesWhenTheCommittedCheckpointIsGone() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));
        store.write(checkpoint(2, 1));
        java.nio.file.Files.write(store.fileOf(2), new byte[] {'{'});
        java.nio.file.Files.delete(dir.resolve(DirectoryCheckpointStore.LATEST));

        assertThatThrownBy(() -> recover(store, 2))
                .isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("checkpoint 2, the last one committed to Kafka, is missing or damaged")
                .hasMessageContaining("--fresh-start");
        assertThat(rolledForward).isEmpty();
    }

    @Test
    void refusesCheckpointsKafkaHasNoRecordOf() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(5, 4));

        assertThatThrownBy(() -> recover(store, 0))
                .isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("Kafka has no record");
        assertThat(rolledForward).isEmpty();
    }

    @Test
    void continuesFromAnAtLeastOnceCheckpoint() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(Checkpoints.sample(4)); // at-least-once, continuing checkpoint 3 of an earlier run
        store.write(Checkpoints.sample(5));

        CheckpointRecovery.Recovered r = recover(store, 0);

        assertThat(rolledForward).isEmpty();
        assertThat(r.checkpoint()).contains(Checkpoints.sample(5));
        assertThat(r.nextId()).isEqualTo(6);
    }

    @Test
    void aRunStartedFreshAfterTheCommittedOneStartsItsOwnChain() throws Exception {
        // Kafka committed checkpoint 7 of an earlier run; --fresh-start moved it aside; the new run wrote 8 (from no
        // state) and crashed before committing it.
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(8, 0));

        CheckpointRecovery.Recovered r = recover(store, 7);

        assertThat(rolledForward).containsExactly(8L);
        assertThat(r.checkpoint()).contains(checkpoint(8, 0));
        assertThat(r.nextId()).isEqualTo(9);
    }

    @Test
    void aFreshStartCommitsWhatWasPromisedThenStartsWithoutState() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));
        store.write(checkpoint(2, 1));

        CheckpointRecovery.Recovered r = CheckpointRecovery.exactlyOnce(store,
                JobSpec.defaults().withKeyField("type").fingerprint(), OptionalLong.of(1), kafka, true, 99);

        assertThat(rolledForward).containsExactly(2L);
        assertThat(r.checkpoint()).isEmpty();
        assertThat(r.nextId()).isEqualTo(3);
        assertThat(dir.resolve("superseded-99/checkpoint-2.json")).exists();
    }

    @Test
    void refusesAnotherJobsCheckpoint() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        store.write(checkpoint(1, 0));

        assertThatThrownBy(() -> CheckpointRecovery.exactlyOnce(store, JobSpec.defaults().withAllowedLatenessMs(1_000).fingerprint(),
                OptionalLong.of(1), kafka, false, 99))
                .isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("allowedLateness: 0ms vs 1s");
    }
}
