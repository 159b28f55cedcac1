package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import io.flinklite.runtime.metrics.JobMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of a fused job (no {@code --scale-out}) started in one group on unkeyed input, with the default
 * session timeout: once the shared assignment outlasted the session timeout, an instance stops with the one line that
 * says what to do (the other too, or it is left owning the whole input), instead of both writing partial windows for
 * ever.
 */
@ExtendWith(SharedKafkaBroker.class)
class SharedGroupGuardIT {

    @Test
    void twoFusedInstancesInOneGroupStopWithOneLineNamingScaleOut(@TempDir Path dir) throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
        broker.createTopic("shared-in", 3);
        broker.createTopic("shared-out", 1);
        KafkaTestSupport.produce(broker.bootstrapServers(), "shared-in", KafkaTestSupport.disorderedEvents(3, 600,
                new int[] {0, 1, 2}, System.currentTimeMillis() - 600_000));
        List<KafkaJob> jobs = new ArrayList<>();
        List<AtomicReference<Throwable>> failures = new ArrayList<>();
        List<JobMetrics> metrics = List.of(new JobMetrics(), new JobMetrics());
        try {
            for (int i = 0; i < 2; i++) {
                KafkaJob job = new KafkaJob(new KafkaJob.Settings(connection, JobSpec.defaults())
                        .inputTopic("shared-in").outputTopic("shared-out").groupId("shared")
                        .checkpoints(new CheckpointSettings(dir.resolve("instance-" + i), 1_000,
                                Delivery.AT_LEAST_ONCE, false, null)), metrics.get(i));
                jobs.add(job);
                failures.add(KafkaTestSupport.startJob(job));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> metrics.get(0).partitions().length > 0
                    && metrics.get(1).partitions().length > 0 || failures.get(0).get() != null);
            // The session timeout (45 s by default) plus the margin, and some time for the checks.
            await().atMost(Duration.ofSeconds(100)).until(() -> failures.get(0).get() != null
                    || failures.get(1).get() != null);
            int stopped = failures.get(0).get() != null ? 0 : 1;
            assertThat(failures.get(stopped).get()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("2 instances of this job share group shared (this one owns shared-in [")
                    .hasMessageContaining("Run every instance with --scale-out").hasMessageContaining("--keyed-input");
            // The other stopped too, or (its check came later) now owns the whole input alone: nothing shares it.
            int other = 1 - stopped;
            await().atMost(Duration.ofSeconds(60)).until(() -> failures.get(other).get() != null
                    || metrics.get(other).partitions().length == 3);
            if (failures.get(other).get() != null) {
                assertThat(failures.get(other).get()).hasMessageContaining("share group shared");
            }
        } finally {
            for (KafkaJob job : jobs) {
                job.stop();
                job.awaitStopped(30_000);
            }
        }
    }
}
