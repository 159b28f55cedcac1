package com.example;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.Event;

/**
 * The mean of the events' value field ({@link Event#value()}), with the number of events it covers.
 *
 * <p>One class serves two uses:
 * <ul>
 *   <li>in {@link SessionAverageJob}, a complete user job;</li>
 *   <li>as the aggregate of the built-in job:
 *       {@code bin/flinklite run --jar flinklite-examples.jar --aggregate-class com.example.Average --value-field value}.
 *       That needs a numeric result, which is why {@link Result} extends {@link Number} (its number is the mean).</li>
 * </ul>
 *
 * <p>It is also its own {@link AccumulatorSerializer}: checkpoints store an accumulator as the text
 * {@code "COUNT,SUM"}. An event without a value (when the job reads no value field) counts but adds nothing.
 */
public final class Average implements AggregateFunction<Event, Average.Sum, Average.Result>, AccumulatorSerializer<Average.Sum> {

    /** The accumulator: mutable, owned by the engine's task thread. */
    public static final class Sum {
        long count;
        double sum;
    }

    /** A window's result: how many events had a value, and their mean ({@link Double#NaN} when none had). */
    public static final class Result extends Number {
        private static final long serialVersionUID = 1L;
        private final long count;
        private final double mean;

        Result(long count, double mean) {
            this.count = count;
            this.mean = mean;
        }

        public long count() { return count; }

        public double mean() { return mean; }

        @Override public double doubleValue() { return mean; }
        @Override public float floatValue() { return (float) mean; }
        @Override public long longValue() { return (long) mean; }
        @Override public int intValue() { return (int) mean; }

        @Override
        public String toString() {
            return "mean " + mean + " of " + count;
        }
    }

    @Override
    public Sum createAccumulator() {
        return new Sum();
    }

    @Override
    public Sum add(Event event, Sum acc) {
        // The engine hands every function the same Event instance, refilled per record: read it, never keep it.
        if (event.hasValue()) {
            acc.count++;
            acc.sum += event.value();
        }
        return acc;
    }

    @Override
    public Result getResult(Sum acc) {
        return new Result(acc.count, acc.count == 0 ? Double.NaN : acc.sum / acc.count);
    }

    @Override
    public Sum merge(Sum a, Sum b) {
        // May change a, must not change b: b can be a pane shared with other windows.
        a.count += b.count;
        a.sum += b.sum;
        return a;
    }

    @Override
    public String toText(Sum acc) {
        return acc.count + "," + Double.toString(acc.sum);
    }

    @Override
    public Sum fromText(String text) {
        int comma = text.indexOf(',');
        if (comma < 0) {
            throw new IllegalArgumentException("not an Average accumulator: '" + text + "' (expected COUNT,SUM)");
        }
        Sum acc = new Sum();
        try {
            acc.count = Long.parseLong(text.substring(0, comma));
            acc.sum = Double.parseDouble(text.substring(comma + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an Average accumulator: '" + text + "'", e);
        }
        return acc;
    }
}
