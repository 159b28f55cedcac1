package io.flinklite.runtime.join;

import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.window.WindowAggregator;

import java.util.Arrays;

/**
 * The contents of a window join's panes (or session windows), as {@link io.flinklite.runtime.window.WindowOperator}
 * slots: per slot, the left and the right elements, each side sorted by timestamp (arrival order among equal ones).
 * A firing does not emit at once: it collects its window's elements into a pending firing, and
 * {@link WindowJoinOperator} emits the pending firings in a defined order after each call into the window operator
 * ({@link #flush}).
 *
 * <p>Why panes serve a join: a window's contents are the union of its panes' contents (an element goes into one pane,
 * and only windows alive when it arrived can fire after it), exactly what Flink's per-window list state holds; each
 * element is stored once however many sliding windows share it. Session merges concatenate the merged sessions'
 * lists, which keeps them sorted because sessions are disjoint.
 *
 * <p>Task thread only. {@link #side} and {@link #timestampMs} describe the element of the next {@link #add}.
 */
final class JoinPanes<S1, S2> extends WindowAggregator {
    static final int LEFT = 0;
    static final int RIGHT = 1;
    /** Slots whose arrays grew past this are given back when freed, so one huge window does not pin memory. */
    private static final int KEEP_CAPACITY = 64;

    /** Receives the pending pairs, in order. */
    interface PairSink<S1, S2> {
        void pair(String key, S1 left, long leftTs, S2 right, long rightTs, long start, long end) throws Exception;
    }

    private final ElementCodec<Object, S1> leftCodec;
    private final ElementCodec<Object, S2> rightCodec;

    /** Per slot and side: timestamps, elements, count. */
    private long[][][] timestamps = new long[2][64][];
    private Object[][][] elements = new Object[2][64][];
    private int[][] counts = new int[2][64];

    /** The element of the next {@link #add}: its side and timestamp. */
    int side;
    long timestampMs;

    private long bufferedElements;
    private long bufferedBytes;

    // Pending firings: window, key, and the ranges of their elements in the pending element arrays.
    private int firings;
    private String[] firingKeys = new String[16];
    private long[] firingStarts = new long[16];
    private long[] firingEnds = new long[16];
    private int[] leftFrom = new int[16];
    private int[] rightFrom = new int[16];
    private int[] order = new int[16];
    private int[] sortScratch = new int[16];
    private int pendingLeft;
    private int pendingRight;
    private long[] pendingLeftTs = new long[64];
    private Object[] pendingLeftElements = new Object[64];
    private long[] pendingRightTs = new long[64];
    private Object[] pendingRightElements = new Object[64];

    @SuppressWarnings("unchecked")
    JoinPanes(ElementCodec<?, S1> leftCodec, ElementCodec<?, S2> rightCodec) {
        this.leftCodec = (ElementCodec<Object, S1>) leftCodec;
        this.rightCodec = (ElementCodec<Object, S2>) rightCodec;
    }

    long bufferedElements() { return bufferedElements; }

    long bufferedBytes() { return bufferedBytes; }

    @Override
    protected void ensureCapacity(int slots) {
        if (slots > counts[LEFT].length) {
            int n = Math.max(slots, counts[LEFT].length * 2);
            for (int s = 0; s < 2; s++) {
                timestamps[s] = Arrays.copyOf(timestamps[s], n);
                elements[s] = Arrays.copyOf(elements[s], n);
                counts[s] = Arrays.copyOf(counts[s], n);
            }
        }
    }

    @Override
    protected void reset(int slot) {
        counts[LEFT][slot] = 0;
        counts[RIGHT][slot] = 0;
    }

    @Override
    protected void release(int slot) {
        for (int s = 0; s < 2; s++) {
            int n = counts[s][slot];
            Object[] els = elements[s][slot];
            ElementCodec<Object, ?> codec = s == LEFT ? leftCodec : rightCodec;
            for (int i = 0; i < n; i++) {
                bufferedBytes -= heapBytes(codec, els[i]);
            }
            bufferedElements -= n;
            if (els != null && els.length > KEEP_CAPACITY) {
                timestamps[s][slot] = null;
                elements[s][slot] = null;
            } else if (els != null) {
                Arrays.fill(els, 0, n, null);
            }
            counts[s][slot] = 0;
        }
    }

    @SuppressWarnings("unchecked")
    private static long heapBytes(ElementCodec<Object, ?> codec, Object stored) {
        return ((ElementCodec<Object, Object>) codec).heapBytes(stored) + IntervalJoinOperator.SLOT_BYTES;
    }

