/**
 * The source connector contract: how a connector hands the engine raw records, and how the engine hands back what
 * it could not use. A connector implements {@link io.flinklite.source.SourceReader}; the task thread calls it, fills
 * a reused, columnar {@link io.flinklite.source.RecordBatch} through it, learns of partition changes through a
 * {@link io.flinklite.source.PartitionListener}, and passes every record it rejects (counted by
 * {@link io.flinklite.source.InvalidReason}) to a {@link io.flinklite.source.DeadLetterHandler}.
 *
 * <p>Rules every implementation keeps: every method is called on the task thread only (unless its Javadoc says
 * otherwise); records are bytes, never parsed by the reader; nothing on the per-record path allocates; partition
 * events arrive from inside {@code poll}, an assignment before the partition's first record and a revocation after
 * its last.
 *
 * <p>Public and stable like {@code io.flinklite.api}; depends on nothing of the engine ({@code io.flinklite.runtime}),
 * which an ArchUnit test keeps so.
 */
package io.flinklite.source;
