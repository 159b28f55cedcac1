package io.flinklite.app.web;

import io.flinklite.api.WindowResult;

/**
 * Writes the REST API's JSON answers: a small appender over a {@link StringBuilder} that places the commas. Strings
 * are escaped by {@link WindowResult#appendJsonString}, the one JSON string escaper of the engine's output.
 *
 * <p>Used on the HTTP server's threads, once per request; one instance per answer.
 */
final class Json {

    private final StringBuilder out = new StringBuilder(1024);
    /** Whether the innermost open object or array already holds an element (the next one needs a comma). */
    private long nonEmpty;
    private int depth;

    Json beginObject() { return open('{'); }
    Json endObject() { return close('}'); }
    Json beginArray() { return open('['); }
    Json endArray() { return close(']'); }

    Json beginObject(String name) { return name(name).open('{'); }
    Json beginArray(String name) { return name(name).open('['); }

    Json field(String name, String value) { name(name); return rawValue(value); }
    Json field(String name, long value) { name(name); out.append(value); return this; }
    Json field(String name, boolean value) { name(name); out.append(value); return this; }

    /** A number, or {@code null} when it is not finite (JSON has neither NaN nor infinity). */
    Json field(String name, double value) {
        name(name);
        if (Double.isFinite(value)) {
            out.append(value);
        } else {
            out.append("null");
        }
        return this;
    }

    /** {@code value}, or {@code null} when it equals {@code absent} (e.g. a watermark before the first record). */
    Json fieldOrNull(String name, long value, long absent) {
        name(name);
        if (value == absent) {
            out.append("null");
        } else {
            out.append(value);
        }
        return this;
    }

    /** An array element. */
    Json value(String value) { comma(); return rawValue(value); }
    Json value(long value) { comma(); out.append(value); return this; }

    private Json rawValue(String value) {
        if (value == null) {
            out.append("null");
        } else {
            WindowResult.appendJsonString(out, value);
        }
        return this;
    }

    private Json name(String name) {
        comma();
        WindowResult.appendJsonString(out, name);
        out.append(':');
        return this;
    }

    private void comma() {
        long bit = 1L << depth;
        if ((nonEmpty & bit) != 0) {
            out.append(',');
        }
        nonEmpty |= bit;
    }

    private Json open(char c) {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
            comma();
        }
        out.append(c);
        depth++;
        nonEmpty &= ~(1L << depth);
        return this;
    }

    private Json close(char c) {
        depth--;
        out.append(c);
        return this;
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
