package io.flinklite.runtime.json;

import io.flinklite.api.Event;

/**
 * The engine's reusable {@link Event}: one instance per source, refilled by {@link EventDecoder} for every record
 * (the setters of {@code Event} are not public, so user code cannot change an event it is handed). Task thread only.
 */
public final class DecodedEvent extends Event {

    /** An empty event, to be filled by the decoder. */
    public DecodedEvent() {
    }

    /** Overwrites every field (see {@link Event#of} for their meaning); {@code payload} is referenced, not copied. */
    public void fill(long id, boolean hasId, long timestamp, String key, double value, boolean hasValue,
                     byte[] payload, int payloadOffset, int payloadLength) {
        set(id, hasId, timestamp, key, value, hasValue, payload, payloadOffset, payloadLength);
    }

    /** Like {@link #fill}, with the id given as the validated digits {@code payload[idFrom, idTo)}, converted lazily. */
    void fillWithIdBytes(int idFrom, int idTo, long timestamp, String key, double value, boolean hasValue,
                         byte[] payload, int payloadOffset, int payloadLength) {
        setWithIdBytes(idFrom, idTo, timestamp, key, value, hasValue, payload, payloadOffset, payloadLength);
    }
}
