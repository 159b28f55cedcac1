package io.flinklite.runtime.checkpoint;

import java.util.Objects;

/**
 * A result that is not a {@link io.flinklite.api.WindowResult} (a join's pair, a user job's own record) as it will
 * leave the engine: the record key and the value, already encoded. What an exactly-once job keeps of such results
 * until a checkpoint's transaction writes them ({@link Checkpoint#pendingRecords()}), so that the transaction after a
 * restore writes the same bytes. Immutable.
 *
 * @param key   the record key as text (written as UTF-8); {@code null} for none
 * @param value the record value as text (written as UTF-8); not {@code null}
 */
public record EncodedResult(String key, String value) {
    public EncodedResult {
        Objects.requireNonNull(value, "value");
    }
}
