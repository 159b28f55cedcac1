package io.flinklite.runtime.task;

import io.flinklite.api.Collector;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.Pipeline;
import io.flinklite.api.ProcessJoinFunction;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowAssigner;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.join.JoinedPair;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.source.DeadLetterHandler;
import io.flinklite.testing.HarnessSnapshot;
import io.flinklite.testing.TwoInputOperatorHarness;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Joins and unions built with the Java API ({@code intervalJoin(..).between(..).process(..)},
 * {@code join(..).where(..).equalTo(..).window(..).apply(..)}, {@code union}) run by the task on the graph
 * {@link JobGraphs#of} makes: each side with its own source, key field and key selector, the function's context,
 * the exact bounds, lateness and the late output; and the join operator of that graph in a harness across a snapshot.
 * The two inputs are read a line of each in turn ({@link InterleavedSource}), so the expected output follows
 * from the watermarks line by line.
 */
class ApiJoinTest {
    private static final long T0 = 1_700_000_000_000L;

    record Order(String id, long ts) {
    }

    record Payment(String order, long ts) {
    }

    static final StateSerializer<Order> ORDERS = StateSerializer.of(o -> o.id() + "," + o.ts(),
            t -> new Order(t.substring(0, t.indexOf(',')), Long.parseLong(t.substring(t.indexOf(',') + 1))));
    static final StateSerializer<Payment> PAYMENTS = StateSerializer.of(p -> p.order() + "," + p.ts(),
            t -> new Payment(t.substring(0, t.indexOf(',')), Long.parseLong(t.substring(t.indexOf(',') + 1))));

    /** Writes {@code order@l + payment@r = ts} with times relative to T0, from the context. */
    static final class Describe extends ProcessJoinFunction<Order, Payment, String> {
        @Override
        public void processElement(Order left, Payment right, Context ctx, Collector<String> out) {
            out.collect(left.id() + "@" + (ctx.leftTimestamp() - T0) + "+" + right.order() + "@"
                    + (ctx.rightTimestamp() - T0) + "=" + (ctx.timestamp() - T0));
        }
    }

    private static byte[] order(long ts, String id) {
        return ("{\"timestamp\":" + (T0 + ts) + ",\"orderId\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] payment(long ts, String order) {
        return ("{\"timestamp\":" + (T0 + ts) + ",\"order\":\"" + order + "\",\"amount\":5}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static Job<Object, Void, String> intervalJob(Duration lower, Duration upper, boolean lowerExclusive,
                                                         boolean upperExclusive, List<String> out, List<String> late) {
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(60_000);
        var orders = Pipeline.fromSource("orders", "orderId", null, wm).map(e -> new Order(e.key(), e.timestamp()));
        var payments = Pipeline.fromSource("payments", "order", "amount", wm)
                .map(e -> new Payment(e.key(), e.timestamp()));
        var between = orders.keyBy(Order::id).intervalJoin(payments.keyBy(Payment::order)).between(lower, upper);
        if (lowerExclusive) {
            between = between.lowerBoundExclusive();
        }
        if (upperExclusive) {
            between = between.upperBoundExclusive();
        }
        return between.sideOutputLateData(b -> late.add(new String(b, StandardCharsets.UTF_8)))
                .process(new Describe(), ORDERS, PAYMENTS)
                .sinkTo(out::add);
    }

    private static JobMetrics run(Job<?, ?, ?> job, byte[][] left, byte[][] right) throws Exception {
        JobMetrics metrics = new JobMetrics();
        new StreamTask(JobGraphs.of(job), List.of(new InterleavedSource(left, right)),
                TaskOptions.replay(), DeadLetterHandler.DISCARD, metrics).run();
        return metrics;
    }

    @Test
    void anIntervalJoinPairsExactlyAtItsInclusiveBoundsAndNotOneMillisecondOutside() throws Exception {
        List<String> out = new ArrayList<>();
        List<String> late = new ArrayList<>();
        byte[][] orders = {order(10_000, "o1"), order(10_000, "o2")};
        byte[][] payments = {payment(7_999, "o1"), payment(8_000, "o1"), payment(13_000, "o1"),
                payment(13_001, "o1"), payment(9_000, "o2"), payment(9_000, "o3")};
        JobMetrics metrics = run(intervalJob(Duration.ofSeconds(-2), Duration.ofSeconds(3), false, false, out, late),
                orders, payments);
        assertThat(out).containsExactlyInAnyOrder("o1@10000+o1@8000=10000", "o1@10000+o1@13000=13000",
                "o2@10000+o2@9000=10000");
        assertThat(late).isEmpty();
        assertThat(metrics.joinPairs()).isEqualTo(3);
    }

    @Test
    void exclusiveBoundsLeaveOutTheBoundsThemselves() throws Exception {
        List<String> out = new ArrayList<>();
        byte[][] orders = {order(10_000, "o1")};
        byte[][] payments = {payment(8_000, "o1"), payment(8_001, "o1"), payment(12_999, "o1"), payment(13_000, "o1")};
        run(intervalJob(Duration.ofSeconds(-2), Duration.ofSeconds(3), true, true, out, new ArrayList<>()),
                orders, payments);
        assertThat(out).containsExactlyInAnyOrder("o1@10000+o1@8001=10000", "o1@10000+o1@12999=12999");
    }

    @Test
    void exclusiveBoundsThatLeaveNoIntervalAreRefused() {
        assertThatThrownBy(() -> intervalJob(Duration.ZERO, Duration.ofMillis(1), true, true, new ArrayList<>(),
                new ArrayList<>())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pair nothing");
        assertThatThrownBy(() -> intervalJob(Duration.ofSeconds(1), Duration.ZERO, false, false, new ArrayList<>(),
                new ArrayList<>())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("above");
    }

    @Test
    void aPaymentBehindTheJoinsWatermarkGoesToTheLateOutputAsReadAndIsCounted() throws Exception {
        List<String> out = new ArrayList<>();
        List<String> late = new ArrayList<>();
        // Out-of-orderness 60 s: orders run their watermark to 99_999 and payments to 139_999, so the join's is
        // 99_999 when the payment at 50 s arrives (its own side's watermark is ahead of it too).
        byte[][] orders = {order(160_000, "o1")};
        byte[][] payments = {payment(200_000, "o1"), payment(50_000, "o1")};
        JobMetrics metrics = run(intervalJob(Duration.ofSeconds(-2), Duration.ofSeconds(3), false, false, out, late),
                orders, payments);
        assertThat(out).isEmpty();
        assertThat(late).containsExactly(new String(payments[1], StandardCharsets.UTF_8));
        assertThat(metrics.joinLate(JobMetrics.RIGHT)).isEqualTo(1);
        assertThat(metrics.joinLate(JobMetrics.LEFT)).isZero();
    }

    @Test
    void aWindowJoinFiresTheCrossProductFiresAgainWithinTheAllowedLatenessAndSendsLaterElementsToTheLateOutput()
            throws Exception {
        List<String> out = new ArrayList<>();
        List<String> late = new ArrayList<>();
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(0);
        Job<Object, Void, String> job = Pipeline.fromSource("orders", "orderId", null, wm)
                .join(Pipeline.fromSource("payments", "order", null, wm))
                .where(Event::key)
                .equalTo(Event::key)
                .window(WindowAssigner.tumbling(10_000))
                .allowedLateness(15_000)
                .sideOutputLateData(b -> late.add(new String(b, StandardCharsets.UTF_8)))
                .apply((Event o, Event p) -> (o.timestamp() - T0) + "+" + (p.timestamp() - T0), StateSerializer.events(),
                        StateSerializer.events())
                .sinkTo(out::add);
        // Read L1 R1 L2 R2 L3 R3 L4 R4. After R2 the join's watermark is 19_999: [0, 10 s) fires (L1 x R1); it is
        // kept until 24_999, so L3 and R3 join it and it fires again in full each time; L4 moves the watermark to
        // 24_999, which purges it, so R4 is too late. [20 s, 30 s) fires at the end.
        byte[][] orders = {order(1_000, "k"), order(20_000, "k"), order(5_000, "k"), order(40_000, "k")};
        byte[][] payments = {payment(2_000, "k"), payment(25_000, "k"), payment(4_000, "k"), payment(6_000, "k")};
        JobMetrics metrics = new JobMetrics();
        new StreamTask(JobGraphs.of(job), List.of(new InterleavedSource(orders, payments)),
                TaskOptions.replay(), DeadLetterHandler.DISCARD, metrics).run();
        assertThat(out).containsExactlyInAnyOrder("1000+2000", "1000+2000", "5000+2000", "1000+2000", "5000+2000",
                "1000+4000", "5000+4000", "20000+25000");
        assertThat(late).containsExactly(new String(payments[3], StandardCharsets.UTF_8));
        assertThat(metrics.joinLate(JobMetrics.RIGHT)).isEqualTo(1);
    }

    @Test
    void theJoinOperatorOfTheGraphCarriesItsBufferedElementsAcrossASnapshotWithTheJobsSerializers() throws Exception {
        Job<Object, Void, String> job = intervalJob(Duration.ofSeconds(-1), Duration.ofSeconds(1), false, false,
                new ArrayList<>(), new ArrayList<>());
        JobGraph graph = JobGraphs.of(job);
        JobGraph.OperatorNode node = graph.operators().stream().filter(n -> n.id().equals(JobGraphs.JOIN))
                .findFirst().orElseThrow();
        assertThat(node.stateful()).isTrue();
        @SuppressWarnings("unchecked")
        TwoInputOperatorHarness<Order, Payment, JoinedPair<Order, Payment>> h = TwoInputOperatorHarness.of(out ->
                (TwoInputOperator<Order, Payment>) node.factory().create((Output<Object>) (Output<?>) out));
        h.copyingOutput(JoinedPair::copy);
        h.processElement1(new Order("a", 1_000), 1_000, "a").processElement2(new Payment("b", 1_500), 1_500, "b")
                .processWatermark(500);
        HarnessSnapshot snapshot = h.snapshot();
        var restored = h.restored(snapshot);
        restored.copyingOutput(JoinedPair::copy);
        restored.processElement2(new Payment("a", 1_900), 1_900, "a").processElement1(new Order("b", 2_400), 2_400, "b");
        assertThat(restored.elements()).extracting(p -> p.left() + "|" + p.right()).containsExactly(
                "Order[id=a, ts=1000]|Payment[order=a, ts=1900]", "Order[id=b, ts=2400]|Payment[order=b, ts=1500]");
    }

    @Test
    void aUnionOfTwoNamedSourcesWithTheirOwnKeyFieldsIsOneStreamForTheProcessFunction() throws Exception {
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(1_000);
        List<String> out = new ArrayList<>();
        Job<Event, Void, String> job = Pipeline.fromSource("orders", "orderId", null, wm)
                .union(Pipeline.fromSource("payments", "order", null, wm).filter(e -> !e.key().equals("skip")))
                .keyBy(Event::key)
                .process(new KeyedProcessFunction<Event, String>() {
                    @Override
                    public void processElement(Event e, Context ctx, Collector<String> o) {
                        o.collect(ctx.getCurrentKey() + "@" + (e.timestamp() - T0));
                    }
                })
                .sinkTo(out::add);
        assertThat(job.sources()).extracting(Pipeline.EventSource::name).containsExactly("orders", "payments");
        byte[][] orders = {order(1_000, "a"), order(2_000, "b")};
        byte[][] payments = {payment(1_500, "a"), payment(1_700, "skip"), payment(3_000, "c")};
        new StreamTask(JobGraphs.of(job), List.of(new ArraySourceReader(orders), new ArraySourceReader(payments)),
                TaskOptions.replay(), DeadLetterHandler.DISCARD, new JobMetrics()).run();
        assertThat(out).containsExactlyInAnyOrder("a@1000", "b@2000", "a@1500", "c@3000");
    }

    @Test
    void aUnionsWatermarkIsTheMinimumOfItsInputs() throws Exception {
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(1_000);
        List<String> out = new ArrayList<>();
        Job<Event, Void, String> job = Pipeline.fromSource("orders", "orderId", null, wm)
                .union(Pipeline.fromSource("payments", "order", null, wm))
                .keyBy(Event::key)
                .process(new KeyedProcessFunction<Event, String>() {
                    @Override
                    public void processElement(Event e, Context ctx, Collector<String> o) {
                        long w = ctx.timerService().currentWatermark();
                        o.collect((e.timestamp() - T0) + ":" + (w == Long.MIN_VALUE ? "none" : String.valueOf(w - T0)));
                    }
                })
                .sinkTo(out::add);
        // Read in turns: o@10 s, p@2 s, o@11 s, p@3 s. Orders run ahead (8_999 after the first), but the union waits
        // for payments: 999 after p@2 s, 1_999 after p@3 s.
        byte[][] orders = {order(10_000, "a"), order(11_000, "a")};
        byte[][] payments = {payment(2_000, "b"), payment(3_000, "b")};
        new StreamTask(JobGraphs.of(job), List.of(new InterleavedSource(orders, payments)), TaskOptions.replay(),
                DeadLetterHandler.DISCARD, new JobMetrics()).run();
        assertThat(out).containsExactly("10000:none", "2000:none", "11000:999", "3000:999");
    }

    @Test
    void aSourceReadTwiceOrTwoSourcesOfOneNameAreRefusedWithTheName() {
        WatermarkStrategy wm = WatermarkStrategy.forBoundedOutOfOrderness(1_000);
        var a = Pipeline.fromSource("a", "k", null, wm);
        assertThatThrownBy(() -> a.union(a)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> a.union(Pipeline.fromSource("a", "x", null, wm)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        Job<Object, Void, String> selfJoin = a.keyBy(Event::key).intervalJoin(a.keyBy(Event::key))
                .between(Duration.ZERO, Duration.ZERO)
                .process(new ProcessJoinFunction<Event, Event, String>() {
                    @Override
                    public void processElement(Event l, Event r, Context ctx, Collector<String> out) {
                    }
                }, StateSerializer.events(), StateSerializer.events())
                .sinkTo(s -> { });
        assertThatThrownBy(() -> JobGraphs.of(selfJoin)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("named 'a'");
    }

    @Test
    void theEventSerializerReadsBackEveryField() {
        StateSerializer<Event> s = StateSerializer.events();
        Event e = Event.of(7, T0, "crit,ical", 12.5);
        Event back = s.fromText(s.toText(e));
        assertThat(back.toString()).isEqualTo(e.toString());
        assertThat(back.payload()).isNull();
        assertThatThrownBy(() -> s.fromText("garbage")).isInstanceOf(IllegalArgumentException.class);
    }
}
