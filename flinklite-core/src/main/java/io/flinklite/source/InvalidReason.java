package io.flinklite.source;

/** Why a record was rejected before it reached the windows. */
public enum InvalidReason {
    /** Not parseable as a JSON object. */
    NOT_JSON("not_json"),
    /** The timestamp field is absent. */
    MISSING_TIMESTAMP("missing_timestamp"),
    /** The timestamp field is not an integral number. */
    BAD_TIMESTAMP("bad_timestamp"),
    /** The key field is absent or not a string. */
    MISSING_KEY("missing_key"),
    /** The value field an aggregate needs is absent or not a number. */
    BAD_VALUE("bad_value"),
    /** The timestamp is implausibly far in the future (or before 1970): it would make everything else late. */
    ABSURD_TIMESTAMP("absurd_timestamp"),
    /** The payload exceeds the configured maximum size. */
    OVERSIZED("oversized"),
    /** The record has no value at all (a Kafka tombstone); it is dead-lettered with a null value. */
    NULL_VALUE("null_value");

    private final String label;

    InvalidReason(String label) {
        this.label = label;
    }

    /** The Prometheus label value, snake_case. */
    public String label() {
        return label;
    }
}
