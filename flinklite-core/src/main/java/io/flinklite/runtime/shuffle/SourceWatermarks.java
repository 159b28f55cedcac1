package io.flinklite.runtime.shuffle;

import io.flinklite.runtime.state.StateFormatException;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A keyed task's table of the source partitions' watermarks, from their markers: the job's watermark is the minimum
 * over every partition of every source topic, <b>held</b> (none at all) until {@code sourceTopics} topics have
 * reported and each of a topic's {@code total} partitions has reported once; idle partitions are left out (all idle:
 * the watermark stays). The same rule as Apache Beam's Kafka Streams runner, and the reason results do not depend on
 * how many tasks the job runs as.
 *
 * <p>Task thread only.
 */
public final class SourceWatermarks {
    private static final class Topic {
        long[] watermarks = new long[0];
        boolean[] reported = new boolean[0];
        boolean[] idle = new boolean[0];
        int reportedCount;

        int total() { return watermarks.length; }

        void resize(int total) {
            int old = watermarks.length;
            watermarks = Arrays.copyOf(watermarks, total);
            reported = Arrays.copyOf(reported, total);
            idle = Arrays.copyOf(idle, total);
            for (int i = old; i < total; i++) {
                watermarks[i] = Long.MIN_VALUE;
            }
            reportedCount = 0;
            for (boolean r : reported) {
                reportedCount += r ? 1 : 0;
            }
        }
    }

    private final int sourceTopics;
    private final Map<String, Topic> topics = new TreeMap<>();

    /** @param sourceTopics how many source topics feed the repartition stream (the watermark waits for all) */
    public SourceWatermarks(int sourceTopics) {
        if (sourceTopics < 1) {
            throw new IllegalArgumentException("at least one source topic, got " + sourceTopics);
        }
        this.sourceTopics = sourceTopics;
    }

    /**
     * Records a marker. A partition's watermark never goes back (a marker replayed after a task moved repeats an
     * older one); a topic that grew waits for its new partitions.
     *
     * @throws IllegalArgumentException for a partition outside {@code [0, total)}
     */
    public void update(String topic, int partition, int total, long watermarkMs, boolean idle) {
        if (total < 1 || partition < 0 || partition >= total) {
            throw new IllegalArgumentException("marker for partition " + partition + " of " + total + " of " + topic);
        }
        Topic t = topics.get(topic);
        if (t == null) {
            if (topics.size() == sourceTopics) {
                throw new IllegalArgumentException("marker of topic '" + topic + "' but the job's " + sourceTopics
                        + " source topic(s) are " + topics.keySet());
            }
            t = new Topic();
            topics.put(topic, t);
        }
        if (total > t.total()) {
            t.resize(total);
        }
        if (!t.reported[partition]) {
            t.reported[partition] = true;
            t.reportedCount++;
        }
        t.watermarks[partition] = Math.max(t.watermarks[partition], watermarkMs);
        t.idle[partition] = idle;
    }

    /** Whether every source partition has reported at least once. */
    public boolean allReported() {
        if (topics.size() < sourceTopics) {
            return false;
        }
        for (Topic t : topics.values()) {
            if (t.reportedCount < t.total()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The job's watermark by the rule above; {@link Long#MIN_VALUE} while held or while every partition is idle (the
     * caller keeps the watermark it has: watermarks never go back).
     */
    public long watermark() {
        if (!allReported()) {
            return Long.MIN_VALUE;
        }
        long min = Long.MAX_VALUE;
        boolean any = false;
        for (Topic t : topics.values()) {
            for (int p = 0; p < t.total(); p++) {
                if (!t.idle[p]) {
                    any = true;
                    min = Math.min(min, t.watermarks[p]);
                }
            }
        }
        return any ? min : Long.MIN_VALUE;
    }

    /** The last watermark reported by {@code topic}'s {@code partition}; {@link Long#MIN_VALUE} if none. */
    public long partitionWatermark(String topic, int partition) {
        Topic t = topics.get(topic);
        return t == null || partition >= t.total() ? Long.MIN_VALUE : t.watermarks[partition];
    }

    /** Writes {@code "topics": [{"topic", "partitions": [{"watermark", "reported", "idle"}]}]}. */
    public void snapshotState(StateWriter w) {
        w.beginArray("topics");
        for (Map.Entry<String, Topic> e : topics.entrySet()) {
            Topic t = e.getValue();
            w.beginObject(null);
            w.writeString("topic", e.getKey());
            w.beginArray("partitions");
            for (int p = 0; p < t.total(); p++) {
                w.beginObject(null);
                w.writeLong("watermark", t.watermarks[p]);
                w.writeBoolean("reported", t.reported[p]);
                w.writeBoolean("idle", t.idle[p]);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
    }

    /** Restores what {@link #snapshotState} wrote into this fresh table. */
    public void restoreState(StateReader r) {
        r.beginArray("topics");
        while (r.hasNext()) {
            r.beginObject(null);
            String name = r.readString("topic");
            Topic t = new Topic();
            r.beginArray("partitions");
            int p = 0;
            while (r.hasNext()) {
                r.beginObject(null);
                t.resize(p + 1);
                t.watermarks[p] = r.readLong("watermark");
                t.reported[p] = r.readBoolean("reported");
                t.idle[p] = r.readBoolean("idle");
                r.endObject();
                p++;
            }
            r.endArray();
            t.resize(p);
            r.endObject();
            if (topics.put(name, t) != null) {
                throw new StateFormatException("source topic '" + name + "' twice in the watermark table");
            }
        }
        r.endArray();
        if (topics.size() > sourceTopics) {
            throw new StateFormatException("the watermark table has " + topics.size() + " source topics, the job "
                    + sourceTopics);
        }
    }
}
