package io.flinklite.runtime.replay;

import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import io.flinklite.job.WindowSpec;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-record path allocates nothing: after a warm-up, replaying twice as many events allocates well under one more
 * byte per extra event (what remains is per firing and per batch; the difference cancels the fixed cost of setting
 * up a task). Counts bytes, not time, so it is deterministic on a busy machine.
 */
class ReplayAllocationTest {

    private static byte[][] events(int n) {
        Random r = new Random(7);
        String[] types = {"important", "critical", "info", "warning"};
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            long ts = 1_700_000_000_000L + i / 2 - r.nextInt(5_000);
            out[i] = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"" + types[r.nextInt(4)]
                    + "\",\"amount\":" + r.nextInt(100) + ".5}").getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private static long allocatedBytes(JobSpec spec, byte[][] events) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Replay.run(spec, events, result -> { }, null, message -> { });
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void replayAllocatesLessThanAByteAnEvent() throws Exception {
        byte[][] events = events(400_000);
        byte[][] half = java.util.Arrays.copyOf(events, 200_000);
        JobSpec[] specs = {
                JobSpec.defaults(),
                JobSpec.defaults().withAggregate(AggregateSpec.parse("avg:amount")),
                JobSpec.defaults().withWindow(WindowSpec.session(1_000)),
        };
        for (JobSpec spec : specs) {
            allocatedBytes(spec, events); // warm-up: class loading, compilation
            long extra = allocatedBytes(spec, events) - allocatedBytes(spec, half);
            assertThat(extra / 200_000.0).as(spec.toString()).isLessThan(1.0);
        }
    }

    /** ISO-8601 in a nested field, decimal epoch seconds, and a nested key: the same bound. */
    @Test
    void otherTimestampFormatsAndNestedPathsAllocateNothingPerEvent() throws Exception {
        Random r = new Random(11);
        String[] types = {"important", "critical", "info", "warning"};
        byte[][] iso = new byte[400_000][];
        byte[][] seconds = new byte[400_000][];
        for (int i = 0; i < iso.length; i++) {
            long ts = 1_700_000_000_000L + i / 2 - r.nextInt(5_000);
            String type = types[r.nextInt(4)];
            iso[i] = ("{\"id\":" + i + ",\"p\":{\"ts\":\"" + java.time.Instant.ofEpochMilli(ts) + "\",\"x\":[1]},"
                    + "\"u\":{\"kind\":\"" + type + "\"}}").getBytes(StandardCharsets.UTF_8);
            seconds[i] = ("{\"ts\":" + ts / 1000 + "." + String.format("%03d", ts % 1000) + ",\"message\":\"" + type
                    + "\"}").getBytes(StandardCharsets.UTF_8);
        }
        io.flinklite.job.TimestampSpec t = io.flinklite.job.TimestampSpec.defaults();
        Object[][] cases = {
                {JobSpec.defaults().withKeyField("u.kind").withTimestamps(t.withField("p.ts")
                        .withFormat(io.flinklite.job.TimestampSpec.Format.ISO_8601)), iso},
                {JobSpec.defaults().withTimestamps(t.withField("ts").withFormat(io.flinklite.job.TimestampSpec.Format.EPOCH_S)),
                        seconds},
        };
        for (Object[] c : cases) {
            JobSpec spec = (JobSpec) c[0];
            byte[][] events = (byte[][]) c[1];
            byte[][] half = java.util.Arrays.copyOf(events, 200_000);
            ReplayStats stats = Replay.run(spec, events, result -> { }, null, message -> { });
            assertThat(stats.invalid()).as(spec.fingerprint()).isZero();
            assertThat(stats.results()).as(spec.fingerprint()).isPositive();
            long extra = allocatedBytes(spec, events) - allocatedBytes(spec, half);
            assertThat(extra / 200_000.0).as(spec.fingerprint()).isLessThan(1.0);
        }
    }
}
