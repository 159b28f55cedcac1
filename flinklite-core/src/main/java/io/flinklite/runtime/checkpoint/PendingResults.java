package io.flinklite.runtime.checkpoint;

import io.flinklite.api.Sink;

import java.util.ArrayList;
import java.util.List;

/**
 * The result sink of an exactly-once job: keeps the results fired since the last checkpoint, which the next
 * checkpoint takes ({@link #drain()}) and its Kafka transaction commits. Task thread only.
 *
 * @param <T> the result type
 */
public final class PendingResults<T> implements Sink<T> {
    private List<T> pending = new ArrayList<>();
    private List<EncodedResult> records = new ArrayList<>();
    /** The sink of the results that are not of type {@code T} (a join's pairs), encoded; the same checkpoint takes them. */
    private final Sink<EncodedResult> recordSink = r -> records.add(r);

    @Override
    public void write(T result) {
        pending.add(result);
    }

    /** The results since the previous drain, in firing order; the sink starts a new list. */
    public List<T> drain() {
        List<T> out = pending;
        pending = new ArrayList<>(Math.max(16, out.size()));
        return out;
    }

    /** Where the encoded results go ({@link Checkpoint#pendingRecords()}), taken by {@link #drainRecords()}. */
    public Sink<EncodedResult> records() {
        return recordSink;
    }

    /** The encoded results since the previous drain, in firing order; the sink starts a new list. */
    public List<EncodedResult> drainRecords() {
        List<EncodedResult> out = records;
        records = new ArrayList<>(Math.max(16, out.size()));
        return out;
    }

    /** Results waiting for the next checkpoint, of both kinds. */
    public int size() {
        return pending.size() + records.size();
    }
}
