package io.flinklite.runtime.json;

import io.flinklite.api.Event;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics.InvalidReason;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes one JSON event (a UTF-8 object such as {@code {"id":1,"timestamp":1700000000000,"message":"critical"}})
 * straight from bytes into a reused {@link Event}, reading only the fields the job needs: {@code timestamp}, the key
 * field, the value field when the job has one, and {@code id}. Everything else is checked for JSON syntax and
 * skipped without being materialised.
 *
 * <p>Hand-written rather than Jackson-based because it is the hottest code of the engine: on the seed events it
 * decodes several times faster than a Jackson streaming parser (which must allocate a parser per record and
 * tokenize every field), see docs/semantics.md for the measurement. It accepts exactly RFC 8259 JSON objects (it does
 * not validate UTF-8 inside strings), and duplicate fields resolve to the last one, as Jackson's tree model does.
 *
 * <p>Classification of an invalid record, first match wins: {@code oversized} (more than the byte limit, not
 * parsed), {@code not_json} (any syntax error, or not an object), {@code missing_timestamp}, {@code bad_timestamp}
 * (not an integral number within a long), {@code absurd_timestamp} (outside the configured bounds),
 * {@code missing_key} (absent or not a string). A missing or non-numeric value field is not an error here: the
 * event is decoded with {@link Event#hasValue()} false and the task decides (only events that reach a value
 * aggregate need one).
 *
 * <p>Not thread-safe: one decoder per task thread. The per-record path allocates nothing once every key has been
 * seen (keys are interned by their bytes).
 */
public final class EventDecoder {
    private static final String TIMESTAMP_FIELD = JobSpec.TIMESTAMP_FIELD;
    private static final byte[] TIMESTAMP = TIMESTAMP_FIELD.getBytes(StandardCharsets.UTF_8);
    private static final byte[] ID = "id".getBytes(StandardCharsets.UTF_8);

    private static final int F_OTHER = 0;
    private static final int F_TIMESTAMP = 1;
    private static final int F_KEY = 2;
    private static final int F_VALUE = 3;
    private static final int F_ID = 4;

    private static final int ABSENT = 0;
    private static final int PRESENT = 1;
    private static final int ILL_TYPED = 2;

    private static final int MAX_DEPTH = 512;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    private final byte[] keyField;
    private final String keyFieldName;
    private final byte[] valueField;
    private final String valueFieldName;
    private final int maxRecordBytes;
    /**
     * The widest timestamps any job accepts, about 146 million years either side of the epoch. Window starts, ends,
     * lateness and gaps are computed in {@code long}; beyond these bounds they could overflow and put an event into a
     * window that ends before it starts.
     */
    public static final long MIN_WINDOWABLE_MS = -(1L << 62);
    /** See {@link #MIN_WINDOWABLE_MS}. */
    public static final long MAX_WINDOWABLE_MS = 1L << 62;

    private long minTimestamp = MIN_WINDOWABLE_MS;
    private long maxTimestamp = MAX_WINDOWABLE_MS;

    private final KeyInterner interner = new KeyInterner();
    private final Map<String, String> escapedKeys = new HashMap<>();
    private final byte[] containerStack = new byte[MAX_DEPTH];

    // Parse state of the current record.
    private byte[] b;
    private int p;
    private int end;
    private int recordStart;
    private String error;
    private boolean stringHadEscape;
    private boolean numberIntegral;
    private long parsedLong;
    private boolean parsedLongOverflow;

