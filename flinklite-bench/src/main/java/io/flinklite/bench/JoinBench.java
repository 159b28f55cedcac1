package io.flinklite.bench;

import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.job.JobSpec;
import io.flinklite.job.JoinSpec;
import io.flinklite.runtime.join.IntervalJoinOperator;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.join.JsonPayloadCodec;
import io.flinklite.runtime.json.JoinPairJson;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.replay.JoinReplay;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bin/bench join} (issue 13): an interval join of two in-memory streams of pre-serialized JSON events (2 M
 * each by default), FlinkLite's join replay beside Apache Flink 2.3's {@code intervalJoin} in the same JVM and run,
 * as events (both streams) per CPU-second; then the heap bytes per buffered join element.
 *
 * <p>The traffic: orders (left) and payments (right), one event per millisecond on each side with up to 200 ms of
 * disorder, keyed by {@code message} over {@value #KEYS} keys ({@code order-<n>}); a payment of a key follows its
 * order every {@value #KEYS} ms, and the join {@code interval:-500ms:500ms} pairs each event with about one of the
 * other side. Out-of-orderness 1 s, so no event is late in either engine, whatever the interleaving, and both must
 * produce the same pairs (checked: count and an order-independent checksum of key and timestamps).
 *
 * <p>Both engines write each pair as its JSON line ({@code {"key":..,"left":{..},"right":{..}}}): FlinkLite with its
 * replay encoder into a discarding stream, Flink as the String its {@code ProcessJoinFunction} emits. Flink runs as a
 * user would write it: two bounded sources over the same arrays, a Jackson parse into a POJO that keeps the line,
 * {@code forBoundedOutOfOrderness(1 s)}, {@code keyBy} both sides, {@code between(-500 ms, 500 ms)}, parallelism 1.
 *
 * <p>Flags: {@code --events N} per side (default 2,000,000), {@code --runs N} (3), {@code --warmups N} (1),
 * {@code --seed N}, {@code --no-flink}, {@code --heap-elements N} (1,000,000; 0 skips).
 */
public final class JoinBench {
    static final int KEYS = 1000;
    static final long LOWER_MS = -500;
    static final long UPPER_MS = 500;
    static final long OUT_OF_ORDERNESS_MS = 1000;

    private JoinBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = 2_000_000;
        int runs = 3;
        int warmups = 1;
        long seed = 1;
        boolean flink = true;
        int heapElements = 1_000_000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events": events = Integer.parseInt(args[++i].replace("_", "")); break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmups": warmups = Integer.parseInt(args[++i]); break;
                case "--seed": seed = Long.parseLong(args[++i]); break;
                case "--no-flink": flink = false; break;
                case "--heap-elements": heapElements = Integer.parseInt(args[++i].replace("_", "")); break;
                default:
                    System.err.println("bench join: unknown flag " + args[i] + " (expected --events N, --runs N, "
                            + "--warmups N, --seed N, --no-flink, --heap-elements N)");
                    System.exit(2);
            }
        }
        System.out.printf(Locale.ROOT, "bench join: Java %s, %d cores, max heap %d MB%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        byte[][] orders = traffic(events, seed, "order");
        byte[][] payments = traffic(events, seed + 1, "payment");
        System.out.printf(Locale.ROOT, "bench join: interval:%dms:%dms, %,d + %,d events (%,d + %,d bytes of JSON), "
                        + "%d keys, out-of-orderness %d ms, seed %d%n", LOWER_MS, UPPER_MS, events, events,
                SeedTraffic.bytes(orders), SeedTraffic.bytes(payments), KEYS, OUT_OF_ORDERNESS_MS, seed);

        List<Measurement> rows = new ArrayList<>();
        Measurement lite = Measurement.of("FlinkLite (join replay, 1 thread)", 2L * events, warmups, runs,
                () -> flinkLite(orders, payments));
        rows.add(lite);
        Measurement reference = null;
        if (flink) {
            try (FlinkJoinJob job = new FlinkJoinJob()) {
                reference = Measurement.of("Apache Flink 2.3.0 intervalJoin, parallelism 1", 2L * events, warmups, runs,
                        () -> job.run(orders, payments));
                rows.add(reference);
            }
        }
        System.out.println();
        System.out.println("| engine | events/s | events per CPU-second | cores busy | per CPU-s vs Flink p1 |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Measurement m : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.2f M | %.2f M | %.2f | %s |%n", m.engine, m.eventsPerSecond() / 1e6,
                    m.eventsPerCpuSecond() / 1e6, m.cores(), reference == null ? "-"
                            : String.format(Locale.ROOT, "%.2fx", m.eventsPerCpuSecond() / reference.eventsPerCpuSecond()));
        }
        boolean same = true;
        PairSum mine = lite.result();
        System.out.printf(Locale.ROOT, "%n%s produced %,d pairs (checksum %016x)%n", lite.engine, mine.pairs, mine.checksum);
        if (reference != null) {
            PairSum theirs = reference.result();
            same = theirs.pairs == mine.pairs && theirs.checksum == mine.checksum;
            System.out.printf(Locale.ROOT, "%s produced %,d pairs (checksum %016x): %s%n", reference.engine, theirs.pairs,
                    theirs.checksum, same ? "the same pairs" : "DIFFERENT pairs");
        }
        if (heapElements > 0) {
            System.out.println();
            heapPerBufferedElement(heapElements, seed);
        }
        if (!same) {
            System.exit(1);
        }
    }

    /**
     * {@code n} events of one side: {@code {"id":i,"timestamp":t,"message":"order-k","kind":"<kind>"}} with
     * {@code t = start + i + disorder}, the disorder in [0, 200) ms, and key {@code i mod KEYS}.
     */
    static byte[][] traffic(int n, long seed, String kind) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            long ts = SeedTraffic.START_MS + i + rnd.nextInt(200);
            out[i] = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"order-" + (i % KEYS) + "\",\"kind\":\""
                    + kind + "\"}").getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    static JobSpec job() {
        return JobSpec.defaults().withTypes(null).withOutOfOrdernessMs(OUT_OF_ORDERNESS_MS);
    }

    /** The order-independent summary both engines must agree on. */
    record PairSum(long pairs, long checksum) {
    }

    static long mix(String key, long leftTs, long rightTs) {
        long h = key.hashCode() * 0x9E3779B97F4A7C15L + leftTs;
        h = h * 0xC2B2AE3D27D4EB4FL + rightTs;
        return h ^ (h >>> 29);
    }

    static PairSum flinkLite(byte[][] left, byte[][] right) throws Exception {
        JoinPairJson json = new JoinPairJson();
        OutputStream discard = OutputStream.nullOutputStream();
        long[] sum = new long[2];
        Sink<JoinedPair<byte[], byte[]>> sink = pair -> {
            json.writeLine(pair, discard);
            sum[0]++;
            sum[1] += mix(pair.key(), pair.leftTimestampMs(), pair.rightTimestampMs());
        };
        JoinReplay.Stats stats = JoinReplay.run(job(), JoinSpec.interval(LOWER_MS, UPPER_MS), left, right, sink, null,
                invalid -> {
                    throw new IllegalStateException("generated events are valid, yet: " + invalid);
                });
        if (stats.left().late() + stats.right().late() != 0) {
            throw new IllegalStateException("the benchmark traffic should have no late event: " + stats);
        }
        return new PairSum(sum[0], sum[1]);
    }

    /**
     * Heap bytes per buffered element: {@code n} order events into an interval join whose upper bound keeps them
     * all (nothing is cleaned before the end), used heap after full GCs before and after. The events are decoded
     * one at a time from bytes that are dropped afterwards, so the difference is the join's state: the copies of the
     * JSON objects, their timestamps, the per-key buffers and the key map.
     */
    static void heapPerBufferedElement(int n, long seed) throws Exception {
        Output<JoinedPair<byte[], byte[]>> none = new Output<>() {
            @Override
            public void emit(JoinedPair<byte[], byte[]> element, long timestampMs) {
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
                throw new IllegalStateException("nothing is late here");
            }

            @Override
            public void emitWatermark(long watermarkMs) {
            }
        };
        IntervalJoinOperator<Event, Event, byte[], byte[]> join = new IntervalJoinOperator<>(0,
                io.flinklite.api.WindowAssigner.MAX_LENGTH_MS, JsonPayloadCodec.INSTANCE, JsonPayloadCodec.INSTANCE, none,
                new OutputTag<>("late-left"), new OutputTag<>("late-right"));
        io.flinklite.runtime.json.EventDecoder decoder = new io.flinklite.runtime.json.EventDecoder("message", null, io.flinklite.runtime.task.TaskOptions.DEFAULT_MAX_RECORD_BYTES);
        DecodedEvent event = new DecodedEvent();
        long payloadBytes = 0;
        SplittableRandom rnd = new SplittableRandom(seed);
        long before = PaneHeap.usedHeapAfterGc();
        for (int i = 0; i < n; i++) {
            long ts = SeedTraffic.START_MS + i + rnd.nextInt(200);
            byte[] bytes = ("{\"id\":" + i + ",\"timestamp\":" + ts + ",\"message\":\"order-" + (i % KEYS)
                    + "\",\"kind\":\"order\"}").getBytes(StandardCharsets.US_ASCII);
            payloadBytes += bytes.length;
            if (decoder.decode(bytes, 0, bytes.length, event) != null) {
                throw new IllegalStateException(decoder.lastError());
            }
            join.processElement1(event, ts, event.key());
        }
        long after = PaneHeap.usedHeapAfterGc();
        if (join.bufferedElements() != n) {
            throw new IllegalStateException("expected " + n + " buffered elements, got " + join.bufferedElements());
        }
        System.out.printf(Locale.ROOT, "heap per buffered join element (%,d elements of %.1f JSON bytes on average, "
                        + "%d keys): %.0f bytes measured; the operator's own count: %.0f bytes%n", n,
                payloadBytes / (double) n, KEYS, (after - before) / (double) n, join.bufferedBytes() / (double) n);
        join.processWatermark(Long.MAX_VALUE);
        if (join.bufferedElements() != 0) {
            throw new IllegalStateException("the final watermark left " + join.bufferedElements() + " elements");
        }
    }
}
