package io.flinklite.api;

import java.util.Base64;

/**
 * {@link StateSerializer#events()}: an event as {@code timestamp,id,value,payload,key}, each {@code -} when missing,
 * the payload in base64 (its bytes may be any), the key last behind {@code =} so that it may hold commas.
 */
final class EventSerializer implements StateSerializer<Event> {
    static final EventSerializer INSTANCE = new EventSerializer();

    private EventSerializer() {
    }

    @Override
    public String toText(Event e) {
        StringBuilder out = new StringBuilder(64 + e.payloadLength() * 4 / 3);
        out.append(e.timestamp()).append(',');
        if (e.hasId()) {
            out.append(e.id());
        } else {
            out.append('-');
        }
        out.append(',');
        if (e.hasValue()) {
            out.append(e.value());
        } else {
            out.append('-');
        }
        out.append(',');
        if (e.payload() == null) {
            out.append('-');
        } else {
            out.append(Base64.getEncoder().encodeToString(e.copyPayload()));
        }
        out.append(',');
        if (e.key() == null) {
            out.append('-');
        } else {
            out.append('=').append(e.key());
        }
        return out.toString();
    }

    @Override
    public Event fromText(String text) {
        String[] f = text.split(",", 5);
        if (f.length != 5 || f[4].isEmpty() || (f[4].charAt(0) != '=' && !f[4].equals("-"))) {
            throw new IllegalArgumentException("not an event as StateSerializer.events() writes it: '" + text + "'");
        }
        long timestamp = Long.parseLong(f[0]);
        boolean hasId = !f[1].equals("-");
        boolean hasValue = !f[2].equals("-");
        byte[] payload = f[3].equals("-") ? null : Base64.getDecoder().decode(f[3]);
        String key = f[4].equals("-") ? null : f[4].substring(1).intern();
        return Event.restored(hasId ? Long.parseLong(f[1]) : 0, hasId, timestamp, key,
                hasValue ? Double.parseDouble(f[2]) : Double.NaN, hasValue, payload);
    }
}
