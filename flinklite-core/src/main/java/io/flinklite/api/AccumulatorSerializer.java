package io.flinklite.api;

/**
 * The {@link StateSerializer} of a window aggregate's accumulator ({@link WindowedStream#aggregate}): the same
 * contract under the name the aggregate API has always used, so that existing jobs keep compiling.
 *
 * @param <ACC> the accumulator type
 */
public interface AccumulatorSerializer<ACC> extends StateSerializer<ACC> {
}