    @Override
    public void add(int slot, Object element) {
        ElementCodec<Object, ?> codec = side == LEFT ? leftCodec : rightCodec;
        Object stored = codec.retain(element);
        insert(side, slot, timestampMs, stored);
        bufferedElements++;
        bufferedBytes += heapBytes(codec, stored);
    }

    /** Inserts after every element of the slot's side with a timestamp at or below {@code ts}. */
    private void insert(int s, int slot, long ts, Object stored) {
        int n = counts[s][slot];
        long[] tss = timestamps[s][slot];
        Object[] els = elements[s][slot];
        if (tss == null) {
            tss = new long[4];
            els = new Object[4];
            timestamps[s][slot] = tss;
            elements[s][slot] = els;
        } else if (n == tss.length) {
            tss = Arrays.copyOf(tss, n * 2);
            els = Arrays.copyOf(els, n * 2);
            timestamps[s][slot] = tss;
            elements[s][slot] = els;
        }
        int i = n;
        while (i > 0 && tss[i - 1] > ts) {
            i--;
        }
        System.arraycopy(tss, i, tss, i + 1, n - i);
        System.arraycopy(els, i, els, i + 1, n - i);
        tss[i] = ts;
        els[i] = stored;
        counts[s][slot] = n + 1;
    }

    @Override
    public void merge(int target, int source) {
        for (int s = 0; s < 2; s++) {
            int n = counts[s][source];
            long[] tss = timestamps[s][source];
            Object[] els = elements[s][source];
            for (int i = 0; i < n; i++) {
                insert(s, target, tss[i], els[i]);
            }
        }
        // The caller frees the source next, which would count its elements as gone; they live on in the target.
        for (int s = 0; s < 2; s++) {
            ElementCodec<Object, ?> codec = s == LEFT ? leftCodec : rightCodec;
            int n = counts[s][source];
            Object[] els = elements[s][source];
            for (int i = 0; i < n; i++) {
                bufferedBytes += heapBytes(codec, els[i]);
            }
            bufferedElements += n;
        }
    }

    /** Collects the window's elements into a pending firing (nothing when a side is empty: no pairs). */
    @Override
    public void emit(String key, long start, long end, int[] slots, int count) {
        int lefts = 0;
        int rights = 0;
        for (int i = 0; i < count; i++) {
            lefts += counts[LEFT][slots[i]];
            rights += counts[RIGHT][slots[i]];
        }
        if (lefts == 0 || rights == 0) {
            return;
        }
        if (firings == firingKeys.length) {
            int n = firings * 2;
            firingKeys = Arrays.copyOf(firingKeys, n);
            firingStarts = Arrays.copyOf(firingStarts, n);
            firingEnds = Arrays.copyOf(firingEnds, n);
            leftFrom = Arrays.copyOf(leftFrom, n + 1);
            rightFrom = Arrays.copyOf(rightFrom, n + 1);
            order = Arrays.copyOf(order, n);
        }
        firingKeys[firings] = key;
        firingStarts[firings] = start;
        firingEnds[firings] = end;
        leftFrom[firings] = pendingLeft;
        rightFrom[firings] = pendingRight;
        firings++;
        if (leftFrom.length <= firings) {
            leftFrom = Arrays.copyOf(leftFrom, firings * 2);
            rightFrom = Arrays.copyOf(rightFrom, firings * 2);
        }
        // Panes come in time order and each is sorted, so appending them keeps each side sorted.
        for (int i = 0; i < count; i++) {
            int slot = slots[i];
            pendingLeft = append(LEFT, slot, pendingLeft);
            pendingRight = append(RIGHT, slot, pendingRight);
        }
        leftFrom[firings] = pendingLeft;
        rightFrom[firings] = pendingRight;
    }

    private int append(int s, int slot, int at) {
        int n = counts[s][slot];
        if (n == 0) {
            return at;
        }
        if (s == LEFT) {
            if (at + n > pendingLeftTs.length) {
                int cap = Math.max(at + n, pendingLeftTs.length * 2);
                pendingLeftTs = Arrays.copyOf(pendingLeftTs, cap);
                pendingLeftElements = Arrays.copyOf(pendingLeftElements, cap);
            }
            System.arraycopy(timestamps[s][slot], 0, pendingLeftTs, at, n);
            System.arraycopy(elements[s][slot], 0, pendingLeftElements, at, n);
        } else {
            if (at + n > pendingRightTs.length) {
                int cap = Math.max(at + n, pendingRightTs.length * 2);
                pendingRightTs = Arrays.copyOf(pendingRightTs, cap);
                pendingRightElements = Arrays.copyOf(pendingRightElements, cap);
            }
            System.arraycopy(timestamps[s][slot], 0, pendingRightTs, at, n);
            System.arraycopy(elements[s][slot], 0, pendingRightElements, at, n);
        }
        return at + n;
    }

