package io.flinklite.runtime.checkpoint;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A compact, immutable recording of structured operator state: a stream of JSON-shaped tokens (objects, arrays,
 * field names, longs, doubles, strings, booleans, nulls) kept in one byte array plus one array of string references.
 *
 * <p>Why it exists: a checkpoint must not stall the task thread. Encoding 100 k open panes as JSON text takes tens
 * of milliseconds, so the task thread only <em>records</em> its state into a tape (primitive writes into a growing
 * array, no per-value objects), and the checkpoint writer thread turns the tape into JSON, checksums it and fsyncs
 * it. Restore goes the other way: the JSON codec parses the file into a tape and the operator reads its state back
 * through {@link Reader}. The tape's shape is the JSON shape, so the file stays readable by people and tools.
 *
 * <p>A tape is immutable once {@link Writer#finish()} returns it and may be read by any number of threads, each with
 * its own {@link Reader}. A {@link Writer} is used by one thread.
 */
public final class StateTape {

    /** Token types returned by {@link Reader#next()}. */
    public static final int START_OBJECT = 1;
    public static final int END_OBJECT = 2;
    public static final int START_ARRAY = 3;
    public static final int END_ARRAY = 4;
    public static final int FIELD_NAME = 5;
    public static final int LONG = 6;
    public static final int DOUBLE = 7;
    public static final int STRING = 8;
    public static final int TRUE = 9;
    public static final int FALSE = 10;
    public static final int NULL = 11;
    /** Returned by {@link Reader#next()} after the last token. */
    public static final int END = 0;

    // One bounds-checked 8- or 4-byte access instead of a loop of single bytes: most of a snapshot is numbers.
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private static final int NAME_CACHE = 64;
    /** Bytes of one {@link Writer#longPairArray} element: '{', two (name, long) pairs of 14 bytes, '}'. */
    private static final int PAIR_OBJECT_BYTES = 30;

    private static final StateTape EMPTY = new Writer().startObject().endObject().finish();

    private final byte[] data;
    private final int length;
    private final String[] strings;
    private final int stringCount;
    private final int tokenCount;

    private StateTape(byte[] data, int length, String[] strings, int stringCount, int tokenCount) {
        this.data = data;
        this.length = length;
        this.strings = strings;
        this.stringCount = stringCount;
        this.tokenCount = tokenCount;
    }

    /** The tape of an operator without state: an empty object. */
    public static StateTape empty() {
        return EMPTY;
    }

    /** Number of tokens recorded. */
    public int tokenCount() {
        return tokenCount;
    }

    /** Number of field names and string values recorded. */
    public int stringCount() {
        return stringCount;
    }

    /** Bytes of the token array (strings not included); a rough size for logs and metrics. */
    public int byteSize() {
        return length;
    }

    /** A new reader positioned before the first token. */
    public Reader reader() {
        return new Reader(this);
    }

    /** Two tapes are equal when they hold the same tokens with the same values (doubles compared bitwise). */
    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof StateTape)) return false;
        StateTape other = (StateTape) o;
        if (tokenCount != other.tokenCount || length != other.length) {
            return false;
        }
        Reader a = reader();
        Reader b = other.reader();
        for (int t = a.next(); t != END; t = a.next()) {
            if (b.next() != t) {
                return false;
            }
            boolean same;
            switch (t) {
                case LONG:
                case DOUBLE:
                    same = a.bits == b.bits;
                    break;
                case STRING:
                case FIELD_NAME:
                    same = a.string.equals(b.string);
                    break;
                default:
                    same = true;
            }
            if (!same) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return 31 * tokenCount + length;
    }

    /**
     * Records tokens. Calls must form well-nested JSON: inside an object every value is preceded by
     * {@link #field(String)}. The writer checks nesting, not field/value alternation; the JSON codec rejects a
     * malformed tape when it encodes it. Methods return {@code this} for chaining.
     */
    public static final class Writer {
        private byte[] data;
        private int length;
        private String[] strings;
        private int stringCount;
        private int tokenCount;
        private int depth;
        private final String[] cachedNames = new String[NAME_CACHE];
        private final int[] cachedIndexes = new int[NAME_CACHE];

        public Writer() {
            this(256);
        }

        /** @param expectedBytes a size hint (about 10 bytes per numeric token, 5 per string or field name) */
        public Writer(int expectedBytes) {
            this(expectedBytes, 16);
        }

        /**
         * @param expectedBytes   a size hint for the token array
         * @param expectedStrings a size hint for the number of field names and strings (the previous snapshot's
         *                        {@link StateTape#stringCount()} is a good one: growing a large array costs copies)
         */
        public Writer(int expectedBytes, int expectedStrings) {
            data = new byte[Math.max(16, expectedBytes)];
            strings = new String[Math.max(16, expectedStrings)];
        }

        public Writer startObject() {
            depth++;
            return tag(START_OBJECT);
        }

        public Writer endObject() {
            closeLevel("endObject");
            return tag(END_OBJECT);
        }

        public Writer startArray() {
            depth++;
            return tag(START_ARRAY);
        }

        public Writer endArray() {
            closeLevel("endArray");
            return tag(END_ARRAY);
        }

        public Writer field(String name) {
            if (name == null) {
                throw new IllegalArgumentException("field names must not be null");
            }
            ensure(5);
            data[length] = FIELD_NAME;
            INTS.set(data, length + 1, nameIndex(name));
            length += 5;
            tokenCount++;
            return this;
        }

        public Writer value(long v) {
            tag(LONG);
            return putLong(v);
        }

        public Writer value(double v) {
            tag(DOUBLE);
            return putLong(Double.doubleToRawLongBits(v));
        }

        /** @param v a string, or {@code null} for a JSON null */
        public Writer value(String v) {
            if (v == null) {
                return tag(NULL);
            }
            tag(STRING);
            return stringRef(v);
        }

        public Writer value(boolean v) {
            return tag(v ? TRUE : FALSE);
        }

        public Writer nullValue() {
            return tag(NULL);
        }

        /** Shorthand for {@code field(name).value(v)}, in one step: the most frequent pair in operator state. */
        public Writer field(String name, long v) {
            if (name == null) {
                throw new IllegalArgumentException("field names must not be null");
            }
            ensure(14);
            int index = nameIndex(name);
            byte[] d = data;
            int at = length;
            d[at] = FIELD_NAME;
            INTS.set(d, at + 1, index);
            d[at + 5] = LONG;
            LONGS.set(d, at + 6, v);
            length = at + 14;
            tokenCount += 2;
            return this;
        }

        /**
         * Records an array of {@code count} objects {@code {first: firstValues[i], second: secondValues[i]}}: the same
         * tokens as {@code startArray()}, then per element {@code startObject()}, {@code field(first, ..)},
         * {@code field(second, ..)}, {@code endObject()}, then {@code endArray()}, in one step (one bounds check, the
         * two names looked up once). Snapshots record many such panes and windows.
         */
        public Writer longPairArray(String first, long[] firstValues, String second, long[] secondValues, int count) {
            if (first == null || second == null) {
                throw new IllegalArgumentException("field names must not be null");
            }
            int firstIndex = nameIndex(first);
            int secondIndex = nameIndex(second);
            ensure(2 + PAIR_OBJECT_BYTES * count);
            byte[] d = data;
            int at = length;
            d[at++] = START_ARRAY;
            for (int i = 0; i < count; i++) {
                d[at] = START_OBJECT;
                d[at + 1] = FIELD_NAME;
                INTS.set(d, at + 2, firstIndex);
                d[at + 6] = LONG;
                LONGS.set(d, at + 7, firstValues[i]);
                d[at + 15] = FIELD_NAME;
                INTS.set(d, at + 16, secondIndex);
                d[at + 20] = LONG;
                LONGS.set(d, at + 21, secondValues[i]);
                d[at + 29] = END_OBJECT;
                at += PAIR_OBJECT_BYTES;
            }
            d[at++] = END_ARRAY;
            length = at;
            tokenCount += 2 + 6 * count;
            return this;
        }

        /** Shorthand for {@code field(name).value(v)}. */
        public Writer field(String name, double v) {
            return field(name).value(v);
        }

        /** Shorthand for {@code field(name).value(v)}. */
        public Writer field(String name, String v) {
            return field(name).value(v);
        }

        /** Shorthand for {@code field(name).value(v)}. */
        public Writer field(String name, boolean v) {
            return field(name).value(v);
        }

        /**
         * Ends recording. The writer must not be used afterwards.
         *
         * @throws IllegalStateException when objects or arrays are still open
         */
        public StateTape finish() {
            if (depth != 0) {
                throw new IllegalStateException("state tape finished with " + depth + " unclosed object(s)/array(s)");
            }
            // The array is shared, not copied: the writer is dead after finish(), so nobody else can change it.
            StateTape tape = new StateTape(data, length, strings, stringCount, tokenCount);
            data = null;
            strings = null;
            return tape;
        }

        private void closeLevel(String what) {
            if (depth == 0) {
                throw new IllegalStateException(what + " without a matching start");
            }
            depth--;
        }

        private Writer tag(int token) {
            ensure(1);
            data[length++] = (byte) token;
            tokenCount++;
            return this;
        }

        private Writer putLong(long v) {
            ensure(8);
            LONGS.set(data, length, v);
            length += 8;
            return this;
        }

        private Writer stringRef(String s) {
            ensure(4);
            INTS.set(data, length, addString(s));
            length += 4;
            return this;
        }

        private int addString(String s) {
            if (stringCount == strings.length) {
                strings = Arrays.copyOf(strings, strings.length * 2);
            }
            strings[stringCount] = s;
            return stringCount++;
        }

        /**
         * The index of a field name, stored once per distinct name object: operators write the same few literal names
         * for every pane, and referring to one copy saves a reference per field. Identity, not equality, is checked,
         * so a collision in the small cache only costs a second copy of a name.
         */
        private int nameIndex(String name) {
            int slot = System.identityHashCode(name) & (NAME_CACHE - 1);
            if (cachedNames[slot] == name) {
                return cachedIndexes[slot];
            }
            int index = addString(name);
            cachedNames[slot] = name;
            cachedIndexes[slot] = index;
            return index;
        }

        private void ensure(int more) {
            if (length + more > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, length + more));
            }
        }
    }

    /**
     * Reads a tape token by token. {@link #next()} advances; the value accessors read the current token.
     * Helpers ({@link #expect}, {@link #readField}, {@link #skipValue}) make restore code short and give errors that
     * say what was expected.
     */
    public static final class Reader {
        private final StateTape tape;
        private int position;
        private int token = END;
        private long bits;
        private String string;

        private Reader(StateTape tape) {
            this.tape = tape;
        }

        /** Advances to the next token and returns its type; {@link #END} after the last. */
        public int next() {
            if (position >= tape.length) {
                token = END;
                return END;
            }
            token = tape.data[position++];
            switch (token) {
                case LONG:
                case DOUBLE:
                    bits = (long) LONGS.get(tape.data, position);
                    position += 8;
                    break;
                case STRING:
                case FIELD_NAME:
                    string = tape.strings[(int) INTS.get(tape.data, position)];
                    position += 4;
                    break;
                default:
                    break;
            }
            return token;
        }

        /** The type of the token {@link #next()} would return, without advancing. */
        public int peek() {
            return position >= tape.length ? END : tape.data[position];
        }

        /** The current token's type. */
        public int token() {
            return token;
        }

        /** The current field name or string value. */
        public String text() {
            if (token != STRING && token != FIELD_NAME) {
                throw new IllegalStateException("expected a string, found " + name(token));
            }
            return string;
        }

        /** The current number as a long; a double token must be integral. */
        public long longValue() {
            if (token == LONG) {
                return bits;
            }
            if (token == DOUBLE) {
                double d = Double.longBitsToDouble(bits);
                if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
                    return (long) d;
                }
                throw new IllegalStateException("expected an integer, found " + d);
            }
            throw new IllegalStateException("expected an integer, found " + name(token));
        }

        /**
         * The current number as a double. A string token {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"}
         * is accepted too, because JSON has no literal for them and the codec writes them as strings.
         */
        public double doubleValue() {
            if (token == DOUBLE) {
                return Double.longBitsToDouble(bits);
            }
            if (token == LONG) {
                return bits;
            }
            if (token == STRING) {
                switch (string) {
                    case "NaN": return Double.NaN;
                    case "Infinity": return Double.POSITIVE_INFINITY;
                    case "-Infinity": return Double.NEGATIVE_INFINITY;
                    default: break;
                }
            }
            throw new IllegalStateException("expected a number, found " + name(token)
                    + (token == STRING ? " \"" + string + "\"" : ""));
        }

        public boolean booleanValue() {
            if (token == TRUE) return true;
            if (token == FALSE) return false;
            throw new IllegalStateException("expected a boolean, found " + name(token));
        }

        /** Advances and checks the token type. */
        public void expect(int expected) {
            int t = next();
            if (t != expected) {
                throw new IllegalStateException("expected " + name(expected) + ", found " + name(t));
            }
        }

        /** Advances past a field name, checking it is {@code name}, and then onto its value. */
        public void readField(String name) {
            expect(FIELD_NAME);
            if (!string.equals(name)) {
                throw new IllegalStateException("expected field \"" + name + "\", found \"" + string + "\"");
            }
            next();
        }

        /** With the current token the start of a value, advances to that value's last token. */
        public void skipValue() {
            if (token != START_OBJECT && token != START_ARRAY) {
                return;
            }
            int depth = 1;
            while (depth > 0) {
                int t = next();
                if (t == START_OBJECT || t == START_ARRAY) depth++;
                else if (t == END_OBJECT || t == END_ARRAY) depth--;
                else if (t == END) throw new IllegalStateException("state tape ends inside a value");
            }
        }

        /** A readable name of a token type, for error messages. */
        public static String name(int token) {
            switch (token) {
                case START_OBJECT: return "'{'";
                case END_OBJECT: return "'}'";
                case START_ARRAY: return "'['";
                case END_ARRAY: return "']'";
                case FIELD_NAME: return "a field name";
                case LONG: return "an integer";
                case DOUBLE: return "a number";
                case STRING: return "a string";
                case TRUE:
                case FALSE: return "a boolean";
                case NULL: return "null";
                case END: return "the end of the state";
                default: return "token " + token;
            }
        }
    }
}
