package io.flinklite.runtime.checkpoint;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;

import java.util.List;

/** Builds sample checkpoints for tests. */
public final class Checkpoints {
    private Checkpoints() {
    }

    /**
     * A store that checks files only: {@link #sample} checkpoints carry a made-up state, which a job's store
     * ({@link RestoreCheck}) rightly refuses.
     */
    public static DirectoryCheckpointStore fileOnlyStore(java.nio.file.Path dir) {
        return new DirectoryCheckpointStore(dir, DirectoryCheckpointStore.DEFAULT_RETAIN, CheckpointValidator.NONE);
    }

    /** A checkpoint of the default job with two partitions, a small keyed state and one pending result. */
    public static Checkpoint sample(long id) {
        StateTape.Writer w = new StateTape.Writer();
        w.startObject().field("keyGroups").startArray()
                .startObject().field("group", 7L).field("key", "critical")
                .field("panes").startArray()
                .startObject().field("start", 1_700_000_000_000L).field("end", 1_700_000_010_000L).field("count", id).endObject()
                .endArray().endObject()
                .endArray().endObject();
        return new Checkpoint(id, id - 1, 1_700_000_000_000L + id, JobSpec.defaults().fingerprint(), "at-least-once",
                List.of(new SourcePosition("flink-events", 0, 100 * id, 1_699_999_990_000L),
                        new SourcePosition("flink-events", 1, 50 * id, Long.MIN_VALUE)),
                1_699_999_990_000L, w.finish(),
                List.of(WindowResult.ofCount("critical", 1_699_999_990_000L, 1_700_000_000_000L, 3)));
    }
}
