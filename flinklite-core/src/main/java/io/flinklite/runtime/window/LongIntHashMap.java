package io.flinklite.runtime.window;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} to non-negative {@code int}, with linear probing and backward-shift
 * deletion: no boxing and no allocation except when it grows. Holds a key's panes (pane start -> accumulator slot)
 * and windows (window start -> timer flags). Not thread-safe; the task thread owns it.
 */
public final class LongIntHashMap {
    /** Returned by {@link #get} for an absent key. */
    public static final int MISSING = -1;
    /** Up to this many entries, {@link #sortedEntries} sorts by insertion (quadratic, but no lookups). */
    private static final int INSERTION_SORT_MAX = 16;

    private long[] keys;
    private int[] values;
    private int mask;
    private int size;
    private int resizeAt;

    public LongIntHashMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, MISSING);
        mask = capacity - 1;
        resizeAt = capacity / 2;
    }

    private int slotOf(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    public int size() { return size; }

    public boolean isEmpty() { return size == 0; }

    /** The value for {@code key}, or {@link #MISSING}. */
    public int get(long key) {
        int i = slotOf(key);
        while (true) {
            int v = values[i];
            if (v == MISSING) {
                return MISSING;
            }
            if (keys[i] == key) {
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Sets {@code key} to {@code value} (>= 0). */
    public void put(long key, int value) {
        int i = slotOf(key);
        while (true) {
            int v = values[i];
            if (v == MISSING) {
                keys[i] = key;
                values[i] = value;
                if (++size > resizeAt) {
                    rehash();
                }
                return;
            }
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /** Removes {@code key}; returns its value or {@link #MISSING}. */
    public int remove(long key) {
        int i = slotOf(key);
        while (true) {
            int v = values[i];
            if (v == MISSING) {
                return MISSING;
            }
            if (keys[i] == key) {
                shiftBack(i);
                size--;
                return v;
            }
            i = (i + 1) & mask;
        }
    }

    /** Linear-probing deletion without tombstones: move later entries of the run into the hole when they may. */
    private void shiftBack(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (values[i] == MISSING) {
                break;
            }
            int home = slotOf(keys[i]);
            // The entry at i may move to the hole unless its home lies cyclically in (hole, i].
            boolean stays = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
            if (!stays) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        values[hole] = MISSING;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(keys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != MISSING) {
                put(oldKeys[i], oldValues[i]);
            }
        }
    }

    /** Capacity of the backing arrays; iterate with {@link #keyAt}/{@link #valueAt} over {@code [0, capacity())}. */
    int capacity() { return keys.length; }

    long keyAt(int index) { return keys[index]; }

    /** {@link #MISSING} for an empty position. */
    int valueAt(int index) { return values[index]; }

    /** The first key and value words, read only to bring the arrays into the cache before a snapshot walks them. */
    long firstWord() {
        return keys[0] + values[0];
    }

    /**
     * Copies the entries into {@code keysOut[0, size())} and {@code valuesOut[0, size())}, sorted by key, and returns
     * {@link #size()}. Both arrays must hold at least {@link #size()} elements. For snapshots, without allocation: a
     * key's few panes or windows are put in order by insertion sort as they are copied; many are sorted by key and
     * their values looked up.
     */
    int sortedEntries(long[] keysOut, int[] valuesOut) {
        if (size > INSERTION_SORT_MAX) {
            int n = 0;
            for (int i = 0; i < keys.length; i++) {
                if (values[i] != MISSING) {
                    keysOut[n++] = keys[i];
                }
            }
            Arrays.sort(keysOut, 0, n);
            for (int i = 0; i < n; i++) {
                valuesOut[i] = get(keysOut[i]);
            }
            return n;
        }
        int n = 0;
        for (int i = 0; i < keys.length; i++) {
            int v = values[i];
            if (v != MISSING) {
                long k = keys[i];
                int j = n++;
                while (j > 0 && keysOut[j - 1] > k) {
                    keysOut[j] = keysOut[j - 1];
                    valuesOut[j] = valuesOut[j - 1];
                    j--;
                }
                keysOut[j] = k;
                valuesOut[j] = v;
            }
        }
        return n;
    }
}
