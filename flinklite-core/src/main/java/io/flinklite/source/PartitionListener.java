package io.flinklite.source;


/**
 * Told by a {@link SourceReader}, during {@link SourceReader#poll} on the task thread, when the set of input partitions
 * changes (a Kafka rebalance, the start of a file). Each partition has its own watermark, so the task must know.
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
}
