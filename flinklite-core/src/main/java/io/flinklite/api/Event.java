package io.flinklite.api;

/**
 * One decoded input record: the fields of the JSON event that a job reads, plus a reference to the raw payload.
 *
 * <p><b>Reused.</b> The engine decodes every record into the same instance and hands it to user functions on the task
 * thread; the fields are valid only during that call. A function that needs the event later must copy what it needs
 * (for the payload, {@link #copyPayload()}). Keys are interned by the decoder: the same key text gives the same
 * {@code String} instance, so holding on to {@link #key()} is cheap and safe.
 *
 * <p>Late records and dead letters are forwarded as the original payload bytes, unchanged.
 *
 * <p>User code builds events with {@link #of}; the engine fills its own subclass (the decoder's reused event) with
 * the protected setters, which are not part of the API. Every accessor is final, so that calls stay monomorphic.
 */
public class Event {
    private long id;
    private boolean hasId;
    // A decoded id not converted yet: its digits are payload[idFrom, idTo). Most jobs never read the id, so the
    // decoder only validates it and the first id()/hasId() call converts it. -1 when there is nothing to convert.
    private int idFrom = -1;
    private int idTo;
    private long timestamp;
    private String key;
    private double value = Double.NaN;
    private boolean hasValue;
    private byte[] payload;
    private int payloadOffset;
    private int payloadLength;

    /** An empty event, for the engine's reusable subclass; user code uses {@link #of}. */
    protected Event() {
    }

    /** A self-contained event (tests, examples): no payload bytes, no value. */
    public static Event of(long id, long timestamp, String key) {
        Event e = new Event();
        e.set(id, true, timestamp, key, Double.NaN, false, null, 0, 0);
        return e;
    }

    /** A self-contained event carrying a numeric value (tests, examples). */
    public static Event of(long id, long timestamp, String key, double value) {
        Event e = new Event();
        e.set(id, true, timestamp, key, value, true, null, 0, 0);
        return e;
    }

    /**
     * Overwrites every field: for the engine's subclass, once per decoded record.
     *
     * @param payload the raw record, or {@code null}; referenced, not copied
     */
    protected final void set(long id, boolean hasId, long timestamp, String key, double value, boolean hasValue,
                    byte[] payload, int payloadOffset, int payloadLength) {
        this.id = id;
        this.hasId = hasId;
        this.idFrom = -1;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.hasValue = hasValue;
        this.payload = payload;
        this.payloadOffset = payloadOffset;
        this.payloadLength = payloadLength;
    }

    /**
     * Like {@link #set}, for the decoder: the id is given as the bytes {@code payload[idFrom, idTo)} of an integral
     * JSON number (optional {@code -}, then digits, already validated), converted only when {@link #id()} or
     * {@link #hasId()} is called; {@code idFrom < 0} when the record has no integral id.
     */
    protected final void setWithIdBytes(int idFrom, int idTo, long timestamp, String key, double value, boolean hasValue,
                               byte[] payload, int payloadOffset, int payloadLength) {
        set(0, false, timestamp, key, value, hasValue, payload, payloadOffset, payloadLength);
        this.idFrom = idFrom;
        this.idTo = idTo;
    }

    /** The {@code id} field; 0 when {@link #hasId()} is false. */
    public final long id() {
        if (idFrom >= 0) {
            convertId();
        }
        return id;
    }

    /** True when the record has an {@code id} that is an integer within a long. */
    public final boolean hasId() {
        if (idFrom >= 0) {
            convertId();
        }
        return hasId;
    }

    private void convertId() {
        int i = idFrom;
        boolean negative = payload[i] == '-';
        if (negative) {
            i++;
        }
        long acc = 0; // accumulated negatively, so that Long.MIN_VALUE fits
        boolean fits = true;
        for (; i < idTo; i++) {
            int d = payload[i] - '0';
            if (acc < (Long.MIN_VALUE + d) / 10) {
                fits = false;
                break;
            }
            acc = acc * 10 - d;
        }
        if (fits && !negative) {
            fits = acc != Long.MIN_VALUE;
            acc = -acc;
        }
        this.id = fits ? acc : 0;
        this.hasId = fits;
        this.idFrom = -1;
    }

    /** Event time, epoch ms: the {@code timestamp} field. */
    public final long timestamp() { return timestamp; }

    /** The value of the job's key field (by default {@code message}), interned. */
    public final String key() { return key; }

    /** The job's numeric value field; {@link Double#NaN} when {@link #hasValue()} is false. */
    public final double value() { return value; }

    /** True when the job reads a value field and this event has it as a number. */
    public final boolean hasValue() { return hasValue; }

    /** The array holding the raw payload, or {@code null} when the event was not decoded from bytes. */
    public final byte[] payload() { return payload; }

    public final int payloadOffset() { return payloadOffset; }

    public final int payloadLength() { return payloadLength; }

    /** A copy of the raw payload (an empty array when there is none): the one way to keep it past the call. */
    public final byte[] copyPayload() {
        byte[] copy = new byte[payloadLength];
        if (payload != null) {
            System.arraycopy(payload, payloadOffset, copy, 0, payloadLength);
        }
        return copy;
    }

    /**
     * A self-contained copy of this event, the payload bytes copied, that stays valid after the call: what to keep of
     * the engine's reused event (a join buffers its input's events this way).
     */
    public final Event copy() {
        Event e = new Event();
        boolean idKnown = hasId();
        byte[] bytes = payload == null ? null : copyPayload();
        e.set(id(), idKnown, timestamp, key, value, hasValue, bytes, 0, bytes == null ? 0 : bytes.length);
        return e;
    }

    /** An event as {@link EventSerializer} reads it back. */
    static Event restored(long id, boolean hasId, long timestamp, String key, double value, boolean hasValue,
                          byte[] payload) {
        Event e = new Event();
        e.set(id, hasId, timestamp, key, value, hasValue, payload, 0, payload == null ? 0 : payload.length);
        return e;
    }

    @Override
    public final String toString() {
        return "Event{id=" + id() + ", timestamp=" + timestamp + ", key=" + key
                + (hasValue ? ", value=" + value : "") + "}";
    }
}