    /**
     * @param keyField       the string field that becomes {@link Event#key()}
     * @param valueField     the numeric field that becomes {@link Event#value()}; {@code null} when none is needed
     * @param maxRecordBytes larger records are {@code oversized}
     */
    public EventDecoder(String keyField, String valueField, int maxRecordBytes) {
        this.keyFieldName = Objects.requireNonNull(keyField, "keyField");
        this.keyField = keyField.getBytes(StandardCharsets.UTF_8);
        this.valueFieldName = valueField;
        this.valueField = valueField == null ? null : valueField.getBytes(StandardCharsets.UTF_8);
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("max record size must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * Timestamps outside {@code [minMs, maxMs]}, or outside {@link #MIN_WINDOWABLE_MS}..{@link #MAX_WINDOWABLE_MS}
     * whatever the bounds, are {@code absurd_timestamp}. The task may move them between batches.
     */
    public void setTimestampBounds(long minMs, long maxMs) {
        this.minTimestamp = Math.max(minMs, MIN_WINDOWABLE_MS);
        this.maxTimestamp = Math.min(maxMs, MAX_WINDOWABLE_MS);
    }

    /**
     * Decodes {@code buf[off, off + len)} into {@code into}.
     *
     * @return {@code null} when the record is a valid event (then {@code into} holds it, referencing {@code buf} as
     *         its payload); otherwise why it is invalid, with {@link #lastError()} explaining it
     */
    public InvalidReason decode(byte[] buf, int off, int len, Event into) {
        if (len > maxRecordBytes) {
            error = len + " bytes, more than the limit of " + maxRecordBytes;
            return InvalidReason.OVERSIZED;
        }
        b = buf;
        p = off;
        recordStart = off;
        end = off + len;
        error = null;
        int timestampState = ABSENT;
        long timestamp = 0;
        int keyState = ABSENT;
        String key = null;
        boolean hasValue = false;
        double value = Double.NaN;
        int idFrom = -1;
        int idTo = -1;

        skipWhitespace();
        if (p >= end || b[p] != '{') {
            return notJson(p >= end ? "empty record" : "expected '{' at the start");
        }
        p++;
        skipWhitespace();
        if (p < end && b[p] == '}') {
            p++;
        } else {
            while (true) {
                if (p >= end || b[p] != '"') {
                    return notJson("expected a field name");
                }
                int field = readFieldName();
                if (field < 0) {
                    return notJson(error);
                }
                skipWhitespace();
                if (p >= end || b[p] != ':') {
                    return notJson("expected ':' after a field name");
                }
                p++;
                skipWhitespace();
                if (p >= end) {
                    return notJson("missing value");
                }
                byte c = b[p];
                boolean isNumber = c == '-' || (c >= '0' && c <= '9');
                switch (field) {
                    case F_TIMESTAMP:
                        if (isNumber) {
                            if (!scanNumber(true)) {
                                return notJson(error);
                            }
                            if (numberIntegral && !parsedLongOverflow) {
                                timestampState = PRESENT;
                                timestamp = parsedLong;
                            } else {
                                timestampState = ILL_TYPED;
                            }
                        } else {
                            timestampState = ILL_TYPED;
                            if (!skipValue()) {
                                return notJson(error);
                            }
                        }
                        break;
                    case F_KEY:
                        if (c == '"') {
                            key = readKey();
                            if (key == null) {
                                return notJson(error);
                            }
                            keyState = PRESENT;
                        } else {
                            keyState = ILL_TYPED;
                            key = null;
                            if (!skipValue()) {
                                return notJson(error);
                            }
                        }
                        break;
                    case F_VALUE:
                        if (isNumber) {
                            int start = p;
                            if (!scanNumber(false)) {
                                return notJson(error);
                            }
                            value = toDouble(start, p);
                            hasValue = true;
                        } else {
                            hasValue = false;
                            value = Double.NaN;
                            if (!skipValue()) {
                                return notJson(error);
                            }
                        }
                        break;
                    case F_ID:
                        if (isNumber) {
                            // Validated here, converted only if someone reads it (Event#id): most jobs never do.
                            int start = p;
                            if (!scanNumber(false)) {
                                return notJson(error);
                            }
                            idFrom = numberIntegral ? start : -1;
                            idTo = p;
                        } else if (!skipValue()) {
                            return notJson(error);
                        }
                        break;
                    default:
                        if (!skipValue()) {
                            return notJson(error);
                        }
                }
                skipWhitespace();
                if (p >= end) {
                    return notJson("unterminated object");
                }
                if (b[p] == ',') {
                    p++;
                    skipWhitespace();
                    continue;
                }
                if (b[p] == '}') {
                    p++;
                    break;
                }
                return notJson("expected ',' or '}' after a value");
            }
        }
        skipWhitespace();
        if (p != end) {
            return notJson("unexpected characters after the object");
        }
        if (timestampState == ABSENT) {
            error = "no \"" + TIMESTAMP_FIELD + "\" field";
            return InvalidReason.MISSING_TIMESTAMP;
        }
        if (timestampState == ILL_TYPED) {
            error = "\"" + TIMESTAMP_FIELD + "\" is not an integer number of epoch milliseconds";
            return InvalidReason.BAD_TIMESTAMP;
        }
        if (timestamp < minTimestamp || timestamp > maxTimestamp) {
            error = "timestamp " + timestamp + " is outside the plausible range [" + minTimestamp + ", " + maxTimestamp + "]";
            return InvalidReason.ABSURD_TIMESTAMP;
        }
        if (keyState != PRESENT) {
            error = keyState == ABSENT ? "no \"" + keyFieldName + "\" field" : "\"" + keyFieldName + "\" is not a string";
            return InvalidReason.MISSING_KEY;
        }
        into.setWithIdBytes(idFrom, idTo, timestamp, key, value, hasValue, buf, off, len);
        return null;
    }

    /** Why the last {@link #decode} call found its record invalid. */
    public String lastError() {
        return error;
    }

    /** The value field's name, for messages; {@code null} when the job reads none. */
    public String valueFieldName() {
        return valueFieldName;
    }

    private InvalidReason notJson(String why) {
        error = why + " (at byte " + (p - recordStart) + ")";
        return InvalidReason.NOT_JSON;
    }

    private void skipWhitespace() {
        while (p < end) {
            byte c = b[p];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                p++;
            } else {
                return;
            }
        }
    }

    /** Reads a field name at {@code p} (a quote) and says which of the job's fields it is; -1 on a syntax error. */
    private int readFieldName() {
        int start = p + 1;
        if (!scanString()) {
            return -1;
        }
        int nameEnd = p - 1;
        if (stringHadEscape) {
            // Rare: compare the unescaped name.
            String name = unescape(start, nameEnd);
            if (name == null) {
                return -1;
            }
            if (name.equals(TIMESTAMP_FIELD)) return F_TIMESTAMP;
            if (name.equals(keyFieldName)) return F_KEY;
            if (name.equals(valueFieldName)) return F_VALUE;
            if (name.equals("id")) return F_ID;
            return F_OTHER;
        }
        if (matches(TIMESTAMP, start, nameEnd)) return F_TIMESTAMP;
        if (matches(keyField, start, nameEnd)) return F_KEY;
        if (valueField != null && matches(valueField, start, nameEnd)) return F_VALUE;
        if (matches(ID, start, nameEnd)) return F_ID;
        return F_OTHER;
    }

    private boolean matches(byte[] name, int from, int to) {
        if (to - from != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (b[from + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** Scans a string starting at the quote at {@code p}; leaves {@code p} after the closing quote. */
    private boolean scanString() {
        p++;
        stringHadEscape = false;
        while (p < end) {
            int c = b[p] & 0xff;
            if (c == '"') {
                p++;
                return true;
            }
            if (c == '\\') {
                stringHadEscape = true;
                if (p + 1 >= end) {
                    break;
                }
                int e = b[p + 1];
                if (e == 'u') {
                    if (p + 5 >= end) {
                        break;
                    }
                    for (int i = 2; i <= 5; i++) {
                        if (Character.digit(b[p + i], 16) < 0) {
                            error = "bad \\u escape in a string";
                            return false;
                        }
                    }
                    p += 6;
                } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
                    p += 2;
                } else {
                    error = "bad escape in a string";
                    return false;
                }
                continue;
            }
            if (c < 0x20) {
                error = "control character in a string";
                return false;
            }
            p++;
        }
        error = "unterminated string";
        return false;
    }

    /**
     * Reads the key string at {@code p} (a quote) and returns it interned; null on a syntax error. The usual key (no
     * escape, no control character) is hashed in the same pass that finds its closing quote, so the interner does
     * not read the bytes a second time to hash them.
     */
    private String readKey() {
        int start = p + 1;
        int h = KeyInterner.HASH_SEED;
        for (int i = start; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                p = i + 1;
                return interner.intern(b, start, i, h);
            }
            if (c == '\\' || (c >= 0 && c < 0x20)) {
                break; // escapes or a syntax error: the general path below
            }
            h = KeyInterner.hashStep(h, c);
        }
        if (!scanString()) {
            return null;
        }
        return stringHadEscape ? internEscaped(start, p - 1) : interner.intern(b, start, p - 1);
    }

    /** Decodes JSON escapes of the already validated string body {@code b[from, to)}. */
    private String unescape(int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int i = from;
        int runStart = from;
        while (i < to) {
            if (b[i] != '\\') {
                i++;
                continue;
            }
            out.append(new String(b, runStart, i - runStart, StandardCharsets.UTF_8));
            byte e = b[i + 1];
            switch (e) {
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    out.append((char) Integer.parseInt(new String(b, i + 2, 4, StandardCharsets.US_ASCII), 16));
                    i += 4;
                    break;
                default: out.append((char) e); break;
            }
            i += 2;
            runStart = i;
        }
        out.append(new String(b, runStart, to - runStart, StandardCharsets.UTF_8));
        return out.toString();
    }

    private String internEscaped(int from, int to) {
        String s = unescape(from, to);
        if (escapedKeys.size() >= KeyInterner.MAX_ENTRIES) {
            return s;
        }
        String known = escapedKeys.putIfAbsent(s, s);
        return known == null ? s : known;
    }

    /**
     * Scans a JSON number at {@code p}; sets {@link #numberIntegral} and, when {@code wantLong}, {@link #parsedLong}
     * (with {@link #parsedLongOverflow} when it does not fit).
     */
    private boolean scanNumber(boolean wantLong) {
        boolean negative = false;
        if (b[p] == '-') {
            negative = true;
            p++;
        }
        if (p >= end || b[p] < '0' || b[p] > '9') {
            error = "bad number";
            return false;
        }
        int digitsFrom = p;
        long acc = 0;
        if (b[p] == '0') {
            p++;
            if (p < end && b[p] >= '0' && b[p] <= '9') {
                error = "number with a leading zero";
                return false;
            }
        } else {
            // Up to 18 digits always fit in a long, so the common case needs no overflow check per digit; a longer
            // run (which may wrap here) is converted again, carefully, below.
            while (p < end) {
                int d = b[p] - '0';
                if (d < 0 || d > 9) {
                    break;
                }
                acc = acc * 10 + d;
                p++;
            }
        }
        int digitsTo = p;
        numberIntegral = true;
        if (p < end && b[p] == '.') {
            numberIntegral = false;
            p++;
            if (p >= end || b[p] < '0' || b[p] > '9') {
                error = "bad number: no digit after '.'";
                return false;
            }
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                p++;
            }
        }
        if (p < end && (b[p] == 'e' || b[p] == 'E')) {
            numberIntegral = false;
            p++;
            if (p < end && (b[p] == '+' || b[p] == '-')) {
                p++;
            }
            if (p >= end || b[p] < '0' || b[p] > '9') {
                error = "bad number: no digit in the exponent";
                return false;
            }
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                p++;
            }
        }
        if (wantLong) {
            if (digitsTo - digitsFrom <= 18) {
                parsedLong = negative ? -acc : acc;
                parsedLongOverflow = false;
            } else {
                parseLongCarefully(digitsFrom, digitsTo, negative);
            }
        }
        return true;
    }

    /** Sets {@link #parsedLong} from the digits {@code b[from, to)} of a number too long to convert blindly. */
    private void parseLongCarefully(int from, int to, boolean negative) {
        long acc = 0; // accumulated negatively, so that Long.MIN_VALUE fits
        boolean overflow = false;
        for (int i = from; i < to && !overflow; i++) {
            int d = b[i] - '0';
            if (acc < (Long.MIN_VALUE + d) / 10) {
                overflow = true;
            } else {
                acc = acc * 10 - d;
            }
        }
        if (!negative && !overflow) {
            if (acc == Long.MIN_VALUE) {
                overflow = true;
            } else {
                acc = -acc;
            }
        }
        parsedLong = acc;
        parsedLongOverflow = overflow;
    }

    /**
     * The double value of the already validated number {@code b[from, to)}. Plain decimals with up to 15 significant
     * digits are computed exactly (an exact integer divided by an exact power of ten rounds once, as
     * {@link Double#parseDouble} does); anything else falls back to {@link Double#parseDouble}.
     */
    private double toDouble(int from, int to) {
        int i = from;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean inFraction = false;
        for (; i < to; i++) {
            byte c = b[i];
            if (c == '.') {
                inFraction = true;
                continue;
            }
            if (c < '0' || c > '9' || digits >= 15) {
                return Double.parseDouble(new String(b, from, to - from, StandardCharsets.US_ASCII));
            }
            mantissa = mantissa * 10 + (c - '0');
            if (mantissa != 0 || inFraction) {
                digits++;
            }
            if (inFraction) {
                fractionDigits++;
            }
        }
        if (fractionDigits > 22) {
            return Double.parseDouble(new String(b, from, to - from, StandardCharsets.US_ASCII));
        }
        double v = fractionDigits == 0 ? (double) mantissa : mantissa / POWERS_OF_TEN[fractionDigits];
        return negative ? -v : v;
    }

    /** Skips any JSON value at {@code p}. */
    private boolean skipValue() {
        byte c = b[p];
        switch (c) {
            case '"':
                return scanString();
            case '{':
            case '[':
                return skipContainer();
            case 't':
                return literal("true");
            case 'f':
                return literal("false");
            case 'n':
                return literal("null");
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return scanNumber(false);
                }
                error = "unexpected character '" + (char) (c & 0xff) + "'";
                return false;
        }
    }

