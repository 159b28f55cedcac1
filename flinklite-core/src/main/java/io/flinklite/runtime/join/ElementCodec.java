package io.flinklite.runtime.join;

import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

/**
 * How a join operator keeps one input's elements in its state: what it copies out of an arriving element (which the
 * runtime may reuse once the call returns, see {@link io.flinklite.runtime.operator.Output}), how big that copy is,
 * and how it goes into and comes back from a snapshot. The built-in job keeps each event's JSON object as read
 * ({@link JsonPayloadCodec}); a user job would keep its own objects with a serializer.
 *
 * <p>Called on the task thread only. Implementations are stateless or confined to one operator.
 *
 * @param <IN> the elements as they arrive
 * @param <S>  the elements as they are stored; treated as immutable once returned by {@link #retain}
 */
public interface ElementCodec<IN, S> {

    /** The copy to keep of {@code element}; called once per buffered element. */
    S retain(IN element);

    /** Heap bytes {@code stored} takes, object header and alignment included (for the state-size metric). */
    long heapBytes(S stored);

    /** Writes {@code stored} as fields of the current object. */
    void write(S stored, StateWriter out);

    /** Reads what {@link #write} wrote from the current object. */
    S read(StateReader in);
}
