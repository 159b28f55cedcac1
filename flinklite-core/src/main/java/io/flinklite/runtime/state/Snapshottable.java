package io.flinklite.runtime.state;

/**
 * A component whose whole state can be written out and restored: the window operator (by key group), the watermark
 * tracker, the task that owns both. Both methods run on the task thread, between batches.
 */
public interface Snapshottable {

    /**
     * Writes the complete state as fields of the current object, which the caller has opened and will close:
     * {@code out.beginObject(null); component.snapshotState(out); out.endObject();}.
     */
    void snapshotState(StateWriter out);

    /**
     * Replaces the state with what {@link #snapshotState} wrote, reading the fields of the current object (the caller
     * opens and closes it). Called on a fresh component, before it processes anything.
     *
     * @throws StateFormatException when {@code in} does not hold this component's state
     */
    void restoreState(StateReader in);
}
