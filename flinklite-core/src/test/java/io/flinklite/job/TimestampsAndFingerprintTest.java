package io.flinklite.job;

import org.junit.jupiter.api.Test;

import java.text.SimpleDateFormat;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TimestampsAndFingerprintTest {

    @Test
    void aTimestampIsIsoWithMillisecondsAndTheZoneAndParsesBackToTheSameInstant() {
        long ms = 1_764_648_959_123L;
        String text = Timestamps.format(ms);
        assertThat(text).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})");
        assertThat(OffsetDateTime.parse(text).toInstant().toEpochMilli()).isEqualTo(ms);
    }

    @Test
    void theLogFormatterReadsThePatternTheSameWay() {
        long ms = 1_764_648_959_123L;
        assertThat(new SimpleDateFormat(Timestamps.PATTERN).format(new Date(ms))).isEqualTo(Timestamps.format(ms));
    }

    @Test
    void aBuiltInFingerprintGivesItsSpecBack() {
        JobSpec[] specs = {
                JobSpec.defaults(),
                JobSpec.defaults().withWindow(WindowSpec.session(30_000)).withTypes(null).withKeyField("user.id"),
                JobSpec.defaults().withWindow(WindowSpec.tumbling(60_000, 5_000)).withAllowedLatenessMs(2_000)
                        .withAggregate(AggregateSpec.parse("avg:latency")).withTypes(Set.of("a", "b")),
        };
        for (JobSpec spec : specs) {
            assertThat(JobSpec.fromFingerprint(spec.fingerprint())).contains(spec);
        }
    }

    @Test
    void otherFingerprintsAreNotBuiltInJobs() {
        assertThat(JobSpec.fromFingerprint("userJob=com.example.Job;parameters={}")).isEmpty();
        assertThat(JobSpec.fromFingerprint(JobSpec.defaults().fingerprint() + ";aggregateClass=x;valueField=v")).isEmpty();
        assertThat(JobSpec.fromFingerprint(JobSpec.defaults().fingerprint().replace("sliding:10s:5s", "sliding:10000ms:5s"))).isEmpty();
        assertThat(JobSpec.fromFingerprint("")).isEmpty();
    }
}
