package io.flinklite.app;

import io.flinklite.runtime.checkpoint.TaskId;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How many source partitions a new source task announces when the input topic grew while the job ran. */
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
}
