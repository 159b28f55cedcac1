package io.flinklite.runtime.checkpoint;

import io.flinklite.api.WindowResult;

import java.util.List;
import java.util.Objects;

/**
 * One consistent snapshot of a running job, taken by the task thread between two batches: where each input
 * partition stands, the operators' state, and (exactly-once delivery) the results fired since the previous
 * checkpoint that the Kafka transaction of this checkpoint commits. Immutable; safe to hand to the writer thread.
 *
 * <p>Everything after a checkpoint can be recomputed from it: restoring {@link #state()} and reading each partition
 * from {@link SourcePosition#nextOffset()} reproduces exactly what the job would have done.
 */
public final class Checkpoint {

    /** Version of the file layout written by this build; a reader refuses files with a higher version. */
    public static final int FORMAT_VERSION = 1;

    /**
     * The largest id a checkpoint can have. A job checkpointing every millisecond would need 142 000 years to reach
     * it; a larger id (say {@code checkpoint-9223372036854775807.json}) is a stray file, not ours, and ignored, so
     * that the next id never overflows.
     */
    public static final long MAX_ID = 1L << 52;

    private final long id;
    private final long previousId;
    private final long timeMs;
    private final String jobFingerprint;
    private final String delivery;
    private final List<SourcePosition> sources;
    private final long watermarkMs;
    private final StateTape state;
    private final List<WindowResult> pendingResults;
    private final List<EncodedResult> pendingRecords;

    /**
     * @param id             positive, increasing by one per checkpoint of a job (restarts continue the sequence)
     * @param previousId     the checkpoint whose state this one continues: the previous checkpoint of this run, or the
     *                       one this run restored; 0 when the run started without state. Exactly-once recovery
     *                       follows this chain to tell an uncommitted checkpoint from a stale one.
     * @param timeMs         wall-clock time the snapshot was taken, epoch ms
     * @param jobFingerprint {@code JobSpec.fingerprint()} of the job that took it
     * @param delivery       the delivery guarantee the job ran with ({@code at-least-once} or {@code exactly-once})
     * @param watermarkMs    the combined watermark at the snapshot
     * @param state          the operators' state
     * @param pendingResults results fired since the previous checkpoint and not yet committed to the output; empty
     *                       unless delivery is exactly-once
     */
    public Checkpoint(long id, long previousId, long timeMs, String jobFingerprint, String delivery, List<SourcePosition> sources,
                      long watermarkMs, StateTape state, List<WindowResult> pendingResults) {
        this(id, previousId, timeMs, jobFingerprint, delivery, sources, watermarkMs, state, pendingResults, List.of());
    }

    /**
     * As {@link #Checkpoint(long, long, long, String, String, List, long, StateTape, List)}, with the pending results
     * that are not window results (a join's pairs, a user job's records), encoded.
     */
    public Checkpoint(long id, long previousId, long timeMs, String jobFingerprint, String delivery, List<SourcePosition> sources,
                      long watermarkMs, StateTape state, List<WindowResult> pendingResults,
                      List<EncodedResult> pendingRecords) {
        if (id <= 0 || id > MAX_ID) {
            throw new IllegalArgumentException("checkpoint id must be in [1, " + MAX_ID + "], got " + id);
        }
        if (previousId < 0 || previousId >= id) {
            throw new IllegalArgumentException("previous checkpoint id must be in [0, " + id + "), got " + previousId);
        }
        this.id = id;
        this.previousId = previousId;
        this.timeMs = timeMs;
        this.jobFingerprint = Objects.requireNonNull(jobFingerprint, "jobFingerprint");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.sources = List.copyOf(sources);
        this.watermarkMs = watermarkMs;
        this.state = Objects.requireNonNull(state, "state");
        this.pendingResults = List.copyOf(pendingResults);
        this.pendingRecords = List.copyOf(pendingRecords);
    }

    public long id() { return id; }
    /** The checkpoint whose state this one continues; 0 when its run started without state. */
    public long previousId() { return previousId; }
    public long timeMs() { return timeMs; }
    public String jobFingerprint() { return jobFingerprint; }
    public String delivery() { return delivery; }
    public List<SourcePosition> sources() { return sources; }
    public long watermarkMs() { return watermarkMs; }
    public StateTape state() { return state; }
    public List<WindowResult> pendingResults() { return pendingResults; }
    /** Pending results other than window results, encoded, in firing order; empty unless delivery is exactly-once. */
    public List<EncodedResult> pendingRecords() { return pendingRecords; }
    /** Every pending result, of both kinds. */
    public int pendingCount() { return pendingResults.size() + pendingRecords.size(); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Checkpoint)) return false;
        Checkpoint c = (Checkpoint) o;
        return id == c.id && previousId == c.previousId && timeMs == c.timeMs && watermarkMs == c.watermarkMs && jobFingerprint.equals(c.jobFingerprint)
                && delivery.equals(c.delivery) && sources.equals(c.sources) && state.equals(c.state)
                && pendingResults.equals(c.pendingResults) && pendingRecords.equals(c.pendingRecords);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, timeMs, jobFingerprint, sources);
    }

    @Override
    public String toString() {
        return "checkpoint " + id + " at " + timeMs + " (" + sources.size() + " partitions, " + pendingCount()
                + " pending results)";
    }
}
