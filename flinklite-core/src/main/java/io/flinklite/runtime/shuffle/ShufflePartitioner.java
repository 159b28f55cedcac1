package io.flinklite.runtime.shuffle;

/**
 * The repartition partition of a keyed shuffle record: Kafka's default partitioner for keyed records, {@code
 * toPositive(murmur2(keyBytes)) % partitions}, so a record's partition is the one Kafka's own tools and producers
 * compute for the same key bytes (the window key in UTF-8). The one place that decides it.
 */
public final class ShufflePartitioner {
    private ShufflePartitioner() {
    }

    /** The partition of {@code key[0, length)} among {@code partitions} (at least 1). */
    public static int partition(byte[] key, int length, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a repartition stream needs at least one partition, got " + partitions);
        }
        return (murmur2(key, length) & 0x7fffffff) % partitions;
    }

    /** Kafka's {@code Utils.murmur2}: 32-bit MurmurHash2 with seed {@code 0x9747b28c}. */
    static int murmur2(byte[] data, int length) {
        final int m = 0x5bd1e995;
        final int r = 24;
        int h = 0x9747b28c ^ length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
                    + ((data[i4 + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = length4 * 4;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
