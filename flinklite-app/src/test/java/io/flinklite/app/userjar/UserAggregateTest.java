package io.flinklite.app.userjar;

import io.flinklite.api.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UserAggregateTest {
    private static final String HEADER = "package com.example; import io.flinklite.api.*; ";

    @TempDir
    Path dir;

    @Test
    void aUserFunctionIsCountedAndItsAccumulatorSurvivesACheckpoint() throws Exception {
        Path jar = TestJars.compile(dir, "max.jar", Map.of("com.example.MaxValue", HEADER
                + "public class MaxValue implements AggregateFunction<Event, double[], Double>, AccumulatorSerializer<double[]> {"
                + " public double[] createAccumulator() { return new double[] {Double.NEGATIVE_INFINITY}; }"
                + " public double[] add(Event e, double[] a) { a[0] = Math.max(a[0], e.value()); return a; }"
                + " public Double getResult(double[] a) { return a[0]; }"
                + " public double[] merge(double[] a, double[] b) { a[0] = Math.max(a[0], b[0]); return a; }"
                + " public String toText(double[] a) { return Double.toString(a[0]); }"
                + " public double[] fromText(String t) { return new double[] {Double.parseDouble(t)}; } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            @SuppressWarnings("unchecked")
            UserAggregate.Counting<Object> max = (UserAggregate.Counting<Object>) UserAggregate.load(userJar, "com.example.MaxValue");
            UserAggregate.Counted<Object> acc = max.createAccumulator();
            acc = max.add(Event.of(1, 1_000, "k", 3), acc);
            acc = max.add(Event.of(2, 2_000, "k", 7), acc);
            UserAggregate.Counted<Object> other = max.add(Event.of(3, 3_000, "k", 5), max.createAccumulator());
            acc = max.merge(acc, other);
            assertThat(max.getResult(acc).count()).isEqualTo(3);
            assertThat(max.getResult(acc).value()).isEqualTo(7.0);
            assertThat(max.toText(acc)).isEqualTo("3:7.0");
            UserAggregate.Counted<Object> restored = max.fromText(max.toText(acc));
            assertThat(max.getResult(restored).count()).isEqualTo(3);
            assertThat(max.getResult(restored).value()).isEqualTo(7.0);
        }
    }

    @Test
    void aFunctionOfTheWrongShapeIsRejectedWithAReason() throws Exception {
        Path jar = TestJars.compile(dir, "bad.jar", Map.of(
                "com.example.NoSerializer", HEADER
                        + "public class NoSerializer implements AggregateFunction<Event, long[], Long> {"
                        + " public long[] createAccumulator() { return new long[1]; }"
                        + " public long[] add(Event e, long[] a) { a[0]++; return a; }"
                        + " public Long getResult(long[] a) { return a[0]; }"
                        + " public long[] merge(long[] a, long[] b) { a[0] += b[0]; return a; } }",
                "com.example.Words", HEADER
                        + "public class Words implements AggregateFunction<Event, StringBuilder, String>, AccumulatorSerializer<StringBuilder> {"
                        + " public StringBuilder createAccumulator() { return new StringBuilder(); }"
                        + " public StringBuilder add(Event e, StringBuilder a) { return a.append(e.key()); }"
                        + " public String getResult(StringBuilder a) { return a.toString(); }"
                        + " public StringBuilder merge(StringBuilder a, StringBuilder b) { return a.append(b); }"
                        + " public String toText(StringBuilder a) { return a.toString(); }"
                        + " public StringBuilder fromText(String t) { return new StringBuilder(t); } }",
                "com.example.OfStrings", HEADER
                        + "public class OfStrings implements AggregateFunction<String, long[], Long>, AccumulatorSerializer<long[]> {"
                        + " public long[] createAccumulator() { return new long[1]; }"
                        + " public long[] add(String e, long[] a) { a[0]++; return a; }"
                        + " public Long getResult(long[] a) { return a[0]; }"
                        + " public long[] merge(long[] a, long[] b) { a[0] += b[0]; return a; }"
                        + " public String toText(long[] a) { return Long.toString(a[0]); }"
                        + " public long[] fromText(String t) { return new long[] {Long.parseLong(t)}; } }"));
        try (UserJar userJar = UserJar.open(jar)) {
            assertThatThrownBy(() -> UserAggregate.load(userJar, "com.example.NoSerializer"))
                    .hasMessageContaining("must also implement io.flinklite.api.AccumulatorSerializer");
            assertThatThrownBy(() -> UserAggregate.load(userJar, "com.example.Words"))
                    .hasMessageContaining("returns java.lang.String; --aggregate-class needs a numeric result");
            assertThatThrownBy(() -> UserAggregate.load(userJar, "com.example.OfStrings"))
                    .hasMessageContaining("aggregates java.lang.String, but the built-in job feeds it io.flinklite.api.Event");
        }
    }
}
