package io.flinklite.api;

import java.util.Objects;

/**
 * One record a user job writes to the job's output ({@link JobContext#records()}) when its results are not window
 * results (a join's, a process function's): the record key, which partitions it and names it in a compacted topic,
 * and the value, e.g. a JSON line. Both are written as UTF-8. Immutable.
 *
 * @param key   the record key; {@code null} for none
 * @param value the record value; not {@code null}
 */
public record OutputRecord(String key, String value) {
    public OutputRecord {
        Objects.requireNonNull(value, "value");
    }
}
