package io.flinklite.app;

import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.checkpoint.Checkpoint;
import io.flinklite.runtime.checkpoint.DirectoryCheckpointStore;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.checkpoint.IncompatibleCheckpointException;
import io.flinklite.runtime.checkpoint.SourcePosition;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The built-in job with checkpoints on a real broker, in process: restart with open windows, and refusals. */
@ExtendWith(SharedKafkaBroker.class)
class CheckpointedKafkaJobIT {

    private final EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
    private final KafkaConnection connection = KafkaTestSupport.connection();

    @TempDir
    Path dir;

    private KafkaJob.Settings settings(String name, JobSpec spec, Delivery delivery) {
        return new KafkaJob.Settings(connection, spec).inputTopic(name + "-in").outputTopic(name + "-out").groupId(name)
                .idleTimeoutMs(0).checkpoints(new CheckpointSettings(dir, 500, delivery, false, null));
    }

    /** Runs the job until it has read {@code records} in total, then stops it cleanly (final checkpoint). */
    private static void runUntil(KafkaJob.Settings settings, long records) throws Exception {
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(settings, metrics);
        AtomicReference<Throwable> failure = KafkaTestSupport.startJob(job);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> metrics.eventsTotal() >= records || failure.get() != null);
        } finally {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        if (failure.get() != null) {
            throw new AssertionError("job failed", failure.get());
        }
    }

    private void restartKeepsOpenWindows(String name, Delivery delivery) throws Exception {
        restartKeepsOpenWindows(name, delivery, delivery);
    }

    private void restartKeepsOpenWindows(String name, Delivery first, Delivery second) throws Exception {
        broker.createTopic(name + "-in", 3);
        broker.createTopic(name + "-out", 1);
        List<KafkaTestSupport.Placed> events = KafkaTestSupport.disorderedEvents(7, 3_000, new int[] {0, 1, 2},
                1_700_000_000_000L);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        int half = events.size() / 2;
        // First run: half of the input; windows open across the split are in the final checkpoint only.
        KafkaTestSupport.produce(broker.bootstrapServers(), name + "-in", events.subList(0, half));
        runUntil(settings(name, JobSpec.defaults(), first), half);
        // Second run: restores them and completes them with the other half.
        KafkaTestSupport.produce(broker.bootstrapServers(), name + "-in", events.subList(half, events.size()));
        runUntil(settings(name, JobSpec.defaults(), second), events.size() - half);

        List<String> got = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), name + "-out",
                expected.size()));
        assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void atLeastOnceRestartRestoresOpenWindows() throws Exception {
        restartKeepsOpenWindows("restart-alo", Delivery.AT_LEAST_ONCE);
    }

    @Test
    void exactlyOnceRestartRestoresOpenWindows() throws Exception {
        restartKeepsOpenWindows("restart-eo", Delivery.EXACTLY_ONCE);
    }

    @Test
    void switchingFromAtLeastOnceToExactlyOnceLosesAndRepeatsNothing() throws Exception {
        restartKeepsOpenWindows("switch-up", Delivery.AT_LEAST_ONCE, Delivery.EXACTLY_ONCE);
    }

    @Test
    void switchingFromExactlyOnceToAtLeastOnceLosesAndRepeatsNothing() throws Exception {
        restartKeepsOpenWindows("switch-down", Delivery.EXACTLY_ONCE, Delivery.AT_LEAST_ONCE);
    }

    /**
     * Exactly-once {@code --restore-from} of a kept checkpoint rewinds the job: the results after it are computed and
     * committed again, exactly once more, and a plain restart afterwards resumes from the rewound run's checkpoints.
     */
    @Test
    void exactlyOnceRestoreFromAKeptCheckpointRewindsToIt() throws Exception {
        String name = "rewind-eo";
        broker.createTopic(name + "-in", 3);
        broker.createTopic(name + "-out", 1);
        List<KafkaTestSupport.Placed> events = KafkaTestSupport.disorderedEvents(11, 3_000, new int[] {0, 1, 2},
                1_700_000_000_000L);
        List<String> expected = KafkaTestSupport.replayResults(JobSpec.defaults(), events);
        int half = events.size() / 2;
        KafkaTestSupport.produce(broker.bootstrapServers(), name + "-in", events.subList(0, half));
        runUntil(settings(name, JobSpec.defaults(), Delivery.EXACTLY_ONCE), half);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        Path kept = store.keepFile(store.highestId().orElseThrow());
        List<String> beforeKept = KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), name + "-out", 1));
        assertThat(beforeKept).isNotEmpty();

        KafkaTestSupport.produce(broker.bootstrapServers(), name + "-in", events.subList(half, events.size()));
        runUntil(settings(name, JobSpec.defaults(), Delivery.EXACTLY_ONCE), events.size() - half);
        KafkaJob.Settings rewind = new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic(name + "-in")
                .outputTopic(name + "-out").groupId(name).idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 500, Delivery.EXACTLY_ONCE, false, null, kept));
        runUntil(rewind, events.size() - half);
        runUntil(settings(name, JobSpec.defaults(), Delivery.EXACTLY_ONCE), 0);

        List<String> afterKept = new ArrayList<>(expected);
        beforeKept.forEach(afterKept::remove);
        List<String> all = new ArrayList<>(expected);
        all.addAll(afterKept);
        assertThat(KafkaTestSupport.values(KafkaTestSupport.readTopic(broker.bootstrapServers(), name + "-out", all.size())))
                .containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void refusesTheCheckpointOfAnotherJobOrOfOffsetsBeyondThePartitionEnd() throws Exception {
        broker.createTopic("refuse-in", 1);
        broker.createTopic("refuse-out", 1);
        List<KafkaTestSupport.Placed> events = KafkaTestSupport.disorderedEvents(3, 100, new int[] {0}, 1_700_000_000_000L);
        KafkaTestSupport.produce(broker.bootstrapServers(), "refuse-in", events);
        runUntil(settings("refuse", JobSpec.defaults(), Delivery.AT_LEAST_ONCE), events.size());

        KafkaJob otherJob = new KafkaJob(settings("refuse", JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)),
                Delivery.AT_LEAST_ONCE), new JobMetrics());
        assertThatThrownBy(otherJob::run).isInstanceOf(IncompatibleCheckpointException.class)
                .hasMessageContaining("window: sliding:10s:5s vs tumbling:10s");

        // A checkpoint that resumes beyond the end of the partition (as after the topic was deleted and recreated).
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        Checkpoint last = store.loadLatest().checkpoint().orElseThrow();
        List<SourcePosition> beyond = new ArrayList<>();
        for (SourcePosition p : last.sources()) {
            beyond.add(new SourcePosition(p.topic(), p.partition(), p.nextOffset() + 1_000, p.watermarkMs()));
        }
        store.write(new Checkpoint(last.id() + 1, last.id(), last.timeMs(), last.jobFingerprint(), last.delivery(), beyond,
                last.watermarkMs(), last.state(), last.pendingResults()));
        KafkaJob stale = new KafkaJob(settings("refuse", JobSpec.defaults(), Delivery.AT_LEAST_ONCE), new JobMetrics());
        assertThatThrownBy(stale::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("resumes refuse-in-0 at offset " + (events.size() + 1_000))
                .hasMessageContaining("ends at " + events.size())
                .hasMessageContaining("--fresh-start");
    }
    @Test
    void refusesTheCheckpointOfADeletedAndRecreatedTopicUnlessFreshStartAndRestoresOldCheckpointsWithoutIds()
            throws Exception {
        broker.createTopic("recreate-in", 1);
        broker.createTopic("recreate-out", 1);
        KafkaTestSupport.produce(broker.bootstrapServers(), "recreate-in",
                KafkaTestSupport.disorderedEvents(3, 100, new int[] {0}, 1_700_000_000_000L));
        runUntil(settings("recreate", JobSpec.defaults(), Delivery.AT_LEAST_ONCE), 101);
        DirectoryCheckpointStore store = new DirectoryCheckpointStore(dir);
        String oldId = broker.admin().describeTopics(List.of("recreate-in")).allTopicNames().get()
                .get("recreate-in").topicId().toString();
        assertThat(store.loadLatest().checkpoint().orElseThrow().sources()).isNotEmpty()
                .allSatisfy(p -> assertThat(p.topicId()).isEqualTo(oldId));

        // Deleted and recreated with more records than before: the offsets alone look plausible.
        broker.admin().deleteTopics(List.of("recreate-in")).all().get();
        await().atMost(Duration.ofSeconds(30)).until(() -> !broker.admin().listTopics().names().get().contains("recreate-in"));
        broker.createTopic("recreate-in", 1);
        List<KafkaTestSupport.Placed> again = KafkaTestSupport.disorderedEvents(4, 300, new int[] {0}, 1_700_000_000_000L);
        KafkaTestSupport.produce(broker.bootstrapServers(), "recreate-in", again);
        String newId = broker.admin().describeTopics(List.of("recreate-in")).allTopicNames().get()
                .get("recreate-in").topicId().toString();
        KafkaJob refused = new KafkaJob(settings("recreate", JobSpec.defaults(), Delivery.AT_LEAST_ONCE), new JobMetrics());
        assertThatThrownBy(refused::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("with topic id " + oldId).hasMessageContaining("now has id " + newId)
                .hasMessageContaining("deleted and recreated").hasMessageContaining("--fresh-start")
                .hasMessageNotContaining("\n");

        KafkaJob.Settings fresh = new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("recreate-in")
                .outputTopic("recreate-out").groupId("recreate").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 500, Delivery.AT_LEAST_ONCE, true, null));
        runUntil(fresh, again.size());
        Checkpoint last = store.loadLatest().checkpoint().orElseThrow();
        assertThat(last.sources()).allSatisfy(p -> assertThat(p.topicId()).isEqualTo(newId));

        // A checkpoint of an older build records no topic id: it still restores, and the next one records the id.
        List<SourcePosition> withoutIds = new ArrayList<>();
        for (SourcePosition p : last.sources()) {
            withoutIds.add(new SourcePosition(p.topic(), p.partition(), p.nextOffset(), p.watermarkMs()));
        }
        store.write(new Checkpoint(last.id() + 1, last.id(), last.timeMs(), last.jobFingerprint(), last.delivery(),
                withoutIds, last.watermarkMs(), last.state(), last.pendingResults()));
        KafkaTestSupport.produce(broker.bootstrapServers(), "recreate-in",
                KafkaTestSupport.disorderedEvents(5, 10, new int[] {0}, 1_700_000_600_000L));
        runUntil(settings("recreate", JobSpec.defaults(), Delivery.AT_LEAST_ONCE), 11);
        Checkpoint after = store.loadLatest().checkpoint().orElseThrow();
        assertThat(after.id()).isGreaterThan(last.id() + 1);
        assertThat(after.sources()).isNotEmpty().allSatisfy(p -> assertThat(p.topicId()).isEqualTo(newId));
    }

    @Test
    void refusesTheCheckpointOfAJobThatReadAnotherTopicNamingBoth() throws Exception {
        broker.createTopic("other-a-in", 1);
        broker.createTopic("other-b-in", 1);
        broker.createTopic("other-out", 1);
        KafkaTestSupport.produce(broker.bootstrapServers(), "other-a-in",
                KafkaTestSupport.disorderedEvents(6, 20, new int[] {0}, 1_700_000_000_000L));
        runUntil(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("other-a-in").outputTopic("other-out")
                .groupId("other").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 500, Delivery.AT_LEAST_ONCE, false, null)), 20);
        KafkaJob elsewhere = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults()).inputTopic("other-b-in")
                .outputTopic("other-out").groupId("other").idleTimeoutMs(0)
                .checkpoints(new CheckpointSettings(dir, 500, Delivery.AT_LEAST_ONCE, false, null)), new JobMetrics());
        assertThatThrownBy(elsewhere::run).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reading topic 'other-a-in', but this job reads 'other-b-in'")
                .hasMessageContaining("--fresh-start").hasMessageNotContaining("\n");
    }
}
