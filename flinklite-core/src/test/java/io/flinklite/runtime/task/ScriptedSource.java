package io.flinklite.runtime.task;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A reusable fake {@link SourceReader}: a script of steps (assign, revoke, a batch of records, an empty poll that
 * advances a fake clock, the end). Partition offsets count from 0 per partition, or from a restored position.
 */
final class ScriptedSource implements SourceReader {
    private final Deque<Runnable> pending = new ArrayDeque<>();
    private final Deque<Object[]> steps = new ArrayDeque<>();
    private final Map<Integer, Long> next = new HashMap<>();
    final long[] clock = {0};
    Map<Integer, Long> restored = Map.of();
    /** What {@link #lag} answers per partition; absent partitions answer -1 (unknown). */
    final Map<Integer, Long> lag = new HashMap<>();
    boolean closed;

    ScriptedSource assign(int partition) {
        steps.add(new Object[] {"assign", partition});
        return this;
    }

    ScriptedSource revoke(int partition) {
        steps.add(new Object[] {"revoke", partition});
        return this;
    }

    /** One batch: records alternate partition and JSON text. */
    ScriptedSource batch(Object... partitionAndJson) {
        steps.add(new Object[] {"batch", partitionAndJson});
        return this;
    }

    /** From this step on, {@link #lag} reports {@code records} waiting in {@code partition}. */
    ScriptedSource withLag(int partition, long records) {
        steps.add(new Object[] {"lag", partition, records});
        return this;
    }

    /** An empty poll after which the clock reads {@code nowMs}. */
    ScriptedSource idleUntil(long nowMs) {
        steps.add(new Object[] {"clock", nowMs});
        return this;
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
        while (!steps.isEmpty()) {
            Object[] step = steps.poll();
            switch ((String) step[0]) {
                case "assign":
                    listener.partitionAssigned((Integer) step[1]);
                    continue;
                case "revoke":
                    listener.partitionRevoked((Integer) step[1]);
                    continue;
                case "lag":
                    lag.put((Integer) step[1], (Long) step[2]);
                    continue;
                case "clock":
                    clock[0] = (Long) step[1];
                    return true;
                default:
                    Object[] records = (Object[]) step[1];
                    for (int i = 0; i < records.length; i += 2) {
                        int p = (Integer) records[i];
                        long offset = next.getOrDefault(p, restored.getOrDefault(p, 0L));
                        next.put(p, offset + 1);
                        batch.add(p, offset, ((String) records[i + 1]).getBytes(StandardCharsets.UTF_8));
                    }
                    return true;
            }
        }
        return false;
    }

    @Override
    public long lag(int partition) {
        return lag.getOrDefault(partition, -1L);
    }

    @Override
    public void restorePositions(Map<Integer, Long> nextOffsets) {
        restored = nextOffsets;
    }

    @Override
    public void close() {
        closed = true;
    }
}
