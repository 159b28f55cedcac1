package io.flinklite.runtime.join;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.operator.Output;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.SideOutputRecord;
import io.flinklite.testing.StreamRecord;
import io.flinklite.testing.TwoInputOperatorHarness;
import io.flinklite.testing.Watermark;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The join tests' view of the generic {@link TwoInputOperatorHarness}: elements are JSON objects given as text with
 * their timestamp and key, handed over in a reused {@link Event} inside a larger buffer as the decoder would, so the
 * real {@link JsonPayloadCodec} must copy exactly the record; the output reads as {@link Pair}s, {@link Late}s and
 * {@link Watermark}s, in the order emitted. Everything else (watermark per input, the minimum to the operator,
 * snapshot and restore into a fresh operator) is the generic harness's.
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

    private final TwoInputOperatorHarness<Event, Event, JoinedPair<byte[], byte[]>> harness;
    final Object operator;
    private final Event event = new Event();

    private JoinHarness(TwoInputOperatorHarness<Event, Event, JoinedPair<byte[], byte[]>> harness) {
        this.harness = harness;
        this.operator = harness.operator();
    }

    /** The generic harness over the join operator {@code factory} builds, copying what the operator reuses. */
    static TwoInputOperatorHarness<Event, Event, JoinedPair<byte[], byte[]>> generic(
            java.util.function.Function<Output<JoinedPair<byte[], byte[]>>,
                    ? extends io.flinklite.runtime.operator.TwoInputOperator<Event, Event>> factory) {
        return TwoInputOperatorHarness.of(factory)
                .copyingOutput(JoinedPair::copy)
                .copyingSideOutput(LATE_LEFT, JoinHarness::copyEvent)
                .copyingSideOutput(LATE_RIGHT, JoinHarness::copyEvent);
    }

    static JoinHarness interval(long lower, long upper) {
        return new JoinHarness(generic(out -> new IntervalJoinOperator<>(lower, upper, JsonPayloadCodec.INSTANCE,
                JsonPayloadCodec.INSTANCE, out, LATE_LEFT, LATE_RIGHT)));
    }

    static JoinHarness window(WindowAssigner assigner, long allowedLateness) {
        return new JoinHarness(generic(out -> new WindowJoinOperator<>(assigner, allowedLateness,
                JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, out, LATE_LEFT, LATE_RIGHT)));
    }

    /** An event whose payload is its own copy: the operator's late output hands over the reused one. */
    static Event copyEvent(Event e) {
        byte[] payload = e.copyPayload();
        Event copy = new Event();
        copy.set(e.hasId() ? e.id() : 0, e.hasId(), e.timestamp(), e.key(), e.value(), e.hasValue(), payload, 0,
                payload.length);
        return copy;
    }

    /** A left element: the JSON object {@code json} (reused bytes, as the decoder's event would be). */
    JoinHarness left(long ts, String key, String json) throws Exception {
        harness.processElement1(event(ts, key, json), ts, key);
        return this;
    }

    JoinHarness right(long ts, String key, String json) throws Exception {
        harness.processElement2(event(ts, key, json), ts, key);
        return this;
    }

    private Event event(long ts, String key, String json) {
        // Surrounded by other bytes, as a line inside a reader's buffer: the codec must copy only the record.
        byte[] bytes = ("##" + json + "##").getBytes(StandardCharsets.UTF_8);
        event.set(0, false, ts, key, Double.NaN, false, bytes, 2, bytes.length - 4);
        return event;
    }

    JoinHarness watermark1(long w) throws Exception {
        harness.processWatermark1(w);
        return this;
    }

    JoinHarness watermark2(long w) throws Exception {
        harness.processWatermark2(w);
        return this;
    }

    /** Both inputs' watermarks to {@code w}. */
    JoinHarness watermark(long w) throws Exception {
        harness.processWatermark(w);
        return this;
    }

    /** Everything emitted so far, in order: {@link Pair}s, {@link Late}s, {@link Watermark}s. */
    List<Object> output() {
        List<Object> out = new ArrayList<>();
        for (Object o : harness.emitted()) {
            if (o instanceof StreamRecord<?> r) {
                JoinedPair<?, ?> p = (JoinedPair<?, ?>) r.value();
                out.add(new Pair(p.key(), text((byte[]) p.left()), p.leftTimestampMs(), text((byte[]) p.right()),
                        p.rightTimestampMs(), p.windowStartMs(), p.windowEndMs(), r.timestamp()));
            } else if (o instanceof SideOutputRecord<?> s) {
                Event e = (Event) s.value();
                out.add(new Late(s.tag().id(), text(e.copyPayload()), s.timestamp()));
            } else {
                out.add(o);
            }
        }
        return out;
    }

    /** The pairs emitted so far, in order. */
    List<Pair> pairs() {
        List<Pair> pairs = new ArrayList<>();
        for (Object o : output()) {
            if (o instanceof Pair p) {
                pairs.add(p);
            }
        }
        return pairs;
    }

    /** The late elements so far, in order. */
    List<Late> late() {
        List<Late> late = new ArrayList<>();
        for (Object o : output()) {
            if (o instanceof Late l) {
                late.add(l);
            }
        }
        return late;
    }

    /** Forgets the output so far. */
    JoinHarness clearOutput() {
        harness.clearOutput();
        return this;
    }

    HarnessSnapshot snapshot() {
        return harness.snapshot();
    }

    /** A fresh operator from the same factory, restored from {@code snapshot}, with this harness's input watermarks. */
    JoinHarness restoreInto(HarnessSnapshot snapshot) {
        return new JoinHarness(harness.restored(snapshot));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
