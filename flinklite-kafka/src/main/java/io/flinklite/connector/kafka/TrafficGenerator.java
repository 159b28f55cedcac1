package io.flinklite.connector.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Makes the simulator's events, one at a time, without Kafka: ids counting up from 1, a message drawn from a
 * weighted type mix, a timestamp behind the clock by a delay from the disorder profile, and now and then an invalid
 * record of one of the {@link InvalidKind}s. Deterministic for a given seed and clock.
 *
 * <p>Not thread-safe: one generator per producing thread.
 */
public final class TrafficGenerator {

    /** How far behind "now" each event's timestamp is. */
    public enum Disorder {
        /**
         * The seed traffic: {@code now - maxDelay/5 x random(0..5)}, i.e. with the default maximum delay of 50 s,
         * now minus 0, 10, 20, 30, 40 or 50 s, each equally likely.
         */
        SEED,
        /** {@code now - uniform(0..maxDelay)} milliseconds. */
        UNIFORM,
        /** In order: every timestamp is now. */
        NONE;

        /** Parses {@code seed}, {@code uniform} or {@code none}, naming the offending text when it is none of them. */
        public static Disorder parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad disorder profile '" + text + "': expected seed, uniform or none");
            }
        }
    }

    /** The kinds of invalid record the simulator mixes in, one per reason the job counts. */
    public enum InvalidKind {
        /** Not JSON at all. */
        NOT_JSON,
        /** A JSON object without {@code timestamp}. */
        MISSING_TIMESTAMP,
        /** {@code timestamp} is a string. */
        BAD_TIMESTAMP,
        /** A JSON object without {@code message}. */
        MISSING_KEY,
        /** {@code timestamp} ten years ahead of now. */
        ABSURD_TIMESTAMP,
        /** A valid event padded to {@link #OVERSIZED_BYTES} bytes, above {@code run}'s default maximum record size. */
        OVERSIZED;

        /** The label the job's metrics and dead letters use for this kind, snake_case. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses a comma-separated list of labels ({@code not_json,oversized}) or {@code all}. */
        public static InvalidKind[] parseList(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            if (t.equals("all")) {
                return values();
            }
            String[] parts = t.split(",");
            InvalidKind[] kinds = new InvalidKind[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    kinds[i] = valueOf(parts[i].trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("bad invalid kind '" + parts[i].trim() + "': expected all or any of "
                            + Arrays.toString(labels()));
                }
            }
            return kinds;
        }

        private static String[] labels() {
            InvalidKind[] all = values();
            String[] labels = new String[all.length];
            for (int i = 0; i < all.length; i++) {
                labels[i] = all[i].label();
            }
            return labels;
        }
    }

    /**
     * Size of an {@link InvalidKind#OVERSIZED} record: above {@code run}'s default maximum record size of 256 KiB and
     * below the 1 MiB a Kafka producer and broker accept by default.
     */
    public static final int OVERSIZED_BYTES = 300 * 1024;
    private static final long TEN_YEARS_MS = 10L * 365 * 24 * 3600 * 1000;

    private final Random random;
    private final Disorder disorder;
    private final long maxDelayMs;
    private final String[] types;
    private final double[] cumulativeWeights;
    private final double invalidFraction;
    private final InvalidKind[] invalidKinds;
    private long nextId = 1;
    private int nextInvalidKind;

    /** What {@link #next} made: the event's type (its message) or null for an invalid record, and its bytes. */
    public static final class Generated {
        private byte[] value;
        private String type;
        private InvalidKind invalidKind;
        private long id;
        private long timestamp;

        /** The record's bytes, as sent. */
        public byte[] value() { return value; }
        /** The message of a valid event; null for an invalid record. */
        public String type() { return type; }
        /** The kind of an invalid record; null for a valid event. */
        public InvalidKind invalidKind() { return invalidKind; }
        public long id() { return id; }
        /** The event's timestamp; meaningless for invalid kinds that have none. */
        public long timestamp() { return timestamp; }
    }

    /**
     * @param seed            seed of the random choices
     * @param disorder        how timestamps lag the clock
     * @param maxDelayMs      the largest lag
     * @param types           the messages to draw from
     * @param weights         relative weight of each message, same length as {@code types}
     * @param invalidFraction share of records, 0..1, that are invalid
     * @param invalidKinds    the invalid kinds, used in turn
     */
    public TrafficGenerator(long seed, Disorder disorder, long maxDelayMs, List<String> types, double[] weights,
                            double invalidFraction, InvalidKind[] invalidKinds) {
        if (types.isEmpty() || types.size() != weights.length) {
            throw new IllegalArgumentException("need one weight per type, got " + types.size() + " types and "
                    + weights.length + " weights");
        }
        if (invalidFraction < 0 || invalidFraction > 1) {
            throw new IllegalArgumentException("invalid fraction must be between 0 and 1, got " + invalidFraction);
        }
        if (invalidFraction > 0 && invalidKinds.length == 0) {
            throw new IllegalArgumentException("an invalid fraction needs at least one invalid kind");
        }
        if (maxDelayMs < 0) {
            throw new IllegalArgumentException("maximum delay must not be negative, got " + maxDelayMs + " ms");
        }
        this.random = new Random(seed);
        this.disorder = disorder;
        this.maxDelayMs = maxDelayMs;
        this.types = types.toArray(new String[0]);
        this.cumulativeWeights = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0)) {
                throw new IllegalArgumentException("weight of '" + types.get(i) + "' must not be negative, got " + weights[i]);
            }
            sum += weights[i];
            cumulativeWeights[i] = sum;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("at least one type needs a positive weight");
        }
        this.invalidFraction = invalidFraction;
        this.invalidKinds = invalidKinds.clone();
    }

    /**
     * Makes the next record into {@code out}.
     *
     * @param nowMs the clock, epoch ms; timestamps lag it by the disorder profile
     */
    public Generated next(long nowMs, Generated out) {
        long id = nextId++;
        String type = pickType();
        long timestamp = nowMs - delay();
        out.id = id;
        out.timestamp = timestamp;
        if (invalidFraction > 0 && random.nextDouble() < invalidFraction) {
            InvalidKind kind = invalidKinds[nextInvalidKind];
            nextInvalidKind = (nextInvalidKind + 1) % invalidKinds.length;
            out.type = null;
            out.invalidKind = kind;
            out.value = invalid(kind, id, timestamp, type, nowMs);
        } else {
            out.type = type;
            out.invalidKind = null;
            out.value = event(id, timestamp, type);
        }
        return out;
    }

    private String pickType() {
        double r = random.nextDouble() * cumulativeWeights[cumulativeWeights.length - 1];
        for (int i = 0; i < cumulativeWeights.length; i++) {
            if (r < cumulativeWeights[i]) {
                return types[i];
            }
        }
        return types[types.length - 1];
    }

    private long delay() {
        switch (disorder) {
            case SEED:
                return maxDelayMs / 5 * random.nextInt(6);
            case UNIFORM:
                return maxDelayMs == 0 ? 0 : (long) (random.nextDouble() * (maxDelayMs + 1));
            default:
                return 0;
        }
    }

    /** The JSON of a valid event: {@code {"id":1,"timestamp":1700000000000,"message":"important"}}. */
    public static byte[] event(long id, long timestamp, String message) {
        return ("{\"id\":" + id + ",\"timestamp\":" + timestamp + ",\"message\":\"" + message + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] invalid(InvalidKind kind, long id, long timestamp, String type, long nowMs) {
        String json;
        switch (kind) {
            case NOT_JSON:
                json = "event " + id + " at " + timestamp + ": " + type;
                break;
            case MISSING_TIMESTAMP:
                json = "{\"id\":" + id + ",\"message\":\"" + type + "\"}";
                break;
            case BAD_TIMESTAMP:
                json = "{\"id\":" + id + ",\"timestamp\":\"" + timestamp + "ms\",\"message\":\"" + type + "\"}";
                break;
            case MISSING_KEY:
                json = "{\"id\":" + id + ",\"timestamp\":" + timestamp + "}";
                break;
            case ABSURD_TIMESTAMP:
                json = "{\"id\":" + id + ",\"timestamp\":" + (nowMs + TEN_YEARS_MS) + ",\"message\":\"" + type + "\"}";
                break;
            default:
                String head = "{\"id\":" + id + ",\"timestamp\":" + timestamp + ",\"message\":\"" + type + "\",\"padding\":\"";
                StringBuilder padded = new StringBuilder(OVERSIZED_BYTES);
                padded.append(head);
                while (padded.length() < OVERSIZED_BYTES - 2) {
                    padded.append('x');
                }
                padded.append("\"}");
                json = padded.toString();
                break;
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
