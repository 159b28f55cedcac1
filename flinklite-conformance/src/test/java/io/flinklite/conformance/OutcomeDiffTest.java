package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinklite.api.WindowResult;
import io.flinklite.job.AggregateSpec;
import io.flinklite.job.JobSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comparison the differential tests rest on: multisets, exact where both engines must agree to the bit. */
class OutcomeDiffTest {

    private static ConformanceCase caseOf(AggregateSpec aggregate, boolean exactValues) {
        return new ConformanceCase("c", -1, JobSpec.defaults().withAggregate(aggregate), List.of(), exactValues, 0);
    }

    private static final ConformanceCase COUNT = caseOf(AggregateSpec.count(), true);
    private static final WindowResult A = WindowResult.ofCount("critical", 0, 10, 2);
    private static final WindowResult B = WindowResult.ofCount("important", 0, 10, 1);

    @Test
    void orderDoesNotMatterButMultiplicityDoes() {
        assertThat(OutcomeDiff.diff(COUNT, new Outcome(List.of(A, B, A), List.of("x")), new Outcome(List.of(A, A, B), List.of("x"))))
                .isNull();
        assertThat(OutcomeDiff.diff(COUNT, new Outcome(List.of(A, B, A), List.of()), new Outcome(List.of(A, B), List.of())))
                .contains("only in Flink (missing in FlinkLite): 1").contains("\"count\":2");
        assertThat(OutcomeDiff.diff(COUNT, new Outcome(List.of(A), List.of("x")), new Outcome(List.of(A), List.of("x", "x"))))
                .contains("late side output: Flink 1, FlinkLite 2");
    }

    @Test
    void minAndMaxCompareExactlyEvenOnInexactInput() {
        ConformanceCase min = caseOf(AggregateSpec.of(AggregateSpec.Kind.MIN, "value"), false);
        Outcome flink = new Outcome(List.of(WindowResult.ofValue("k", 0, 10, 3, 0.1)), List.of());
        assertThat(OutcomeDiff.diff(min, flink, new Outcome(List.of(WindowResult.ofValue("k", 0, 10, 3, Math.nextUp(0.1))), List.of())))
                .isNotNull();
        assertThat(OutcomeDiff.diff(min, flink, flink)).isNull();
    }

    @Test
    void sumsCompareExactlyOnQuarterValuesAndWithinTheRoundingBoundOtherwise() {
        WindowResult flinkSum = WindowResult.ofValue("k", 0, 10, 1_000, 12_345.678);
        WindowResult lastBitOff = WindowResult.ofValue("k", 0, 10, 1_000, Math.nextUp(12_345.678));
        WindowResult farOff = WindowResult.ofValue("k", 0, 10, 1_000, 12_345.7);
        ConformanceCase exact = caseOf(AggregateSpec.of(AggregateSpec.Kind.SUM, "value"), true);
        ConformanceCase inexact = caseOf(AggregateSpec.of(AggregateSpec.Kind.SUM, "value"), false);
        Outcome flink = new Outcome(List.of(flinkSum), List.of());
        assertThat(OutcomeDiff.diff(exact, flink, new Outcome(List.of(lastBitOff), List.of()))).isNotNull();
        assertThat(OutcomeDiff.diff(inexact, flink, new Outcome(List.of(lastBitOff), List.of()))).isNull();
        assertThat(OutcomeDiff.diff(inexact, flink, new Outcome(List.of(farOff), List.of()))).isNotNull();
    }

    @Test
    void countResultsMustNotCarryAValue() {
        assertThat(OutcomeDiff.diff(COUNT, new Outcome(List.of(A), List.of()),
                new Outcome(List.of(WindowResult.ofValue("critical", 0, 10, 2, 2.0)), List.of()))).isNotNull();
    }
}