    /**
     * Emits the pending firings' pairs to {@code sink} and forgets them. Firings in the order of their window's end,
     * then start, then key; within a firing, left-major: each left element with every right element, both sides in
     * timestamp order (arrival order among equal timestamps).
     */
    @SuppressWarnings("unchecked")
    void flush(PairSink<S1, S2> sink) throws Exception {
        if (firings == 0) {
            return;
        }
        for (int i = 0; i < firings; i++) {
            order[i] = i;
        }
        sortFirings();
        try {
            for (int k = 0; k < firings; k++) {
                int f = order[k];
                String key = firingKeys[f];
                long start = firingStarts[f];
                long end = firingEnds[f];
                for (int l = leftFrom[f]; l < leftFrom[f + 1]; l++) {
                    S1 left = (S1) pendingLeftElements[l];
                    long leftTs = pendingLeftTs[l];
                    for (int r = rightFrom[f]; r < rightFrom[f + 1]; r++) {
                        sink.pair(key, left, leftTs, (S2) pendingRightElements[r], pendingRightTs[r], start, end);
                    }
                }
            }
        } finally {
            Arrays.fill(firingKeys, 0, firings, null);
            Arrays.fill(pendingLeftElements, 0, pendingLeft, null);
            Arrays.fill(pendingRightElements, 0, pendingRight, null);
            firings = 0;
            pendingLeft = 0;
            pendingRight = 0;
        }
    }

    /**
     * Sorts {@link #order} (stable merge sort): with many keys, many windows end at the same time, and timers of one
     * time pop in no particular order.
     */
    private void sortFirings() {
        if (sortScratch.length < firings) {
            sortScratch = new int[order.length];
        }
        int[] from = order;
        int[] to = sortScratch;
        for (int width = 1; width < firings; width *= 2) {
            for (int lo = 0; lo < firings; lo += 2 * width) {
                int mid = Math.min(lo + width, firings);
                int hi = Math.min(lo + 2 * width, firings);
                int a = lo;
                int b = mid;
                for (int k = lo; k < hi; k++) {
                    if (a < mid && (b >= hi || compareFirings(from[a], from[b]) <= 0)) {
                        to[k] = from[a++];
                    } else {
                        to[k] = from[b++];
                    }
                }
            }
            int[] t = from;
            from = to;
            to = t;
        }
        if (from != order) {
            System.arraycopy(from, 0, order, 0, firings);
        }
    }

    private int compareFirings(int a, int b) {
        int c = Long.compare(firingEnds[a], firingEnds[b]);
        if (c == 0) {
            c = Long.compare(firingStarts[a], firingStarts[b]);
        }
        return c != 0 ? c : firingKeys[a].compareTo(firingKeys[b]);
    }

    @Override
    public void writeSlot(int slot, StateWriter out) {
        writeSide(out, "left", LEFT, slot, leftCodec);
        writeSide(out, "right", RIGHT, slot, rightCodec);
    }

    private <S> void writeSide(StateWriter out, String name, int s, int slot, ElementCodec<Object, S> codec) {
        out.beginArray(name);
        int n = counts[s][slot];
        for (int i = 0; i < n; i++) {
            out.beginObject(null);
            out.writeLong("ts", timestamps[s][slot][i]);
            @SuppressWarnings("unchecked")
            S stored = (S) elements[s][slot][i];
            codec.write(stored, out);
            out.endObject();
        }
        out.endArray();
    }

    @Override
    protected void readInto(int slot, StateReader in) {
        readSide(in, "left", LEFT, slot, leftCodec);
        readSide(in, "right", RIGHT, slot, rightCodec);
    }

    private void readSide(StateReader in, String name, int s, int slot, ElementCodec<Object, ?> codec) {
        in.beginArray(name);
        while (in.hasNext()) {
            in.beginObject(null);
            long ts = in.readLong("ts");
            Object stored = codec.read(in);
            in.endObject();
            insert(s, slot, ts, stored);
            bufferedElements++;
            bufferedBytes += heapBytes(codec, stored);
        }
        in.endArray();
    }
}
