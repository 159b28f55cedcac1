package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointCoordinatorTest {

    @TempDir
    Path dir;

    private final JobMetrics metrics = new JobMetrics();

    /** Snapshots that reuse the sample's content under the requested id and time. */
    private static Checkpoint snapshot(long id, long timeMs) {
        Checkpoint s = Checkpoints.sample(id);
        return new Checkpoint(id, id - 1, timeMs, s.jobFingerprint(), s.delivery(), s.sources(), s.watermarkMs(), s.state(), s.pendingResults());
    }

    /** Calls maybeCheckpoint until the coordinator has nothing in flight (the writer is asynchronous). */
    private static void drain(CheckpointCoordinator c, long nowMs, JobMetrics metrics, long expectedCompleted)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (metrics.checkpointsCompleted() + metrics.checkpointFailures() < expectedCompleted && System.nanoTime() < deadline) {
            c.maybeCheckpoint(nowMs);
            Thread.sleep(1);
        }
    }

    @Test
    void checkpointsOncePerIntervalAndReportsCompletionOnTheCallingThread() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        List<String> completions = new CopyOnWriteArrayList<>();
        try (CheckpointCoordinator c = new CheckpointCoordinator(store, 5_000, 1, 0, CheckpointCoordinatorTest::snapshot,
                CheckpointCoordinator.Committer.NONE,
                cp -> completions.add(cp.id() + "@" + Thread.currentThread().getName()), metrics, false)) {
            assertThat(c.maybeCheckpoint(4_999)).isFalse();
            assertThat(c.maybeCheckpoint(5_000)).isTrue();
            drain(c, 5_001, metrics, 1);
            assertThat(c.maybeCheckpoint(9_999)).isFalse();
            assertThat(c.maybeCheckpoint(10_000)).isTrue();
            drain(c, 10_001, metrics, 2);
        }
        String me = Thread.currentThread().getName();
        assertThat(completions).containsExactly("1@" + me, "2@" + me);
        assertThat(metrics.lastCheckpointId()).isEqualTo(2);
        assertThat(metrics.lastCheckpointTimeMs()).isEqualTo(10_000);
        assertThat(metrics.lastCheckpointSizeBytes()).isEqualTo(java.nio.file.Files.size(store.fileOf(2)));
        assertThat(store.loadLatest().checkpoint()).contains(snapshot(2, 10_000));
    }

    @Test
    void neverHasTwoCheckpointsInFlight() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CheckpointCoordinator.Committer slow = cp -> release.await();
        try (CheckpointCoordinator c = new CheckpointCoordinator(Checkpoints.fileOnlyStore(dir), 100, 1, 0,
                CheckpointCoordinatorTest::snapshot, slow, CheckpointCoordinator.CompletionListener.NONE, metrics, true)) {
            assertThat(c.maybeCheckpoint(100)).isTrue();
            assertThat(c.maybeCheckpoint(1_000)).isFalse();
            assertThat(c.nextId()).isEqualTo(2);
            release.countDown();
            drain(c, 150, metrics, 1);
            assertThat(c.maybeCheckpoint(1_100)).isTrue();
        }
        assertThat(metrics.checkpointsCompleted()).isEqualTo(2);
    }

    @Test
    void aFailedWriteIsCountedAndTheJobCarriesOnUnderAtLeastOnce() throws Exception {
        CheckpointCoordinator.Committer failing = cp -> {
            throw new IOException("disk full");
        };
        try (CheckpointCoordinator c = new CheckpointCoordinator(Checkpoints.fileOnlyStore(dir), 100, 1, 0,
                CheckpointCoordinatorTest::snapshot, failing, CheckpointCoordinator.CompletionListener.NONE, metrics, false)) {
            c.maybeCheckpoint(100);
            drain(c, 150, metrics, 1);
            assertThat(metrics.checkpointFailures()).isEqualTo(1);
            assertThat(c.maybeCheckpoint(200)).isTrue();
        }
    }

    @Test
    void aFailedCommitStopsTheJobUnderExactlyOnce() throws Exception {
        CheckpointCoordinator.Committer failing = cp -> {
            throw new IOException("transaction aborted");
        };
        CheckpointCoordinator c = new CheckpointCoordinator(Checkpoints.fileOnlyStore(dir), 100, 1, 0,
                CheckpointCoordinatorTest::snapshot, failing, CheckpointCoordinator.CompletionListener.NONE, metrics, true);
        c.maybeCheckpoint(100);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 30_000; i++) {
                c.maybeCheckpoint(150);
                Thread.sleep(1);
            }
        }).isInstanceOf(CheckpointCoordinator.CheckpointFailedException.class).hasMessageContaining("transaction aborted");
        assertThat(metrics.checkpointFailures()).isEqualTo(1);
        c.close();
    }

    @Test
    void aFinalCheckpointWaitsForTheOneInFlightAndThenForItself() throws Exception {
        DirectoryCheckpointStore store = Checkpoints.fileOnlyStore(dir);
        try (CheckpointCoordinator c = new CheckpointCoordinator(store, 100, 7, 0, CheckpointCoordinatorTest::snapshot,
                CheckpointCoordinator.Committer.NONE, CheckpointCoordinator.CompletionListener.NONE, metrics, false)) {
            c.maybeCheckpoint(100);
            Checkpoint last = c.checkpointNow(120);
            assertThat(last.id()).isEqualTo(8);
        }
        assertThat(metrics.checkpointsCompleted()).isEqualTo(2);
        assertThat(store.numberedIds()).containsExactly(8L, 7L);
    }

    @Test
    void aSnapshotThatThrowsIsAFailedCheckpoint() throws Exception {
        try (CheckpointCoordinator c = new CheckpointCoordinator(Checkpoints.fileOnlyStore(dir), 100, 1, 0, (id, t) -> {
            throw new IllegalStateException("operator broken");
        }, CheckpointCoordinator.Committer.NONE, CheckpointCoordinator.CompletionListener.NONE, metrics, false)) {
            assertThat(c.maybeCheckpoint(100)).isFalse();
            assertThat(metrics.checkpointFailures()).isEqualTo(1);
            assertThat(c.nextId()).isEqualTo(1);
        }
    }

    /** A checkpoint failure marked as stopping the job is logged as such, not as retried at the next interval. */
    @Test
    void aFailureThatStopsTheJobIsNotAnnouncedAsRetried() throws Exception {
        final class WriteRefused extends IllegalStateException implements CheckpointCoordinator.StopsTheJob {
            WriteRefused() {
                super("writing to Kafka topic 'out' failed: refused");
            }
        }
        List<String> warnings = new CopyOnWriteArrayList<>();
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger(CheckpointCoordinator.class.getName());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                warnings.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(capture);
        int[] calls = {0};
        try (CheckpointCoordinator c = new CheckpointCoordinator(Checkpoints.fileOnlyStore(dir), 100, 1, 0, (id, t) -> {
            throw calls[0]++ == 0 ? new RuntimeException("flush failed", new WriteRefused()) : new IllegalStateException("busy");
        }, CheckpointCoordinator.Committer.NONE, CheckpointCoordinator.CompletionListener.NONE, metrics, false)) {
            assertThat(c.maybeCheckpoint(100)).isFalse();
            assertThat(c.maybeCheckpoint(200)).isFalse();
        } finally {
            jul.removeHandler(capture);
        }
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).startsWith("checkpoint 1 failed: flush failed").endsWith("; the job stops)")
                .doesNotContain("retrying");
        assertThat(warnings.get(1)).startsWith("checkpoint 1 failed: busy").endsWith("retrying in 100 ms)");
    }
}
