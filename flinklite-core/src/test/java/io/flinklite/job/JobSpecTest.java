package io.flinklite.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;

class JobSpecTest {

    @Test
    void durationsTakeMillisecondsSecondsMinutesAndHours() {
        assertThat(Durations.parseMillis("250ms")).isEqualTo(250);
        assertThat(Durations.parseMillis("5s")).isEqualTo(5_000);
        assertThat(Durations.parseMillis("2m")).isEqualTo(120_000);
        assertThat(Durations.parseMillis("1h")).isEqualTo(3_600_000);
        assertThat(Durations.parseMillis(" 0s ")).isZero();
    }

    @Test
    void badDurationsNameTheOffendingText() {
        assertThatThrownBy(() -> Durations.parseMillis("5")).hasMessageContaining("'5'").hasMessageContaining("missing unit");
        assertThatThrownBy(() -> Durations.parseMillis("-5s")).hasMessageContaining("'-5s'");
        assertThatThrownBy(() -> Durations.parseMillis("5 days")).hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> Durations.parseMillis("99999999999999999999s")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Durations.parseMillis("9223372036854775807ms")).hasMessageContaining("at most 100 years");
        assertThatThrownBy(() -> Durations.parseMillis("876001h")).hasMessageContaining("at most 100 years");
        assertThat(Durations.parseMillis("876000h")).isEqualTo(Durations.MAX_MILLIS);
        assertThatThrownBy(() -> Durations.parseMillis("")).hasMessageContaining("empty");
    }

    @Test
    void eachDurationIsCheckedOnceWithTheSameSentenceInTheApiTheJobSpecAndTheEngine() {
        long tooLong = Durations.MAX_MILLIS + 1;
        // allowed lateness: the Java API, the CLI's job spec, the window operator
        String lateness = "allowed lateness must not be negative, got -1 ms";
        assertThatThrownBy(() -> JobSpec.defaults().withAllowedLatenessMs(-1)).hasMessage(lateness);
        assertThatThrownBy(() -> apiWindowedStream().allowedLateness(-1)).hasMessage(lateness);
        assertThatThrownBy(() -> new io.flinklite.runtime.window.WindowOperator(io.flinklite.api.WindowAssigner.tumbling(1_000),
                -1, null, null)).hasMessage(lateness);
        assertThatThrownBy(() -> apiWindowedStream().allowedLateness(tooLong))
                .hasMessage("allowed lateness must be at most 100 years, got " + tooLong + " ms");
        assertThatThrownBy(() -> JobSpec.defaults().withAllowedLatenessMs(tooLong))
                .hasMessage("allowed lateness must be at most 100 years, got " + tooLong + " ms");
        // out-of-orderness: the API refused no bound at all before, the job spec refused over 100 years
        String bound = "out-of-orderness must be at most 100 years, got " + tooLong + " ms";
        assertThatThrownBy(() -> io.flinklite.api.WatermarkStrategy.forBoundedOutOfOrderness(tooLong)).hasMessage(bound);
        assertThatThrownBy(() -> JobSpec.defaults().withOutOfOrdernessMs(tooLong)).hasMessage(bound);
        assertThatThrownBy(() -> new io.flinklite.runtime.watermark.WatermarkTracker(tooLong, 0, false)).hasMessage(bound);
        assertThatThrownBy(() -> JobSpec.defaults().withOutOfOrdernessMs(-5))
                .hasMessage("out-of-orderness must not be negative, got -5 ms");
        assertThatThrownBy(() -> io.flinklite.api.WatermarkStrategy.forBoundedOutOfOrderness(-5))
                .hasMessage("out-of-orderness must not be negative, got -5 ms");
        // idle timeout: the API and the engine's task options
        String idle = "idle timeout must not be negative, got -1 ms";
        assertThatThrownBy(() -> io.flinklite.api.WatermarkStrategy.forBoundedOutOfOrderness(0).withIdleness(-1)).hasMessage(idle);
        assertThatThrownBy(() -> io.flinklite.runtime.task.TaskOptions.defaults().withIdleTimeoutMs(-1)).hasMessage(idle);
        // window lengths: the API's assigner and the CLI's window spec
        assertThatThrownBy(() -> io.flinklite.api.WindowAssigner.session(0)).hasMessage("session gap must be positive, got 0 ms");
        assertThatThrownBy(() -> WindowSpec.parse("session:0s")).hasMessageContaining("session gap must be positive, got 0 ms");
    }

    @Test
    void theSeedJobIsTheDefaultStringsParsed() {
        JobSpec spec = JobSpec.defaults();
        assertThat(spec.window()).isEqualTo(WindowSpec.parse(JobSpec.DEFAULT_WINDOW));
        assertThat(spec.outOfOrdernessMs()).isEqualTo(5_000);
        assertThat(spec.allowedLatenessMs()).isZero();
        assertThat(spec.types()).containsExactly("important", "critical");
        assertThat(spec.keyField()).isEqualTo("message");
        assertThat(spec.aggregate()).isEqualTo(AggregateSpec.count());
    }

    private static io.flinklite.api.WindowedStream<io.flinklite.api.Event> apiWindowedStream() {
        return io.flinklite.api.Pipeline.fromEvents("message", null, io.flinklite.api.WatermarkStrategy.forBoundedOutOfOrderness(0))
                .keyBy(io.flinklite.api.Event::key)
                .window(io.flinklite.api.WindowAssigner.tumbling(1_000));
    }

    @Test
    void durationsFormatToTheirShortestExactForm() {
        assertThat(Durations.format(5_000)).isEqualTo("5s");
        assertThat(Durations.format(1_500)).isEqualTo("1500ms");
        assertThat(Durations.format(0)).isEqualTo("0ms");
        assertThat(Durations.format(120_000)).isEqualTo("2m");
    }

    @Test
    void windowSpecsParseAndPrintCanonically() {
        assertThat(WindowSpec.parse("sliding:10s:5s")).isEqualTo(WindowSpec.sliding(10_000, 5_000, 0));
        assertThat(WindowSpec.parse("tumbling:10s").slideMs()).isEqualTo(10_000);
        assertThat(WindowSpec.parse("tumbling:1h:15m").offsetMs()).isEqualTo(900_000);
        assertThat(WindowSpec.parse("session:5s").gapMs()).isEqualTo(5_000);
        assertThat(WindowSpec.parse("SLIDING:10000ms:5s").toString()).isEqualTo("sliding:10s:5s");
    }

    @Test
    void badWindowSpecsAreRejectedWithTheirText() {
        assertThatThrownBy(() -> WindowSpec.parse("hopping:10s")).hasMessageContaining("'hopping:10s'");
        assertThatThrownBy(() -> WindowSpec.parse("sliding:10s")).hasMessageContaining("expected sliding:SIZE:SLIDE");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling:0s")).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> WindowSpec.parse("tumbling:10s:10s")).hasMessageContaining("offset");
    }

    @Test
    void aggregatesParse() {
        assertThat(AggregateSpec.parse("count").hasValue()).isFalse();
        assertThat(AggregateSpec.parse("avg:latency")).isEqualTo(AggregateSpec.of(AggregateSpec.Kind.AVG, "latency"));
        assertThatThrownBy(() -> AggregateSpec.parse("sum")).hasMessageContaining("needs a field");
        assertThatThrownBy(() -> AggregateSpec.parse("median:x")).hasMessageContaining("'median:x'");
        assertThatThrownBy(() -> AggregateSpec.parse("count:x")).hasMessageContaining("count takes no field");
    }

    @Test
    void defaultsAreTheSeedJob() {
        JobSpec spec = JobSpec.defaults();
        assertThat(spec.window().toString()).isEqualTo("sliding:10s:5s");
        assertThat(spec.outOfOrdernessMs()).isEqualTo(5_000);
        assertThat(spec.allowedLatenessMs()).isZero();
        assertThat(spec.types()).containsExactlyInAnyOrder("important", "critical");
        assertThat(spec.keyField()).isEqualTo("message");
        assertThat(spec.selects("normal")).isFalse();
    }

    @Test
    void fingerprintIgnoresTypeOrderAndNamesEachDifference() {
        JobSpec a = JobSpec.defaults().withTypes(JobSpec.parseTypes("critical,important"));
        JobSpec b = JobSpec.defaults().withTypes(Set.of("important", "critical"));
        assertThat(a.fingerprint()).isEqualTo(b.fingerprint());

        JobSpec c = b.withWindow(WindowSpec.parse("tumbling:10s")).withAllowedLatenessMs(2_000);
        assertThat(b.describeDifference(c))
                .isEqualTo("window: sliding:10s:5s vs tumbling:10s; allowedLateness: 0ms vs 2s");
        assertThat(b.describeDifference(b)).isEmpty();
    }

    @Test
    void starSelectsEveryType() {
        JobSpec all = JobSpec.defaults().withTypes(JobSpec.parseTypes("*"));
        assertThat(all.selectsAllTypes()).isTrue();
        assertThat(all.selects("anything")).isTrue();
        assertThat(all.fingerprint()).contains("types=*");
        assertThatThrownBy(() -> JobSpec.parseTypes(" , ")).hasMessageContaining("comma-separated");
    }
}
