package io.flinklite.bench;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.replay.Replay;
import io.flinklite.runtime.replay.ReplayStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed job on FlinkLite: {@link Replay} over the pre-serialized events in memory, on the calling thread
 * ({@link JobSpec#defaults()}: sliding 10 s / 5 s, out-of-orderness 5 s, important|critical, key message, count).
 */
final class FlinkLiteSeedJob {
    private FlinkLiteSeedJob() {
    }

    /** @return the results as canonical lines {@code key,windowStart,windowEnd,count}, unordered */
    static List<String> run(byte[][] events) throws Exception {
        List<String> results = new ArrayList<>(4_096);
        Sink<WindowResult> keep = r -> results.add(r.key() + "," + r.windowStart() + "," + r.windowEnd() + "," + r.count());
        ReplayStats stats = Replay.run(JobSpec.defaults(), events, keep, null, invalid -> {
            throw new IllegalStateException("the seed traffic has no invalid event, yet: " + invalid);
        });
        if (stats.records() != events.length) {
            throw new IllegalStateException("replay saw " + stats.records() + " of " + events.length + " events");
        }
        return results;
    }
}
