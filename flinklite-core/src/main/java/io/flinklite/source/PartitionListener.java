package io.flinklite.source;


/**
 * Told by a {@link SourceReader}, during {@link SourceReader#poll} on the task thread, when the set of input partitions
 * changes (a Kafka rebalance, the start of a file). Each partition has its own watermark, so the task must know.
 *
 * <p>A reader of several sources calls the indexed methods ({@link #partitionAssigned(int, int)}); their defaults
 * hand source 0 to the unindexed ones, which are all a listener of one source implements, and refuse any other
 * source. A listener of several sources overrides the indexed methods.
 */
public interface PartitionListener {

    /**
     * {@code partition} now delivers records; called before any of its records is put in a batch. Its watermark
     * starts where a restored checkpoint left it, else at "nothing seen".
     */
    void partitionAssigned(int partition);

    /**
     * {@code partition} delivers no more records to this task (it moved to another instance, or a bounded input
     * ended). Called after its last records were returned. A partition below the source's
     * {@link SourceReader#partitionCount} keeps holding the watermark back while records wait in it; any other stops.
     */
    void partitionRevoked(int partition);

    /**
     * {@link #partitionAssigned(int)} of a partition of source {@code source}.
     *
     * @throws IllegalStateException when this listener takes one source and {@code source} is another
     */
    default void partitionAssigned(int source, int partition) {
        requireSourceZero(source);
        partitionAssigned(partition);
    }

    /**
     * {@link #partitionRevoked(int)} of a partition of source {@code source}.
     *
     * @throws IllegalStateException when this listener takes one source and {@code source} is another
     */
    default void partitionRevoked(int source, int partition) {
        requireSourceZero(source);
        partitionRevoked(partition);
    }

    /**
     * As {@link #partitionRevoked(int, int)}, for a partition taken away without a hand-over (Kafka's session of this
     * member expired: another member may own it and have resumed it already). A listener that saves a partition's
     * state when it is revoked must not save it here, or it could overwrite the new owner's. By default the same as
     * a revocation.
     */
    default void partitionLost(int source, int partition) {
        partitionRevoked(source, partition);
    }

    private void requireSourceZero(int source) {
        if (source != 0) {
            throw new IllegalStateException("a listener of one source was told of a partition of source " + source
                    + "; a task reading several sources must listen to each");
        }
    }
}
