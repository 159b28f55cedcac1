package io.flinklite.connector.kafka;

/**
 * A partition's watermark as the metadata of its committed offset: {@code flinklite.watermark=<ms>}. The one place
 * of that encoding.
 *
 * <p>Why: the watermark of a job is the minimum over every partition of its input, also the ones another member of the
 * group owns (see {@code WatermarkTracker}). The owner commits each offset with the partition's watermark at that
 * offset; the others read it back with the committed offsets and hold their watermark there, not at "nothing seen",
 * so several live instances do not block each other, and one that dies leaves its last report behind. This is Beam's
 * per-source-partition report, carried by Kafka's own offset store.
 */
public final class WatermarkReport {
    private static final String PREFIX = "flinklite.watermark=";

    private WatermarkReport() {
    }

    /** The metadata of an offset committed at watermark {@code watermarkMs}. */
    public static String format(long watermarkMs) {
        return PREFIX + watermarkMs;
    }

    /** The watermark in an offset's metadata; {@link Long#MIN_VALUE} when it holds none (or another tool's text). */
    public static long parse(String metadata) {
        if (metadata == null || !metadata.startsWith(PREFIX)) {
            return Long.MIN_VALUE;
        }
        try {
            return Long.parseLong(metadata.substring(PREFIX.length()).trim());
        } catch (NumberFormatException e) {
            return Long.MIN_VALUE;
        }
    }
}
