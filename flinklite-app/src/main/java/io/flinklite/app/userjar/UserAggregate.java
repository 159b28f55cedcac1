package io.flinklite.app.userjar;

import io.flinklite.api.AccumulatorSerializer;
import io.flinklite.api.AggregateFunction;
import io.flinklite.api.DataStream;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.Pipeline;
import io.flinklite.api.Sink;
import io.flinklite.api.Sinks;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.api.WindowResult;
import io.flinklite.api.WindowedStream;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.task.TaskOptions;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * The built-in job with a user's {@link AggregateFunction} in place of {@code count}/{@code sum}/...:
 * {@code run --jar my.jar --aggregate-class com.example.Median --value-field amount}.
 *
 * <p>The named class must implement {@code AggregateFunction<Event, ACC, R>} with a numeric result {@code R}
 * ({@code Double}, {@code Long}, any {@link Number}) and {@code AccumulatorSerializer<ACC>}, so that checkpoints can
 * store its accumulators. Every result carries the window's event count beside the function's value, exactly as the
 * built-in value aggregates do: the function is wrapped in one that also counts.
 */
public final class UserAggregate {
    private UserAggregate() {
    }

    /**
     * Loads {@code className} from {@code jar} and checks it as far as reflection can: both interfaces, an element
     * type that accepts {@link Event}, a numeric result type.
     *
     * @throws IllegalArgumentException naming the class and what is wrong
     */
    public static Counting<?> load(UserJar jar, String className) {
        AggregateFunction<?, ?, ?> fn = jar.instantiate(className, AggregateFunction.class, "aggregate");
        if (!(fn instanceof AccumulatorSerializer)) {
            throw new IllegalArgumentException("aggregate class " + className + " must also implement "
                    + AccumulatorSerializer.class.getName() + " for its accumulator, so that checkpoints can store it");
        }
        Type in = typeArgument(fn.getClass(), AggregateFunction.class, 0);
        if (in instanceof Class && !((Class<?>) in).isAssignableFrom(Event.class)) {
            throw new IllegalArgumentException("aggregate class " + className + " aggregates "
                    + ((Class<?>) in).getName() + ", but the built-in job feeds it " + Event.class.getName());
        }
        Type out = typeArgument(fn.getClass(), AggregateFunction.class, 2);
        if (out instanceof Class && !isNumeric((Class<?>) out)) {
            throw new IllegalArgumentException("aggregate class " + className + " returns " + ((Class<?>) out).getName()
                    + "; --aggregate-class needs a numeric result (Double, Long, ... any java.lang.Number)");
        }
        return counting(className, fn);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Counting<?> counting(String className, AggregateFunction fn) {
        return new Counting<>(className, (AggregateFunction<Event, Object, ?>) fn, (AccumulatorSerializer<Object>) fn);
    }

    private static boolean isNumeric(Class<?> c) {
        return Number.class.isAssignableFrom(c) || c == Object.class
                || c == double.class || c == long.class || c == int.class || c == float.class;
    }

    /**
     * The built-in job of {@code spec} (types, key field, window, out-of-orderness, allowed lateness) with
     * {@code aggregate} as its aggregate, writing {@link WindowResult}s with the count and the function's value.
     *
     * @param valueField the JSON number field put in {@link Event#value()}, or {@code null}
     */
    public static <ACC> Job<Event, ?, ?> builtInJob(JobSpec spec, TaskOptions options, String valueField,
                                                    Counting<ACC> aggregate, Sink<WindowResult> results, Sink<byte[]> late) {
        WatermarkStrategy watermarks = WatermarkStrategy.forBoundedOutOfOrderness(spec.outOfOrdernessMs())
                .withIdleness(options.idleTimeoutMs());
        if (options.wallClockWhenIdle()) {
            watermarks = watermarks.withWallClockWhenIdle();
        }
        DataStream<Event> events = Pipeline.fromEvents(spec.keyField(), valueField, spec.timestamps(), watermarks);
        if (!spec.selectsAllTypes()) {
            events = events.filter(new TypeSelection(spec));
        }
        WindowedStream<Event> windows = events.keyBy(Event::key)
                .window(spec.window().assigner())
                .allowedLateness(spec.allowedLatenessMs());
        if (late != null) {
            windows = windows.sideOutputLateData(late);
        }
        return windows.aggregate(aggregate, aggregate)
                .sinkTo(Sinks.toWindowResults(results, CountAndValue::count, CountAndValue::value));
    }

    /**
     * The spec's type filter, named by the types it keeps: they are then part of the job's fingerprint, so a
     * checkpoint taken keeping other types is refused.
     */
    private static final class TypeSelection implements io.flinklite.api.FilterFunction<Event> {
        private final JobSpec spec;

        TypeSelection(JobSpec spec) {
            this.spec = spec;
        }

        @Override
        public boolean filter(Event e) {
            return spec.selects(e.key());
        }

        @Override
        public String toString() {
            return "types=" + String.join(",", new java.util.TreeSet<>(spec.types()));
        }
    }

    /** The first generic argument {@code index} of {@code iface} as {@code c} (or a superclass) implements it. */
    private static Type typeArgument(Class<?> c, Class<?> iface, int index) {
        for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
            for (Type t : k.getGenericInterfaces()) {
                if (t instanceof ParameterizedType && ((ParameterizedType) t).getRawType() == iface) {
                    return ((ParameterizedType) t).getActualTypeArguments()[index];
                }
            }
        }
        return null;
    }

