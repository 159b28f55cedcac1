package io.flinklite.runtime.state;

/**
 * Assigns keys to a fixed number of key groups, as Flink's {@code KeyGroupRangeAssignment} with its default maximum
 * parallelism of 128: {@code murmur(key.hashCode()) % 128}. Keyed state is snapshotted group by group, so a checkpoint
 * can later be split among instances that own different groups without rehashing any key.
 */
public final class KeyGroups {

    /** The number of key groups; fixed, because it is part of every checkpoint. */
    public static final int COUNT = 128;

    private KeyGroups() {
    }

    /** The key group of {@code key}, in {@code [0, COUNT)}. */
    public static int of(String key) {
        return murmur(key.hashCode()) % COUNT;
    }

    /** The murmur3 finalisation of one int, made non-negative (Flink's {@code MathUtils.murmurHash}). */
    static int murmur(int code) {
        int h = code * 0xcc9e2d51;
        h = Integer.rotateLeft(h, 15);
        h *= 0x1b873593;
        h = Integer.rotateLeft(h, 13);
        h = h * 5 + 0xe6546b64;
        h ^= 4;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        if (h >= 0) {
            return h;
        }
        return h != Integer.MIN_VALUE ? -h : 0;
    }
}
