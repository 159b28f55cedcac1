package io.flinklite.runtime.window;

import io.flinklite.runtime.state.KeyGroups;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The live keys of a {@link WindowOperator}, kept per key group in key order for snapshots.
 *
 * <p>Why it exists: a snapshot writes key groups in order and each group's keys sorted, and rebuilding those lists
 * (grouping every key, then sorting each group) on every checkpoint was half of the checkpoint pause at 100 k open
 * panes. Here a key is appended to its group when it appears and swap-removed when its state is gone, both O(1);
 * a group that changed is marked unsorted and re-sorted at the next snapshot (TimSort is linear on the mostly-sorted
 * lists this leaves). Groups untouched since the previous snapshot cost nothing.
 *
 * <p>Task thread only; owned by one operator.
 */
final class KeyGroupLists {
    private static final Comparator<WindowOperator.KeyState> BY_KEY = (a, b) -> a.key.compareTo(b.key);
    private static final WindowOperator.KeyState[] NONE = new WindowOperator.KeyState[0];

    private final WindowOperator.KeyState[][] groups = new WindowOperator.KeyState[KeyGroups.COUNT][];
    private final int[] sizes = new int[KeyGroups.COUNT];
    private final boolean[] unsorted = new boolean[KeyGroups.COUNT];

    KeyGroupLists() {
        Arrays.fill(groups, NONE);
    }

    /** Adds a key that is not in the lists; called when its state is created. */
    void add(WindowOperator.KeyState ks) {
        int g = ks.keyGroup;
        WindowOperator.KeyState[] list = groups[g];
        int n = sizes[g];
        if (n == list.length) {
            list = Arrays.copyOf(list, Math.max(4, n * 2));
            groups[g] = list;
        }
        list[n] = ks;
        ks.groupIndex = n;
        sizes[g] = n + 1;
        unsorted[g] = true;
    }

    /** Removes a key added before; called when its state is dropped. */
    void remove(WindowOperator.KeyState ks) {
        int g = ks.keyGroup;
        WindowOperator.KeyState[] list = groups[g];
        int i = ks.groupIndex;
        int last = sizes[g] - 1;
        if (i < 0 || i > last || list[i] != ks) {
            throw new IllegalStateException("key '" + ks.key + "' is not in key group " + g + " at " + i);
        }
        if (i != last) {
            list[i] = list[last];
            list[i].groupIndex = i;
            unsorted[g] = true;
        }
        list[last] = null;
        sizes[g] = last;
        ks.groupIndex = -1;
    }

    /** Number of keys in group {@code g}. */
    int size(int g) {
        return sizes[g];
    }

    /**
     * The keys of group {@code g}, sorted by key, in elements {@code [0, size(g))}. The array is the live list: it is
     * valid until the next {@link #add} or {@link #remove}, and must not be changed.
     */
    WindowOperator.KeyState[] sorted(int g) {
        WindowOperator.KeyState[] list = groups[g];
        if (unsorted[g]) {
            int n = sizes[g];
            Arrays.sort(list, 0, n, BY_KEY);
            for (int i = 0; i < n; i++) {
                list[i].groupIndex = i;
            }
            unsorted[g] = false;
        }
        return list;
    }
}
