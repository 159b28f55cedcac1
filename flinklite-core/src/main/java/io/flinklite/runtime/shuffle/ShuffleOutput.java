package io.flinklite.runtime.shuffle;

/**
 * Where a source task's shuffle records go: the repartition topic's producer, or in-memory partitions in a replay.
 * Called on the task thread; the arrays are reused after the call returns, so an implementation copies what it keeps.
 * Durability is the owner's business (the producer is flushed before the source task's snapshot and offsets commit).
 */
public interface ShuffleOutput {
    /** The number of repartition partitions (constant for the output's life). */
    int partitions();

    /**
     * One record for {@code partition}: key {@code key[0, keyLength)} ({@code null} for a marker), value
     * {@code value[0, valueLength)} (see {@link ShuffleRecords}).
     */
    void send(int partition, byte[] key, int keyLength, byte[] value, int valueLength) throws Exception;
}
