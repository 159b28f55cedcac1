package io.flinklite.runtime.process;

import java.util.Arrays;

/**
 * The keys that have timers, in a binary min-heap on their earliest timer (then on the key, so that equal times fire
 * in a deterministic order, also after a restore). One entry per key, not per timer: a key's other timers wait in its
 * {@link KeyEntry}, and deleting or replacing a timer moves the key within the heap instead of leaving a dead entry
 * behind, so the heap stays as large as the number of keys with timers even when every element replaces its key's
 * timer (the timeout pattern). Allocation-free once grown. Task thread only.
 */
final class TimerHeap {
    private KeyEntry[] heap = new KeyEntry[16];
    private int size;

    int size() {
        return size;
    }

    /** The key with the earliest timer; only when not empty. */
    KeyEntry peek() {
        return heap[0];
    }

    /** Adds a key that just got its first timer. */
    void add(KeyEntry e) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        heap[size] = e;
        e.heapIndex = size;
        size++;
        siftUp(e.heapIndex);
    }

    /** Removes a key that has no timer left. */
    void remove(KeyEntry e) {
        int i = e.heapIndex;
        int last = --size;
        KeyEntry moved = heap[last];
        heap[last] = null;
        e.heapIndex = -1;
        if (i != last) {
            heap[i] = moved;
            moved.heapIndex = i;
            siftDown(i);
            siftUp(moved.heapIndex);
        }
    }

    /** Restores the order after the earliest timer of {@code e} (still in the heap) changed. */
    void changed(KeyEntry e) {
        siftUp(e.heapIndex);
        siftDown(e.heapIndex);
    }

    /** Drops every key. */
    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].heapIndex = -1;
            heap[i] = null;
        }
        size = 0;
    }

    private static boolean before(KeyEntry a, KeyEntry b) {
        long ta = a.earliestTimer();
        long tb = b.earliestTimer();
        return ta < tb || (ta == tb && a.key.compareTo(b.key) < 0);
    }

    private void siftUp(int i) {
        KeyEntry e = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(e, heap[parent])) {
                break;
            }
            place(heap[parent], i);
            i = parent;
        }
        place(e, i);
    }

    private void siftDown(int i) {
        KeyEntry e = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], e)) {
                break;
            }
            place(heap[child], i);
            i = child;
        }
        place(e, i);
    }

    private void place(KeyEntry e, int i) {
        heap[i] = e;
        e.heapIndex = i;
    }
}
