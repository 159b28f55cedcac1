package io.flinklite.runtime.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Snapshot state held in memory: write it through {@link #writer()}, read it back (any number of times) through
 * {@link #reader()}. Used by the operator test harness and by tests; {@link #toJson()} shows the same tree a JSON
 * checkpoint holds. Not thread-safe; a snapshot is immutable once written.
 */
public final class MemoryState {

    private enum Kind { BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, LONG, DOUBLE, STRING, BOOLEAN }

    private static final class Token {
        final Kind kind;
        final String name;
        final long longValue;
        final double doubleValue;
        final String stringValue;

        Token(Kind kind, String name, long longValue, double doubleValue, String stringValue) {
            this.kind = kind;
            this.name = name;
            this.longValue = longValue;
            this.doubleValue = doubleValue;
            this.stringValue = stringValue;
        }
    }

    private final List<Token> tokens = new ArrayList<>();

    /** A writer appending to this state. */
    public StateWriter writer() {
        return new Writer();
    }

    /** A reader from the first token. */
    public StateReader reader() {
        return new Reader(Collections.unmodifiableList(tokens));
    }

    /** The state as indented JSON, the same tree a checkpoint file holds. */
    public String toJson() {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        boolean first = true;
        for (Token t : tokens) {
            if (t.kind == Kind.END_OBJECT || t.kind == Kind.END_ARRAY) {
                depth--;
                out.append('\n').append("  ".repeat(Math.max(0, depth))).append(t.kind == Kind.END_OBJECT ? '}' : ']');
                first = false;
                continue;
            }
            if (!first) {
                out.append(',');
            }
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append("  ".repeat(depth));
            if (t.name != null) {
                out.append('"').append(t.name).append("\": ");
            }
            switch (t.kind) {
                case BEGIN_OBJECT: out.append('{'); depth++; first = true; continue;
                case BEGIN_ARRAY: out.append('['); depth++; first = true; continue;
                case LONG: out.append(t.longValue); break;
                case DOUBLE: out.append(Double.isFinite(t.doubleValue) ? Double.toString(t.doubleValue) : "\"" + t.doubleValue + "\""); break;
                case STRING: out.append('"').append(t.stringValue.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'); break;
                case BOOLEAN: out.append(t.longValue != 0); break;
                default: break;
            }
            first = false;
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toJson();
    }

    private final class Writer implements StateWriter {
        private void add(Kind kind, String name, long l, double d, String s) {
            tokens.add(new Token(kind, name, l, d, s));
        }

        @Override public void beginObject(String name) { add(Kind.BEGIN_OBJECT, name, 0, 0, null); }
        @Override public void endObject() { add(Kind.END_OBJECT, null, 0, 0, null); }
        @Override public void beginArray(String name) { add(Kind.BEGIN_ARRAY, name, 0, 0, null); }
        @Override public void endArray() { add(Kind.END_ARRAY, null, 0, 0, null); }
        @Override public void writeLong(String name, long value) { add(Kind.LONG, name, value, 0, null); }
        @Override public void writeDouble(String name, double value) { add(Kind.DOUBLE, name, 0, value, null); }
        @Override public void writeString(String name, String value) {
            add(Kind.STRING, name, 0, 0, Objects.requireNonNull(value, name));
        }
        @Override public void writeBoolean(String name, boolean value) { add(Kind.BOOLEAN, name, value ? 1 : 0, 0, null); }
    }

    private static final class Reader implements StateReader {
        private final List<Token> tokens;
        private int next;

        Reader(List<Token> tokens) {
            this.tokens = tokens;
        }

        private Token take(Kind kind, String name) {
            if (next >= tokens.size()) {
                throw new StateFormatException("state ends where " + describe(kind, name) + " was expected");
            }
            Token t = tokens.get(next);
            if (t.kind != kind || !Objects.equals(t.name, name)) {
                throw new StateFormatException("expected " + describe(kind, name) + " but found " + describe(t.kind, t.name)
                        + " at token " + next);
            }
            next++;
            return t;
        }

        private static String describe(Kind kind, String name) {
            return kind.name().toLowerCase(java.util.Locale.ROOT) + (name == null ? "" : " '" + name + "'");
        }

        @Override public void beginObject(String name) { take(Kind.BEGIN_OBJECT, name); }
        @Override public void endObject() { take(Kind.END_OBJECT, null); }
        @Override public void beginArray(String name) { take(Kind.BEGIN_ARRAY, name); }
        @Override public boolean hasNext() {
            return next < tokens.size() && tokens.get(next).kind != Kind.END_ARRAY;
        }
        @Override public void endArray() { take(Kind.END_ARRAY, null); }
        @Override public long readLong(String name) { return take(Kind.LONG, name).longValue; }
        @Override public double readDouble(String name) { return take(Kind.DOUBLE, name).doubleValue; }
        @Override public String readString(String name) { return take(Kind.STRING, name).stringValue; }
        @Override public boolean readBoolean(String name) { return take(Kind.BOOLEAN, name).longValue != 0; }
    }
}