    /** A firing's event count and the user function's value. */
    public static final class CountAndValue {
        private final long count;
        private final double value;

        CountAndValue(long count, double value) {
            this.count = count;
            this.value = value;
        }

        public long count() { return count; }

        public double value() { return value; }
    }

    /** A user function's accumulator with the number of events folded into it. Mutable; owned by the task thread. */
    public static final class Counted<A> {
        long count;
        A inner;

        Counted(long count, A inner) {
            this.count = count;
            this.inner = inner;
        }
    }

    /**
     * Wraps a user function so that it also counts; its accumulator is stored in checkpoints as
     * {@code COUNT:USER_TEXT}.
     */
    public static final class Counting<A> implements AggregateFunction<Event, Counted<A>, CountAndValue>,
            AccumulatorSerializer<Counted<A>> {
        private final String className;
        private final AggregateFunction<Event, A, ?> function;
        private final AccumulatorSerializer<A> serializer;

        Counting(String className, AggregateFunction<Event, A, ?> function, AccumulatorSerializer<A> serializer) {
            this.className = className;
            this.function = function;
            this.serializer = serializer;
        }

        /** The user's class: what the job's fingerprint knows this aggregate by. */
        @Override
        public String toString() {
            return className;
        }

        @Override
        public Counted<A> createAccumulator() {
            return new Counted<>(0, function.createAccumulator());
        }

        @Override
        public Counted<A> add(Event value, Counted<A> accumulator) {
            accumulator.count++;
            accumulator.inner = function.add(value, accumulator.inner);
            return accumulator;
        }

        @Override
        public CountAndValue getResult(Counted<A> accumulator) {
            Object result = function.getResult(accumulator.inner);
            if (!(result instanceof Number)) {
                throw new IllegalStateException("aggregate class " + className + " returned "
                        + (result == null ? "null" : "a " + result.getClass().getName())
                        + "; --aggregate-class needs a numeric result");
            }
            return new CountAndValue(accumulator.count, ((Number) result).doubleValue());
        }

        @Override
        public Counted<A> merge(Counted<A> a, Counted<A> b) {
            a.count += b.count;
            a.inner = function.merge(a.inner, b.inner);
            return a;
        }

        @Override
        public String toText(Counted<A> accumulator) {
            return accumulator.count + ":" + serializer.toText(accumulator.inner);
        }

        @Override
        public Counted<A> fromText(String text) {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("bad accumulator of aggregate class " + className + ": '" + text
                        + "' (expected COUNT:TEXT)");
            }
            long count;
            try {
                count = Long.parseLong(text.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad accumulator count of aggregate class " + className + ": '"
                        + text + "'");
            }
            return new Counted<>(count, serializer.fromText(text.substring(colon + 1)));
        }

        /** The user's class name, for messages and the job description. */
        public String className() {
            return className;
        }
    }
}