    private boolean literal(String word) {
        if (end - p < word.length()) {
            error = "bad literal";
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (b[p + i] != word.charAt(i)) {
                error = "bad literal";
                return false;
            }
        }
        p += word.length();
        return true;
    }

    /** Skips a nested object or array iteratively, with a bounded depth. */
    private boolean skipContainer() {
        int depth = 0;
        containerStack[depth++] = b[p];
        p++;
        boolean first = true;
        while (depth > 0) {
            skipWhitespace();
            if (p >= end) {
                error = "unterminated object or array";
                return false;
            }
            byte c = b[p];
            byte top = containerStack[depth - 1];
            byte close = top == '{' ? (byte) '}' : (byte) ']';
            if (c == close && first) {
                p++;
                depth--;
                first = false;
                continue;
            }
            if (!first) {
                if (c == close) {
                    p++;
                    depth--;
                    continue;
                }
                if (c != ',') {
                    error = "expected ',' or '" + (char) close + "'";
                    return false;
                }
                p++;
                skipWhitespace();
                if (p >= end) {
                    error = "unterminated object or array";
                    return false;
                }
            }
            first = false;
            if (top == '{') {
                if (b[p] != '"' || !scanString()) {
                    if (error == null) error = "expected a field name";
                    return false;
                }
                skipWhitespace();
                if (p >= end || b[p] != ':') {
                    error = "expected ':' after a field name";
                    return false;
                }
                p++;
                skipWhitespace();
                if (p >= end) {
                    error = "missing value";
                    return false;
                }
            }
            c = b[p];
            if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    error = "nested deeper than " + MAX_DEPTH;
                    return false;
                }
                containerStack[depth++] = c;
                p++;
                first = true;
                continue;
            }
            if (!skipValue()) {
                return false;
            }
        }
        return true;
    }
}
