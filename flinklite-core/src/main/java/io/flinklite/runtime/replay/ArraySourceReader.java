package io.flinklite.runtime.replay;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.Objects;

/**
 * A bounded source over pre-serialized events in memory (the in-memory benchmark): partition 0, the offset of a
 * record is its 1-based index, batches of {@value #BATCH} records referencing the arrays as they are.
 */
public final class ArraySourceReader implements AlternatingSourceReader.Lines {
    static final int BATCH = 4096;

    private final byte[][] events;
    private int next;
    private boolean announced;

    public ArraySourceReader(byte[][] events) {
        this.events = Objects.requireNonNull(events, "events");
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
        if (!announced) {
            listener.partitionAssigned(0);
            announced = true;
        }
        int end = Math.min(events.length, next + BATCH);
        for (int i = next; i < end; i++) {
            batch.add(0, i + 1, events[i]);
        }
        next = end;
        return !batch.isEmpty();
    }

    /** Events handed out so far: after the last poll, all of them. */
    @Override
    public long linesRead() {
        return next;
    }

    @Override
    public String topicOf(int partition) {
        return "memory";
    }

    @Override
    public void close() {
    }
}
