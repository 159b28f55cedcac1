package io.flinklite.app;

import io.flinklite.api.Event;
import io.flinklite.api.WindowResult;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.TaskId;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.shuffle.ShuffleRecords;
import io.flinklite.runtime.shuffle.ShuffledJob;
import io.flinklite.runtime.window.BuiltinAggregator;
import io.flinklite.source.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A scaled-out job whose input topic grows while it runs: source task counts, and what arrives too late. */
class ScaleOutSourcePartitionsTest {
    @Test
    void aPartitionAddedWhileRunningGetsATaskThatCountsIt() {
        Map<String, Integer> known = new HashMap<>(Map.of("in", 2));
        assertThat(KafkaJob.sourcePartitions(known, new TaskId("in", 1), 2)).isEqualTo(2);
        // The consumer was assigned partition 2 before the reader's count caught up: the partition itself counts.
        assertThat(KafkaJob.sourcePartitions(known, new TaskId("in", 2), 2)).isEqualTo(3);
        assertThat(known).containsEntry("in", 3);
        // The reader knows of more partitions than assigned so far: the keyed tasks wait for each of them.
        assertThat(KafkaJob.sourcePartitions(known, new TaskId("in", 0), 5)).isEqualTo(5);
        assertThat(KafkaJob.sourcePartitions(known, new TaskId("in", 0), -1)).as("unknown for now").isEqualTo(5);
    }

    @Test
    void aPartialWhoseWindowsAllClosedIsCountedNotDroppedSilently() throws Exception {
        JobSpec spec = JobSpec.defaults();
        JobMetrics metrics = new JobMetrics();
        KafkaJob.Settings settings = new KafkaJob.Settings(new KafkaConnection("broker:9092", Map.of(), 30_000), spec)
                .inputTopic("in").groupId("g");
        List<WindowResult> results = new ArrayList<>();
        ScaledKafkaJob.StageTask keyed = ShuffleStages.builtIn(settings, metrics, List.of())
                .keyedTask(new TaskId("g-repartition", 0), results::add, null);
        int job = ShuffleRecords.jobHash(ShuffledJob.of(spec).keyedFingerprint());
        ShuffleRecords records = new ShuffleRecords();
        RecordBatch batch = new RecordBatch();
        records.encodeMarker(job, "in".getBytes(StandardCharsets.UTF_8), 0, 1, 100_000, false);
        batch.add(1, 0, 0, RecordBatch.NO_TIMESTAMP, Arrays.copyOf(records.array(), records.length()), 0,
                records.length());
        // A source partition far behind (one the job was late to read): its pane's windows closed long ago.
        BuiltinAggregator counts = ShuffledJob.partialStore(AggregateSpec.Kind.COUNT);
        int slot = counts.newSlot();
        counts.add(slot, Event.of(1, 20_000, "critical", 0));
        counts.writePartial(slot, records.beginPartial("in".hashCode(), 1, 7, 1, 20_000));
        batch.add(1, 0, 1, RecordBatch.NO_TIMESTAMP, Arrays.copyOf(records.array(), records.length()), 0,
                records.length());
        byte[] key = "critical".getBytes(StandardCharsets.UTF_8);
        keyed.process(batch, 0, null);
        keyed.process(batch, 1, key);
        keyed.afterBatch(0);
        assertThat(metrics.shuffleLatePartials()).isEqualTo(1);
        keyed.afterBatch(0);
        assertThat(metrics.shuffleLatePartials()).as("published once").isEqualTo(1);
        assertThat(results).isEmpty();
    }
}
