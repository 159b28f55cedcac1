package io.flinklite.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A reference line, not an engine: the seed job hand-written for exactly this input as one loop (Jackson streaming
 * parse of the two fields, filter, per-event watermark, two sliding windows per event in a sorted map per key,
 * fire when W >= end - 1). What a programmer gets without any engine; ANCHORS.md measured about 3.9 M events per
 * CPU-second for such a loop. Boxes and allocates freely, like a quick hand-written program would.
 */
final class HandWrittenLoop {
    private static final long SIZE = 10_000;
    private static final long SLIDE = 5_000;
    private static final long BOUND = 5_000;

    private HandWrittenLoop() {
    }

    /** @return the results as canonical lines {@code key,windowStart,windowEnd,count} */
    static List<String> run(byte[][] events) throws IOException {
        SeedFields fields = new SeedFields();
        Map<String, TreeMap<Long, long[]>> open = Map.of("important", new TreeMap<>(), "critical", new TreeMap<>());
        List<String> out = new ArrayList<>();
        long max = Long.MIN_VALUE + BOUND + 1;
        for (byte[] event : events) {
            fields.read(event);
            long ts = fields.timestamp;
            String message = fields.message;
            TreeMap<Long, long[]> windows = message == null ? null : open.get(message);
            if (windows != null) {
                for (long start = ts - Math.floorMod(ts, SLIDE); start > ts - SIZE; start -= SLIDE) {
                    windows.computeIfAbsent(start, s -> new long[1])[0]++;
                }
            }
            max = Math.max(max, ts);
            fire(open, max - BOUND - 1, out);
        }
        fire(open, Long.MAX_VALUE, out);
        return out;
    }

    private static void fire(Map<String, TreeMap<Long, long[]>> open, long watermark, List<String> out) {
        for (Map.Entry<String, TreeMap<Long, long[]>> key : open.entrySet()) {
            Iterator<Map.Entry<Long, long[]>> it = key.getValue().entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, long[]> w = it.next();
                long end = w.getKey() + SIZE;
                if (end - 1 > watermark) {
                    break;
                }
                out.add(key.getKey() + "," + w.getKey() + "," + end + "," + w.getValue()[0]);
                it.remove();
            }
        }
    }
}
