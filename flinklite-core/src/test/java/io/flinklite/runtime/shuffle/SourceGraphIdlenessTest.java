package io.flinklite.runtime.shuffle;

import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A source task's graph run by the ordinary StreamTask: its partition's idleness reaches the keyed side. */
class SourceGraphIdlenessTest {
    private static final long T0 = 1_700_000_000_000L;

    /** One partition: a record at clock 0, silence, a record at clock 1_300, then the end. */
    private static final class Scripted implements SourceReader {
        final long[] clock;
        int step;

        Scripted(long[] clock) {
            this.clock = clock;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            long[] times = {0, 500, 1_200, 1_300};
            if (step == 0) {
                listener.partitionAssigned(0);
            }
            if (step >= times.length) {
                return false;
            }
            clock[0] = times[step];
            if (step == 0 || step == 3) {
                batch.add(0, step, ("{\"timestamp\":" + (T0 + step) + ",\"message\":\"important\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            step++;
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void theWriterMarksItsPartitionIdleAndActiveAgain() throws Exception {
        JobSpec spec = JobSpec.defaults().withWindow(WindowSpec.tumbling(10_000, 0)).withOutOfOrdernessMs(0);
        ShuffleWriterTest.Recording out = new ShuffleWriterTest.Recording(2);
        long[] clock = {0};
        StreamTask task = new StreamTask(ShuffledJob.of(spec).sourceGraph("in", 1, 4, 1_000, false, out),
                List.of(new Scripted(clock)), TaskOptions.replay().withIdleTimeoutMs(1_000).withClock(() -> clock[0]),
                DeadLetterHandler.DISCARD, new JobMetrics());
        task.run();
        List<String> markers = new ArrayList<>();
        for (ShuffleWriterTest.Sent s : out.sent) {
            if (s.kind() == ShuffleRecords.MARKER && s.partition() == 0) {
                assertThat(ShuffleRecords.markerPartition(s.value(), 0)).isEqualTo(1);
                assertThat(ShuffleRecords.markerTotal(s.value(), 0)).isEqualTo(4);
                long w = ShuffleRecords.markerWatermark(s.value(), 0);
                markers.add((w == Long.MAX_VALUE ? "end" : String.valueOf(w - T0))
                        + (ShuffleRecords.markerIdle(s.value(), 0) ? " idle" : ""));
            }
        }
        assertThat(markers).containsSubsequence("-1", "-1 idle", "-1", "end");
    }
}
