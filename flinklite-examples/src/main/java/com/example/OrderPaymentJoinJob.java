package com.example;

import io.flinklite.api.Collector;
import io.flinklite.api.Job;
import io.flinklite.api.JobContext;
import io.flinklite.api.OutputRecord;
import io.flinklite.api.Pipeline;
import io.flinklite.api.ProcessJoinFunction;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.UserJob;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.job.Durations;

import java.time.Duration;

/**
 * Orders joined with their payments, as Flink's interval join: a payment of an order that arrives within
 * {@code [lower, upper]} of the order's time (default 0 to 10 minutes after it) makes one output record, keyed by the
 * order id, with both times, the order's total and the amount paid.
 *
 * <pre>
 * bin/flinklite run --jar flinklite-examples/target/flinklite-examples.jar --job com.example.OrderPaymentJoinJob \
 *     --input-topic orders,payments --output-topic paid-orders
 * </pre>
 *
 * <p>The job has two sources, {@code orders} then {@code payments}, bound to the two topics of {@code --input-topic}
 * in that order. Orders are {@code {"timestamp":..,"orderId":"o-1","total":25.0}}, payments
 * {@code {"timestamp":..,"orderId":"o-1","amount":25.0}}. Parameters ({@code --job-param KEY=VALUE}): {@code lower}
 * (default {@code 0s}; {@code -5s} for before the order), {@code upper} (default {@code 10m}), {@code out-of-orderness} (default {@code 5s}),
 * {@code idle-timeout} (default {@code 30s}).
 */
public final class OrderPaymentJoinJob implements UserJob {

    /** An order as the join keeps it. */
    public record Order(String id, long timestampMs, double total) {
    }

    /** A payment as the join keeps it. */
    public record Payment(String orderId, long timestampMs, double amount) {
    }

    /** How buffered orders are checkpointed: {@code id,timestamp,total}, the id last so that it may hold commas. */
    static final StateSerializer<Order> ORDERS = StateSerializer.of(
            o -> o.timestampMs() + "," + o.total() + "," + o.id(),
            text -> {
                String[] f = text.split(",", 3);
                return new Order(f[2], Long.parseLong(f[0]), Double.parseDouble(f[1]));
            });

    /** How buffered payments are checkpointed, as {@link #ORDERS}. */
    static final StateSerializer<Payment> PAYMENTS = StateSerializer.of(
            p -> p.timestampMs() + "," + p.amount() + "," + p.orderId(),
            text -> {
                String[] f = text.split(",", 3);
                return new Payment(f[2], Long.parseLong(f[0]), Double.parseDouble(f[1]));
            });

    /** One output line per paid order: {@code {"orderId":..,"orderTime":..,"paymentTime":..,"total":..,"paid":..}}. */
    static final class Paid extends ProcessJoinFunction<Order, Payment, OutputRecord> {
        @Override
        public void processElement(Order order, Payment payment, Context ctx, Collector<OutputRecord> out) {
            out.collect(new OutputRecord(order.id(), "{\"orderId\":\"" + escape(order.id()) + "\",\"orderTime\":"
                    + ctx.leftTimestamp() + ",\"paymentTime\":" + ctx.rightTimestamp() + ",\"total\":" + order.total()
                    + ",\"paid\":" + payment.amount() + "}"));
        }

        private static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    /** {@code 5s}, or {@code -5s} for a bound before the order. */
    private static Duration signedDuration(String text) {
        String t = text.trim();
        return t.startsWith("-") ? Duration.ofMillis(-Durations.parseMillis(t.substring(1)))
                : Duration.ofMillis(Durations.parseMillis(t));
    }

    @Override
    public Job<?, ?, ?> build(JobContext context) {
        Duration lower = signedDuration(context.parameter("lower", "0s"));
        Duration upper = signedDuration(context.parameter("upper", "10m"));
        WatermarkStrategy watermarks = WatermarkStrategy
                .forBoundedOutOfOrderness(Durations.parseMillis(context.parameter("out-of-orderness", "5s")))
                .withIdleness(Durations.parseMillis(context.parameter("idle-timeout", "30s")));

        var orders = Pipeline.fromSource("orders", "orderId", "total", watermarks)
                .map(e -> new Order(e.key(), e.timestamp(), e.value()));
        var payments = Pipeline.fromSource("payments", "orderId", "amount", watermarks)
                .map(e -> new Payment(e.key(), e.timestamp(), e.value()));
        var join = orders.keyBy(Order::id)
                .intervalJoin(payments.keyBy(Payment::orderId))
                .between(lower, upper);
        if (context.lateEvents() != null) {
            join = join.sideOutputLateData(context.lateEvents());
        }
        return join.process(new Paid(), ORDERS, PAYMENTS).sinkTo(context.records());
    }
}
