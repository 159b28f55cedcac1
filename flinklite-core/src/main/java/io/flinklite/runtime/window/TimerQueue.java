package io.flinklite.runtime.window;

import java.util.Arrays;

/**
 * Event-time timers of the window operator (and the join operators): a binary min-heap on the timer time, in parallel primitive arrays, so
 * registering a timer allocates nothing (the arrays grow geometrically and stay). A timer names a window of a key:
 * {@code (time, key state, window start, window end)}.
 *
 * <p>Deletion is lazy: the operator keeps, per window, flags saying which timers are live, and ignores a popped timer
 * whose flag is gone (the window fired, was cleaned or was merged into another session). Equal times pop in no
 * particular order, as in Flink, where timers of the same time are independent of one another.
 */
public final class TimerQueue {
    private long[] times = new long[64];
    private long[] starts = new long[64];
    private long[] ends = new long[64];
    private Object[] owners = new Object[64];
    private int size;

    /** Popped timer, valid until the next {@link #pop}. */
    public long poppedTime;
    public long poppedStart;
    public long poppedEnd;
    public Object poppedOwner;

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    /** Time of the earliest timer; only when not empty. */
    public long peekTime() { return times[0]; }

    /** Registers a timer at {@code time} for window {@code [start, end)} of {@code owner} (a key's state). */
    public void add(long time, Object owner, long start, long end) {
        if (size == times.length) {
            int n = size * 2;
            times = Arrays.copyOf(times, n);
            starts = Arrays.copyOf(starts, n);
            ends = Arrays.copyOf(ends, n);
            owners = Arrays.copyOf(owners, n);
        }
        int i = size++;
        // Sift up.
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (times[parent] <= time) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        set(i, time, owner, start, end);
    }

    /** Removes the earliest timer into the {@code popped...} fields; only when not empty. */
    public void pop() {
        poppedTime = times[0];
        poppedStart = starts[0];
        poppedEnd = ends[0];
        poppedOwner = owners[0];
        int last = --size;
        long time = times[last];
        Object owner = owners[last];
        long start = starts[last];
        long end = ends[last];
        owners[last] = null;
        if (last == 0) {
            return;
        }
        // Sift the last element down from the root.
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= last) {
                break;
            }
            if (child + 1 < last && times[child + 1] < times[child]) {
                child++;
            }
            if (times[child] >= time) {
                break;
            }
            move(child, i);
            i = child;
        }
        set(i, time, owner, start, end);
    }

    /** Drops every timer. */
    public void clear() {
        Arrays.fill(owners, 0, size, null);
        size = 0;
    }

    private void move(int from, int to) {
        times[to] = times[from];
        starts[to] = starts[from];
        ends[to] = ends[from];
        owners[to] = owners[from];
    }

    private void set(int i, long time, Object owner, long start, long end) {
        times[i] = time;
        owners[i] = owner;
        starts[i] = start;
        ends[i] = end;
    }
}
