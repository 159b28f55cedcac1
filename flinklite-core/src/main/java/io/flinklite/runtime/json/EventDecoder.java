package io.flinklite.runtime.json;

import io.flinklite.api.Event;
import io.flinklite.job.TimestampSpec;
import io.flinklite.source.InvalidReason;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decodes one JSON event (a UTF-8 object such as {@code {"id":1,"timestamp":1700000000000,"message":"critical"}})
 * straight from bytes into a reused {@link Event}, reading only the fields the job needs: the timestamp field (see
 * {@link TimestampSpec}; or none when event time is the Kafka record's), the key field, the value field when the job
 * has one, and {@code id}. Each of the first three may be a dotted path into nested objects ({@code payload.ts});
 * one field may serve several of them (a key field named {@code timestamp}). Everything else is checked for JSON
 * syntax and skipped without being materialised.
 *
 * <p>Hand-written rather than Jackson-based because it is the hottest code of the engine: on the seed events it
 * decodes several times faster than a Jackson streaming parser (which must allocate a parser per record and
 * tokenize every field), see docs/semantics.md for the measurement. It accepts exactly RFC 8259 JSON objects;
 * field names and the key must be valid UTF-8 (other skipped strings are not checked), and duplicate fields resolve
 * to the last one, as Jackson's tree model does.
 *
 * <p>Classification of an invalid record, first match wins: {@code oversized} (more than the byte limit, not
 * parsed), {@code not_json} (any syntax error, invalid UTF-8 in a field name or the key, or not an object),
 * {@code missing_timestamp}, {@code bad_timestamp} (not a timestamp of the configured format, or outside a long of
 * milliseconds), {@code absurd_timestamp} (outside the configured bounds), {@code missing_key} (absent or not a
 * string). A missing or non-numeric value field is not an error here: the event is decoded with
 * {@link Event#hasValue()} false and the task decides (only events that reach a value aggregate need one).
 *
 * <p>Not thread-safe: one decoder per task thread. The per-record path allocates nothing once every key has been
 * seen (keys are interned by their bytes), whatever the timestamp format; only an epoch-s number written with an
 * exponent ({@code 1.7e9}) takes a slower, allocating conversion.
 */
public final class EventDecoder {
    private static final int R_TIMESTAMP = 1;
    private static final int R_KEY = 2;
    private static final int R_VALUE = 4;
    private static final int R_ID = 8;

    private static final int ABSENT = 0;
    private static final int PRESENT = 1;
    private static final int ILL_TYPED = 2;

    private static final int MAX_DEPTH = 512;
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    /**
     * One object level of the fields the job reads: its named children are either read (roles) or, being objects
     * on a path, descended into. The root is the record itself.
     */
    private static final class PathNode {
        final String name;
        final byte[] nameBytes;
        int roles;
        PathNode[] children = new PathNode[0];

        PathNode(String name) {
            this.name = name;
            this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        }

        PathNode child(String segment) {
            for (PathNode c : children) {
                if (c.name.equals(segment)) {
                    return c;
                }
            }
            PathNode c = new PathNode(segment);
            PathNode[] grown = java.util.Arrays.copyOf(children, children.length + 1);
            grown[children.length] = c;
            children = grown;
            return c;
        }
    }

    private static final byte[] ID = "id".getBytes(StandardCharsets.UTF_8);

    private final PathNode root = new PathNode("");
    /** Whether {@link #decodeFlat} applies: see there. Its names, as bytes. */
    private final boolean flat;
    private final String flatTimestampName;
    private final byte[] flatTimestamp;
    private final byte[] flatKey;
    private final byte[] flatValue;
    private final String keyFieldName;
    private final String valueFieldName;
    private final TimestampSpec timestamps;
    private final TimestampSpec.Format timestampFormat;
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
    // The fields read so far from the current record.
    private int timestampState;
    private long timestamp;
    private int keyState;
    private String key;
    private boolean hasValue;
    private double value;
    private int idFrom;
    private int idTo;

    /**
     * A decoder reading event time from the flat {@code timestamp} field in epoch milliseconds.
     *
     * @see #EventDecoder(String, String, TimestampSpec, int)
     */
    public EventDecoder(String keyField, String valueField, int maxRecordBytes) {
        this(keyField, valueField, TimestampSpec.defaults(), maxRecordBytes);
    }

    /**
     * @param keyField       the string field (or dotted path) that becomes {@link Event#key()}
     * @param valueField     the numeric field (or dotted path) that becomes {@link Event#value()}; {@code null} when
     *                       none is needed
     * @param timestamps     where event time comes from; with {@link TimestampSpec.Source#KAFKA} the caller passes
     *                       the record timestamp to {@link #decode(byte[], int, int, long, Event)}
     * @param maxRecordBytes larger records are {@code oversized}
     */
    public EventDecoder(String keyField, String valueField, TimestampSpec timestamps, int maxRecordBytes) {
        this(keyField, valueField, timestamps, maxRecordBytes, true);
    }

    /** @param allowFlat false forces the general path even where the flat one applies (tests of their equivalence) */
    EventDecoder(String keyField, String valueField, TimestampSpec timestamps, int maxRecordBytes, boolean allowFlat) {
        this.keyFieldName = TimestampSpec.checkPath(Objects.requireNonNull(keyField, "keyField"));
        this.valueFieldName = valueField == null ? null : TimestampSpec.checkPath(valueField);
        this.timestamps = Objects.requireNonNull(timestamps, "timestamps");
        this.timestampFormat = timestamps.format();
        if (maxRecordBytes <= 0) {
            throw new IllegalArgumentException("max record size must be positive, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
        if (!timestamps.fromKafka()) {
            addPath(timestamps.field(), R_TIMESTAMP);
        }
        addPath(keyField, R_KEY);
        if (valueField != null) {
            addPath(valueField, R_VALUE);
        }
        root.child("id").roles |= R_ID;
        boolean oneRoleEach = true;
        for (PathNode c : root.children) {
            oneRoleEach &= c.children.length == 0 && Integer.bitCount(c.roles) == 1;
        }
        this.flat = allowFlat && oneRoleEach && !timestamps.fromKafka() && timestampFormat == TimestampSpec.Format.EPOCH_MS;
        this.flatTimestampName = timestamps.field();
        this.flatTimestamp = timestamps.field().getBytes(StandardCharsets.UTF_8);
        this.flatKey = keyField.getBytes(StandardCharsets.UTF_8);
        this.flatValue = valueField == null ? null : valueField.getBytes(StandardCharsets.UTF_8);
    }

    private void addPath(String path, int role) {
        PathNode node = root;
        for (String segment : splitPath(path)) {
            node = node.child(segment);
        }
        node.roles |= role;
    }

    private static List<String> splitPath(String path) {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '.') {
                out.add(path.substring(from, i));
                from = i + 1;
            }
        }
        return out;
    }

    /** Where this decoder reads event time. */
    public TimestampSpec timestamps() {
        return timestamps;
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
     * Decodes {@code buf[off, off + len)} into {@code into}, with event time from the timestamp field (a record
     * timestamp, when configured, is taken as absent).
     *
     * @see #decode(byte[], int, int, long, Event)
     */
    public InvalidReason decode(byte[] buf, int off, int len, Event into) {
        return decode(buf, off, len, NO_TIMESTAMP, into);
    }

    /** A record without a timestamp of its own (Kafka's {@code RecordBatch.NO_TIMESTAMP}). */
    public static final long NO_TIMESTAMP = io.flinklite.source.RecordBatch.NO_TIMESTAMP;

    /**
     * Decodes {@code buf[off, off + len)} into {@code into}.
     *
     * @param recordTimestampMs the record's own timestamp (Kafka's), used when event time comes from the record;
     *                          {@link #NO_TIMESTAMP} when it has none ({@code missing_timestamp})
     * @return {@code null} when the record is a valid event (then {@code into} holds it, referencing {@code buf} as
     *         its payload); otherwise why it is invalid, with {@link #lastError()} explaining it
     */
    public InvalidReason decode(byte[] buf, int off, int len, long recordTimestampMs, Event into) {
        if (len > maxRecordBytes) {
            error = len + " bytes, more than the limit of " + maxRecordBytes;
            return InvalidReason.OVERSIZED;
        }
        b = buf;
        p = off;
        recordStart = off;
        end = off + len;
        error = null;
        timestampState = ABSENT;
        timestamp = 0;
        keyState = ABSENT;
        key = null;
        hasValue = false;
        value = Double.NaN;
        if (flat) {
            return decodeFlat(buf, off, len, into);
        }
        idFrom = -1;
        idTo = -1;

        skipWhitespace();
        if (p >= end || b[p] != '{') {
            return notJson(p >= end ? "empty record" : "expected '{' at the start");
        }
        if (!readObject(root)) {
            return notJson(error);
        }
        skipWhitespace();
        if (p != end) {
            return notJson("unexpected characters after the object");
        }
        if (timestamps.fromKafka()) {
            if (recordTimestampMs < 0) {
                error = "the record has no timestamp of its own";
                return InvalidReason.MISSING_TIMESTAMP;
            }
            timestampState = PRESENT;
            timestamp = recordTimestampMs;
        }
        return finish(timestampState, timestamp, keyState, key, value, hasValue, idFrom, idTo, buf, off, len, into);
    }

    /** The checks after parsing, first failing one wins; fills {@code into} when all pass. */
    private InvalidReason finish(int timestampState, long timestamp, int keyState, String key, double value,
                                 boolean hasValue, int idFrom, int idTo, byte[] buf, int off, int len, Event into) {
        if (timestampState == ABSENT) {
            error = "no \"" + timestamps.field() + "\" field";
            return InvalidReason.MISSING_TIMESTAMP;
        }
        if (timestampState == ILL_TYPED) {
            error = "\"" + timestamps.field() + "\" is not " + describe(timestampFormat);
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

    /**
     * The flat path: every field a top-level name, each with one role, the timestamp in epoch milliseconds (the
     * default job, and most). The same rules as {@link #readObject}, with the record's state in locals and the four
     * names compared directly: on the seed job this measured several percent faster than the general walk, and it
     * is the hottest loop of the engine. {@code EventDecoderPathsTest} checks that both paths classify and decode
     * the same records alike.
     */
    private InvalidReason decodeFlat(byte[] buf, int off, int len, Event into) {
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
                int field = readFlatFieldName();
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
                    case R_TIMESTAMP:
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
                    case R_KEY:
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
                    case R_VALUE:
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
                    case R_ID:
                        if (isNumber) {
                            // Validated here, converted only if someone reads it (Event#id): most jobs never do.
                            int start = p;
                            if (!scanNumber(false)) {
                                return notJson(error);
                            }
                            idFrom = numberIntegral ? start : -1;
                            idTo = p;
                        } else {
                            idFrom = -1;
                            if (!skipValue()) {
                                return notJson(error);
                            }
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
        return finish(timestampState, timestamp, keyState, key, value, hasValue, idFrom, idTo, buf, off, len, into);
    }

    /** A top-level field name at {@code p}: its role on the flat path, 0 for any other field, -1 on a syntax error. */
    private int readFlatFieldName() {
        int start = p + 1;
        if (!scanFieldName()) {
            return -1;
        }
        int nameEnd = p - 1;
        if (stringHadEscape) {
            String name = unescape(start, nameEnd);
            if (name.equals(flatTimestampName)) return R_TIMESTAMP;
            if (name.equals(keyFieldName)) return R_KEY;
            if (name.equals(valueFieldName)) return R_VALUE;
            if (name.equals("id")) return R_ID;
            return 0;
        }
        if (matches(flatTimestamp, start, nameEnd)) return R_TIMESTAMP;
        if (matches(flatKey, start, nameEnd)) return R_KEY;
        if (flatValue != null && matches(flatValue, start, nameEnd)) return R_VALUE;
        if (matches(ID, start, nameEnd)) return R_ID;
        return 0;
    }

    private static String describe(TimestampSpec.Format format) {
        switch (format) {
            case EPOCH_S: return "a number of epoch seconds within range";
            case ISO_8601: return "an ISO-8601 date-time with an offset or Z, such as 2026-12-01T10:00:00Z";
            default: return "an integer number of epoch milliseconds";
        }
    }

    /**
     * Reads the object at {@code p} (its opening brace) to past its closing brace, reading the fields of
     * {@code node}; false on a syntax error (with {@link #error} set). Recurses only along the configured paths.
     */
    private boolean readObject(PathNode node) {
        p++;
        skipWhitespace();
        if (p < end && b[p] == '}') {
            p++;
            return true;
        }
        PathNode[] children = node.children;
        while (true) {
            if (p >= end || b[p] != '"') {
                error = "expected a field name";
                return false;
            }
            int field = readFieldName(children);
            if (field == -2) {
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
            if (field < 0) {
                if (!skipValue()) {
                    return false;
                }
            } else {
                PathNode child = children[field];
                if (b[p] == '{' && child.children.length > 0) {
                    if (!readObject(child)) {
                        return false;
                    }
                } else if (!readValue(child.roles)) {
                    return false;
                }
            }
            skipWhitespace();
            if (p >= end) {
                error = "unterminated object";
                return false;
            }
            if (b[p] == ',') {
                p++;
                skipWhitespace();
                continue;
            }
            if (b[p] == '}') {
                p++;
                return true;
            }
            error = "expected ',' or '}' after a value";
            return false;
        }
    }

    /** Reads the value at {@code p} of a field with the given roles (0: skip it); false on a syntax error. */
    private boolean readValue(int roles) {
        byte c = b[p];
        if (c == '"') {
            int start = p + 1;
            if ((roles & R_KEY) != 0) {
                key = readKey();
                if (key == null) {
                    return false;
                }
                keyState = PRESENT;
            } else if (!scanString(false)) {
                return false;
            }
            if ((roles & R_TIMESTAMP) != 0) {
                if (timestampFormat == TimestampSpec.Format.ISO_8601 && !stringHadEscape) {
                    parseIso(start, p - 1);
                } else {
                    timestampState = ILL_TYPED;
                }
            }
            if ((roles & R_VALUE) != 0) {
                hasValue = false;
                value = Double.NaN;
            }
            if ((roles & R_ID) != 0) {
                idFrom = -1;
            }
            return true;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            int start = p;
            boolean timestampRole = (roles & R_TIMESTAMP) != 0;
            if (!scanNumber(timestampRole && timestampFormat != TimestampSpec.Format.ISO_8601)) {
                return false;
            }
            if (timestampRole) {
                readNumericTimestamp(start);
            }
            if ((roles & R_KEY) != 0) {
                keyState = ILL_TYPED;
                key = null;
            }
            if ((roles & R_VALUE) != 0) {
                value = toDouble(start, p);
                hasValue = true;
            }
            if ((roles & R_ID) != 0) {
                // Validated here, converted only if someone reads it (Event#id): most jobs never do.
                idFrom = numberIntegral ? start : -1;
                idTo = p;
            }
            return true;
        }
        if (!skipValue()) {
            return false;
        }
        if ((roles & R_TIMESTAMP) != 0) {
            timestampState = ILL_TYPED;
        }
        if ((roles & R_KEY) != 0) {
            keyState = ILL_TYPED;
            key = null;
        }
        if ((roles & R_VALUE) != 0) {
            hasValue = false;
            value = Double.NaN;
        }
        if ((roles & R_ID) != 0) {
            idFrom = -1;
        }
        return true;
    }

    /** The number just scanned, {@code b[start, p)}, as the timestamp in the configured format. */
    private void readNumericTimestamp(int start) {
        // epoch-ms first and without a switch: it is the default, on the hottest path.
        if (timestampFormat == TimestampSpec.Format.EPOCH_MS) {
            if (numberIntegral && !parsedLongOverflow) {
                timestampState = PRESENT;
                timestamp = parsedLong;
            } else {
                timestampState = ILL_TYPED;
            }
            return;
        }
        timestampState = ILL_TYPED;
        if (timestampFormat == TimestampSpec.Format.EPOCH_S) {
            if (!numberIntegral) {
                decimalSeconds(start, p);
            } else if (!parsedLongOverflow && parsedLong <= Long.MAX_VALUE / 1000 && parsedLong >= Long.MIN_VALUE / 1000) {
                timestampState = PRESENT;
                timestamp = parsedLong * 1000;
            }
        }
        // ISO-8601 wants a string: stays bad_timestamp
    }

    /**
     * Sets the timestamp from a decimal number of seconds {@code b[from, to)} (validated JSON, not integral):
     * milliseconds, truncated toward the past, as {@link Math#floorDiv} would. Without an exponent this is exact
     * integer arithmetic; with one it is rare and goes through {@link BigDecimal}.
     */
    private void decimalSeconds(int from, int to) {
        int i = from;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        long whole = 0;
        int digits = 0;
        for (; i < to && b[i] != '.' && b[i] != 'e' && b[i] != 'E'; i++) {
            whole = whole * 10 + (b[i] - '0');
            if (whole != 0 && ++digits > 16) {
                return; // beyond any windowable time: bad_timestamp
            }
        }
        long millis = 0;
        boolean remainder = false;
        if (i < to && b[i] == '.') {
            i++;
            int n = 0;
            for (; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
                if (n < 3) {
                    millis = millis * 10 + (b[i] - '0');
                    n++;
                } else if (b[i] != '0') {
                    remainder = true;
                }
            }
            for (; n < 3; n++) {
                millis *= 10;
            }
        }
        if (i < to) {
            // An exponent: the slow path.
            try {
                BigDecimal ms = new BigDecimal(new String(b, from, to - from, StandardCharsets.US_ASCII))
                        .movePointRight(3).setScale(0, RoundingMode.FLOOR);
                if (ms.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) < 0) {
                    timestamp = ms.longValue();
                    timestampState = PRESENT;
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // stays bad_timestamp
            }
            return;
        }
        long ms = whole * 1000 + millis;
        if (negative) {
            ms = remainder ? -ms - 1 : -ms;
        }
        timestamp = ms;
        timestampState = PRESENT;
    }

    /**
     * Sets the timestamp from an ISO-8601 date-time {@code b[from, to)}: {@code YYYY-MM-DDTHH:MM:SS}, optionally
     * {@code .fraction} (truncated to milliseconds), then {@code Z} or an offset {@code +HH:MM}, {@code +HHMM} or
     * {@code +HH}. A space or a lowercase {@code t}/{@code z} is accepted as RFC 3339 allows. Anything else, a day that
     * does not exist or a time without an offset leaves it {@code bad_timestamp}.
     */
    private void parseIso(int from, int to) {
        timestampState = ILL_TYPED;
        int i = from;
        if (to - i < 20) {
            return;
        }
        int year = digits(i, 4);
        int month = digits(i + 5, 2);
        int day = digits(i + 8, 2);
        int hour = digits(i + 11, 2);
        int minute = digits(i + 14, 2);
        int second = digits(i + 17, 2);
        byte t = b[i + 10];
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59 || b[i + 4] != '-' || b[i + 7] != '-' || b[i + 13] != ':'
                || b[i + 16] != ':' || (t != 'T' && t != 't' && t != ' ')) {
            return;
        }
        if (day > daysInMonth(year, month)) {
            return;
        }
        i += 19;
        int millis = 0;
        if (b[i] == '.' || b[i] == ',') {
            i++;
            int n = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                if (n < 3) {
                    millis = millis * 10 + (b[i] - '0');
                }
                n++;
                i++;
            }
            if (n == 0) {
                return;
            }
            for (; n < 3; n++) {
                millis *= 10;
            }
        }
        if (i >= to) {
            return; // no offset: a local time names no instant
        }
        int offsetMinutes;
        byte z = b[i];
        if (z == 'Z' || z == 'z') {
            offsetMinutes = 0;
            i++;
        } else if (z == '+' || z == '-') {
            int rest = to - i - 1;
            int oh = rest >= 2 ? digits(i + 1, 2) : -1;
            int om;
            if (rest == 2) {
                om = 0;
            } else if (rest == 4) {
                om = digits(i + 3, 2);
            } else if (rest == 5 && b[i + 3] == ':') {
                om = digits(i + 4, 2);
            } else {
                return;
            }
            if (oh < 0 || oh > 18 || om < 0 || om > 59) {
                return;
            }
            offsetMinutes = (oh * 60 + om) * (z == '-' ? -1 : 1);
            i = to;
        } else {
            return;
        }
        if (i != to) {
            return;
        }
        long days = daysFromCivil(year, month, day);
        timestamp = ((days * 24 + hour) * 60 + minute - offsetMinutes) * 60_000L + second * 1000L + millis;
        timestampState = PRESENT;
    }

    /** The value of {@code n} ASCII digits at {@code b[at]}, or -1. */
    private int digits(int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        switch (month) {
            case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4: case 6: case 9: case 11: return 30;
            default: return 31;
        }
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
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

    /**
     * Reads a field name at {@code p} (a quote): the index of the child of the current object it names, -1 for any
     * other field, -2 on a syntax error (including invalid UTF-8).
     */
    private int readFieldName(PathNode[] children) {
        int start = p + 1;
        if (!scanFieldName()) {
            return -2;
        }
        int nameEnd = p - 1;
        if (stringHadEscape) {
            // Rare: compare the unescaped name.
            String name = unescape(start, nameEnd);
            for (int i = 0; i < children.length; i++) {
                if (children[i].name.equals(name)) return i;
            }
            return -1;
        }
        for (int i = 0; i < children.length; i++) {
            if (matches(children[i].nameBytes, start, nameEnd)) return i;
        }
        return -1;
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

    /**
     * Scans a string starting at the quote at {@code p}; leaves {@code p} after the closing quote.
     *
     * @param validateUtf8 whether bytes above 0x7f must form well-formed UTF-8 (RFC 3629: no overlong forms, no
     *                     surrogates, nothing above U+10FFFF); field names and keys are checked, skipped values not
     */
    private boolean scanString(boolean validateUtf8) {
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
            if (c >= 0x80 && validateUtf8) {
                int n = utf8SequenceLength(p);
                if (n < 0) {
                    error = "invalid UTF-8 in a field name or key";
                    return false;
                }
                p += n;
                continue;
            }
            p++;
        }
        error = "unterminated string";
        return false;
    }

    /**
     * Scans a field name at {@code p} (a quote), as {@link #scanString} with UTF-8 validation; the usual plain ASCII
     * name is found by a loop small enough to inline, the rest (escapes, non-ASCII, errors) goes the general way.
     */
    private boolean scanFieldName() {
        for (int i = p + 1; i < end; i++) {
            byte c = b[i];
            if (c == '"') {
                p = i + 1;
                stringHadEscape = false;
                return true;
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
        }
        return scanString(true);
    }

    /** The length of the well-formed UTF-8 sequence starting at {@code b[at]} (a byte above 0x7f), or -1. */
    private int utf8SequenceLength(int at) {
        int c = b[at] & 0xff;
        int n;
        int lo = 0x80;
        int hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f; // U+D800..U+DFFF are not characters
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return -1;
        }
        if (at + n > end) {
            return -1;
        }
        int second = b[at + 1] & 0xff;
        if (second < lo || second > hi) {
            return -1;
        }
        for (int i = 2; i < n; i++) {
            int cont = b[at + i] & 0xff;
            if (cont < 0x80 || cont > 0xbf) {
                return -1;
            }
        }
        return n;
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
            if (c == '\\' || c < 0x20) {
                break; // escapes, non-ASCII (negative bytes) to validate, or a syntax error: the general path below
            }
            h = KeyInterner.hashStep(h, c);
        }
        if (!scanString(true)) {
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
                return scanString(false);
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
                if (b[p] != '"' || !scanString(true)) {
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
