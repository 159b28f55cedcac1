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

    /** Results waiting for the next checkpoint. */
    public int size() {
        return pending.size();
    }
}
