package io.flinklite.runtime.task;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.Objects;

/**
 * Two in-memory sources (partition 0 each) delivered one record per poll, a record of the left then one of the
 * right and so on; when one runs out the rest of the other follows. The task thus sees the two inputs in a fixed
 * interleaving, and advances each side's watermark after every record, so a test can say what is late.
 */
final class InterleavedSource implements SourceReader {
    private final byte[][][] sides;
    private final int[] next = new int[2];
    private boolean announced;
    private int turn;

    InterleavedSource(byte[][] left, byte[][] right) {
        this.sides = new byte[][][] {Objects.requireNonNull(left, "left"), Objects.requireNonNull(right, "right")};
    }

    @Override
    public int sourceCount() {
        return 2;
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
        if (!announced) {
            listener.partitionAssigned(0, 0);
            listener.partitionAssigned(1, 0);
            announced = true;
        }
        for (int tries = 0; tries < 2; tries++) {
            int side = turn;
            turn = 1 - turn;
            if (next[side] < sides[side].length) {
                byte[] record = sides[side][next[side]++];
                batch.add(side, 0, next[side], RecordBatch.NO_TIMESTAMP, record, 0, record.length);
                return true;
            }
        }
        return false;
    }

    @Override
    public String topicOf(int source, int partition) {
        return source == 0 ? "left" : "right";
    }

    @Override
    public String topicOf(int partition) {
        return "left";
    }

    @Override
    public void close() {
    }
}
