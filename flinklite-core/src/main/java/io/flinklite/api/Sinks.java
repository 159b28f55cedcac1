package io.flinklite.api;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/** Ready-made {@link Sink} adapters for user jobs. */
public final class Sinks {
    private Sinks() {
    }

    /**
     * Writes each {@link Windowed} result of a job to {@code target} as a {@link WindowResult}: the key and window,
     * the count {@code count} extracts, and the value {@code value} extracts ({@link Double#NaN} for none). Flushing
     * flushes {@code target}; closing only flushes it, because {@code target} belongs to whoever opened it (for
     * {@link JobContext#results()}, the runtime).
     */
    public static <OUT> Sink<Windowed<OUT>> toWindowResults(Sink<WindowResult> target, ToLongFunction<? super OUT> count,
                                                           ToDoubleFunction<? super OUT> value) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(count, "count");
        Objects.requireNonNull(value, "value");
        return new Sink<>() {
            @Override
            public void write(Windowed<OUT> result) throws Exception {
                OUT out = result.value();
                double v = value.applyAsDouble(out);
                target.write(Double.isNaN(v)
                        ? WindowResult.ofCount(result.key(), result.windowStart(), result.windowEnd(), count.applyAsLong(out))
                        : WindowResult.ofValue(result.key(), result.windowStart(), result.windowEnd(), count.applyAsLong(out), v));
            }

            @Override
            public void flush() throws Exception {
                target.flush();
            }

            @Override
            public void close() throws Exception {
                target.flush();
            }
        };
    }

    /**
     * Writes every result to each of {@code sinks}, in order; flush and close reach all of them even when one fails
     * (the first failure is thrown, later ones are attached as suppressed).
     */
    public static <T> Sink<T> fanOut(List<? extends Sink<T>> sinks) {
        List<? extends Sink<T>> all = List.copyOf(sinks);
        if (all.size() == 1) {
            return all.get(0);
        }
        return new Sink<>() {
            @Override
            public void write(T result) throws Exception {
                for (int i = 0, n = all.size(); i < n; i++) {
                    all.get(i).write(result);
                }
            }

            @Override
            public void flush() throws Exception {
                forEach(all, Sink::flush);
            }

            @Override
            public void close() throws Exception {
                forEach(all, Sink::close);
            }
        };
    }

    /** What {@link #forEach} does to each sink. */
    private interface SinkAction<T> {
        void apply(Sink<T> sink) throws Exception;
    }

    /** Applies {@code action} to every sink, even after one failed; throws the first failure. */
    private static <T> void forEach(List<? extends Sink<T>> sinks, SinkAction<T> action) throws Exception {
        Exception first = null;
        for (Sink<T> s : sinks) {
            try {
                action.apply(s);
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
