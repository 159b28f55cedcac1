package io.flinklite.runtime.join;

import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.state.MemoryState;
import io.flinklite.runtime.state.StateWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A minimal two-input harness for the join operators, as Flink's {@code KeyedTwoInputStreamOperatorTestHarness}:
 * elements and watermarks per input (the operator sees the minimum, advanced only when it moves), the output in
 * order (pairs, late elements, forwarded watermarks), snapshot and restore into a fresh operator. Elements are JSON
 * objects given as text with their timestamp and key, so the real {@link JsonPayloadCodec} keeps them. To be replaced
 * by the generic harness of {@code io.flinklite.testing} once the operator graph lands.
 */
final class JoinHarness {
    static final OutputTag<Event> LATE_LEFT = new OutputTag<>("late-left");
    static final OutputTag<Event> LATE_RIGHT = new OutputTag<>("late-right");

    /** One pair as emitted: key, both JSON objects, timestamps, window ({@code 0, 0} for interval joins), timestamp. */
    record Pair(String key, String left, long leftTs, String right, long rightTs, long windowStart, long windowEnd,
                long timestamp) {
        @Override
        public String toString() {
            return key + ":" + left + "@" + leftTs + "+" + right + "@" + rightTs
                    + (windowEnd != 0 ? " [" + windowStart + "," + windowEnd + ")" : "") + " ts=" + timestamp;
        }
    }

    /** A late element on the side output {@code side} ("late-left", "late-right"). */
    record Late(String side, String json, long timestamp) {
    }

    /** A watermark the operator forwarded. */
    record Watermark(long timestamp) {
    }

    private final Function<Output<JoinedPair<byte[], byte[]>>, TwoInputOperator<Event, Event>> factory;
    final TwoInputOperator<Event, Event> operator;
    private final List<Object> output = new ArrayList<>();
    private long watermark1 = Long.MIN_VALUE;
    private long watermark2 = Long.MIN_VALUE;
    private long combined = Long.MIN_VALUE;
    private final DecodedEvent event = new DecodedEvent();

    JoinHarness(Function<Output<JoinedPair<byte[], byte[]>>, TwoInputOperator<Event, Event>> factory) {
        this.factory = factory;
        this.operator = factory.apply(new Collector());
    }

    static JoinHarness interval(long lower, long upper) {
        return new JoinHarness(out -> new IntervalJoinOperator<>(lower, upper, JsonPayloadCodec.INSTANCE,
                JsonPayloadCodec.INSTANCE, out, LATE_LEFT, LATE_RIGHT));
    }

    static JoinHarness window(io.flinklite.api.WindowAssigner assigner, long allowedLateness) {
        return new JoinHarness(out -> new WindowJoinOperator<>(assigner, allowedLateness, JsonPayloadCodec.INSTANCE,
                JsonPayloadCodec.INSTANCE, out, LATE_LEFT, LATE_RIGHT));
    }

    /** A left element: the JSON object {@code json} (reused bytes, as the decoder's event would be). */
    JoinHarness left(long ts, String key, String json) throws Exception {
        operator.processElement1(event(ts, key, json), ts, key);
        return this;
    }

    JoinHarness right(long ts, String key, String json) throws Exception {
        operator.processElement2(event(ts, key, json), ts, key);
        return this;
    }

    private Event event(long ts, String key, String json) {
        // Surrounded by other bytes, as a line inside a reader's buffer: the codec must copy only the record.
        byte[] bytes = ("##" + json + "##").getBytes(StandardCharsets.UTF_8);
        event.fill(0, false, ts, key, Double.NaN, false, bytes, 2, bytes.length - 4);
        return event;
    }

    JoinHarness watermark1(long w) throws Exception {
        watermark1 = Math.max(watermark1, w);
        advance();
        return this;
    }

    JoinHarness watermark2(long w) throws Exception {
        watermark2 = Math.max(watermark2, w);
        advance();
        return this;
    }

    /** Both inputs' watermarks to {@code w}. */
    JoinHarness watermark(long w) throws Exception {
        watermark1 = Math.max(watermark1, w);
        watermark2 = Math.max(watermark2, w);
        advance();
        return this;
    }

    private void advance() throws Exception {
        long min = Math.min(watermark1, watermark2);
        if (min > combined) {
            combined = min;
            operator.processWatermark(min);
        }
    }

    /** Everything emitted so far, in order. */
    List<Object> output() {
        return output;
    }

    /** The pairs emitted so far, in order. */
    List<Pair> pairs() {
        List<Pair> pairs = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof Pair p) {
                pairs.add(p);
            }
        }
        return pairs;
    }

    /** The late elements so far, in order. */
    List<Late> late() {
        List<Late> late = new ArrayList<>();
        for (Object o : output) {
            if (o instanceof Late l) {
                late.add(l);
            }
        }
        return late;
    }

    /** Forgets the output so far. */
    JoinHarness clearOutput() {
        output.clear();
        return this;
    }

    MemoryState snapshot() {
        MemoryState state = new MemoryState();
        StateWriter w = state.writer();
        w.beginObject(null);
        operator.snapshotState(w);
        w.endObject();
        return state;
    }

    /** A fresh operator from the same factory, restored from {@code state}, with this harness's input watermarks. */
    JoinHarness restoreInto(MemoryState state) {
        JoinHarness h = new JoinHarness(factory);
        var r = state.reader();
        r.beginObject(null);
        h.operator.restoreState(r);
        r.endObject();
        h.watermark1 = watermark1;
        h.watermark2 = watermark2;
        h.combined = combined;
        return h;
    }

    private final class Collector implements Output<JoinedPair<byte[], byte[]>> {
        @Override
        public void emit(JoinedPair<byte[], byte[]> p, long timestampMs) {
            output.add(new Pair(p.key(), text(p.left()), p.leftTimestampMs(), text(p.right()), p.rightTimestampMs(),
                    p.windowStartMs(), p.windowEndMs(), timestampMs));
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            Event e = (Event) element;
            output.add(new Late(tag.id(), new String(e.payload(), e.payloadOffset(), e.payloadLength(),
                    StandardCharsets.UTF_8), timestampMs));
        }

        @Override
        public void emitWatermark(long watermarkMs) {
            output.add(new Watermark(watermarkMs));
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
