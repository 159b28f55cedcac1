package io.flinklite.runtime.replay;

import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.io.InputStream;
import java.util.Objects;

/**
 * The two JSON-lines files of a join replay as one bounded source that takes turns: physical line 1 of the left
 * file (partition {@value #LEFT}), line 1 of the right file (partition {@value #RIGHT}), line 2 of the left, and so
 * on. Every physical line takes its turn, also an invalid or blank one (a blank line is no record, but the other
 * file still waits for it); when one file ends the rest of the other follows. The offset of a record is its 1-based
 * line number in its own file.
 *
 * <p>A file that ends is revoked ({@link PartitionListener#partitionRevoked}) at the turn at which its end is read:
 * after the other file's line with the same number when the left file ends, after the left file's next line when
 * the right one ends. A file that is empty ends at its first turn. So the records of the other file that follow are
 * processed after the revocation, as after a finished Flink source's final watermark.
 *
 * <p>Each file is read by a {@link LineSourceReader} (or, in memory, an {@link ArraySourceReader}), whose records point into its buffer until its next poll; a
 * batch therefore ends whenever one file's buffered lines run out, so that the task has processed them before that
 * file is read again. Task thread only.
 */
public final class AlternatingSourceReader implements SourceReader {
    /** The partition of the left file's records. */
    public static final int LEFT = 0;
    /** The partition of the right file's records. */
    public static final int RIGHT = 1;

    private static final PartitionListener IGNORE = new PartitionListener() {
        @Override
        public void partitionAssigned(int partition) {
        }

        @Override
        public void partitionRevoked(int partition) {
        }
    };

    /** A bounded reader whose record offsets are 1-based line numbers, and that knows how many lines it read. */
    interface Lines extends SourceReader {
        /** Physical lines read so far; after the last poll, the number of lines of the input. */
        long linesRead();
    }

    private final Lines[] readers = new Lines[2];
    private final RecordBatch[] pending = {new RecordBatch(), new RecordBatch()};
    private final int[] cursor = new int[2];
    private final boolean[] atEnd = new boolean[2];
    private final boolean[] revoked = new boolean[2];
    private final String[] names;
    private boolean announced;

    /**
     * @param maxLineBytes lines longer than this are cut, as {@link LineSourceReader} does
     * @param leftName     for {@link #topicOf}: how reports name the left file
     * @param rightName    the same for the right file
     */
    public AlternatingSourceReader(InputStream left, InputStream right, int maxLineBytes, String leftName,
                                   String rightName) {
        this(new LineSourceReader(Objects.requireNonNull(left, "left"), maxLineBytes),
                new LineSourceReader(Objects.requireNonNull(right, "right"), maxLineBytes), leftName, rightName);
    }

    /** The same over events in memory, one JSON object per array element (the benchmark). */
    public AlternatingSourceReader(byte[][] left, byte[][] right, String leftName, String rightName) {
        this(new ArraySourceReader(left), new ArraySourceReader(right), leftName, rightName);
    }

    private AlternatingSourceReader(Lines left, Lines right, String leftName, String rightName) {
        readers[LEFT] = left;
        readers[RIGHT] = right;
        this.names = new String[] {Objects.requireNonNull(leftName, "leftName"), Objects.requireNonNull(rightName, "rightName")};
    }

    @Override
    public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) throws Exception {
        if (!announced) {
            listener.partitionAssigned(LEFT);
            listener.partitionAssigned(RIGHT);
            announced = true;
        }
        while (true) {
            for (int side = LEFT; side <= RIGHT; side++) {
                if (!revoked[side] && !atEnd[side] && cursor[side] == pending[side].size()) {
                    if (!batch.isEmpty()) {
                        return true; // the batch may hold this file's lines: process them before reading on
                    }
                    refill(side);
                }
            }
            int side = nextTurn();
            if (side < 0) {
                return !batch.isEmpty();
            }
            if (atEnd[side] && cursor[side] == pending[side].size()) {
                if (!batch.isEmpty()) {
                    return true; // the records before this turn are processed before the file's end counts
                }
                revoked[side] = true;
                listener.partitionRevoked(side);
                continue;
            }
            RecordBatch from = pending[side];
            int i = cursor[side]++;
            batch.add(side, from.offset(i), from.payload(i), from.payloadOffset(i), from.payloadLength(i));
        }
    }

    private void refill(int side) throws Exception {
        pending[side].clear();
        cursor[side] = 0;
        if (!readers[side].poll(pending[side], IGNORE, 0)) {
            atEnd[side] = true;
        }
    }

    /** The side whose turn comes next (its next record, or its end); -1 when both files ended and were revoked. */
    private int nextTurn() {
        long left = position(LEFT);
        long right = position(RIGHT);
        if (left == Long.MAX_VALUE && right == Long.MAX_VALUE) {
            return -1;
        }
        return left < right ? LEFT : RIGHT;
    }

    /**
     * Where the side's next event falls in the alternation: left line n is turn 2n - 1, right line n is turn 2n; the
     * end of a file of N lines is its turn after its last line (2N + 1 for the left, 2N + 2 for the right).
     */
    private long position(int side) {
        if (revoked[side]) {
            return Long.MAX_VALUE;
        }
        long line = cursor[side] < pending[side].size()
                ? pending[side].offset(cursor[side])
                : readers[side].linesRead() + 1;
        return 2 * line - (side == LEFT ? 1 : 0);
    }

    @Override
    public String topicOf(int partition) {
        return names[partition];
    }

    @Override
    public void close() throws Exception {
        try {
            readers[LEFT].close();
        } finally {
            readers[RIGHT].close();
        }
    }
}
