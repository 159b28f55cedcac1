package io.flinklite.runtime.task;

/**
 * Periodic work done between batches on the task thread: checkpoints, metrics publication, idleness checks.
 * Between two batches every record polled so far has been fully processed (its windows updated, its results handed
 * to the sinks), so the task's state and {@link StreamTask#positions()} are consistent with each other: a snapshot
 * taken here needs no barriers or locks.
 */
@FunctionalInterface
public interface BatchHook {

    /**
     * Called after every batch, empty ones included, and once more after the end of a bounded input (after the
     * final watermark fired every window). Keep it cheap when there is nothing to do: check a deadline and return.
     *
     * @param task   the task, to snapshot its state, read its positions, flush its sinks
     * @param nowMs  wall-clock time of this call, epoch ms, from the task's clock
     * @throws Exception to stop the task: {@link StreamTask#run()} rethrows it
     */
    void afterBatch(StreamTask task, long nowMs) throws Exception;
}
