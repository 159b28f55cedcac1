package io.flinklite.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The seed job's input, pre-serialized in memory: {@code {"id":7,"timestamp":1700000000002,"message":"critical"}}
 * (about 60 bytes), one event per millisecond of event time from {@link #START_MS}, each shifted back by a random
 * disorder of 0 to 5,000 ms (never more than the job's 5 s out-of-orderness, so no event is late and periodic and
 * per-event watermarks give the same results), messages drawn evenly from important, normal and critical.
 *
 * <p>5 M events span 5,000 s of event time (plus the first event's disorder): 1,002 sliding windows of 10 s every
 * 5 s per kept message, from {@code [START_MS - 10 s, START_MS)} to the one starting 5 s before the last event's
 * window end, so 2,004 results in all, as ANCHORS.md reports for its own seed data.
 */
public final class SeedTraffic {
    /** Event time of the first event: 2023-11-14T22:13:20Z. */
    public static final long START_MS = 1_700_000_000_000L;
    /** The largest disorder of an event behind the stream's clock. */
    public static final long MAX_DISORDER_MS = 5_000;

    private static final String[] MESSAGES = {"important", "normal", "critical"};

    private SeedTraffic() {
    }

    /** @return {@code count} events as UTF-8 JSON without line terminators; the same for the same seed */
    public static byte[][] generate(int count, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[][] events = new byte[count][];
        StringBuilder line = new StringBuilder(72);
        for (int i = 0; i < count; i++) {
            long ts = START_MS + i - rnd.nextLong(0, MAX_DISORDER_MS + 1);
            line.setLength(0);
            line.append("{\"id\":").append(i).append(",\"timestamp\":").append(ts)
                    .append(",\"message\":\"").append(MESSAGES[rnd.nextInt(MESSAGES.length)]).append("\"}");
            events[i] = line.toString().getBytes(StandardCharsets.US_ASCII);
        }
        return events;
    }

    /** Total bytes of JSON, for reporting. */
    public static long bytes(byte[][] events) {
        long total = 0;
        for (byte[] e : events) {
            total += e.length;
        }
        return total;
    }
}
