package io.flinklite.app;

import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.checkpoint.Delivery;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class StaticMembershipTest {

    @Test
    void theDefaultIdIsStableForADirectoryAndDiffersBetweenDirectories() {
        String a = StaticMembership.defaultInstanceId(Path.of("/var/lib/flinklite/a"));
        assertThat(a).matches("flinklite-[a-z0-9._-]+-[0-9a-f]{8}");
        assertThat(StaticMembership.defaultInstanceId(Path.of("/var/lib/flinklite/./a"))).isEqualTo(a);
        assertThat(StaticMembership.defaultInstanceId(Path.of("/var/lib/flinklite/b"))).isNotEqualTo(a);
    }

    @Test
    void staticOnlyWithCheckpointsOrAnExplicitIdAndNoneTurnsItOff() {
        KafkaJob.Settings settings = new KafkaJob.Settings(KafkaConnection.of("localhost:9092"), JobSpec.defaults());
        assertThat(settings.groupInstanceId()).as("no checkpoints, no id").isNull();
        settings.instanceId("worker-1");
        assertThat(settings.groupInstanceId()).isEqualTo("worker-1");
        settings.instanceId(null).checkpoints(new CheckpointSettings(Path.of("/data/cp"), 5_000, Delivery.AT_LEAST_ONCE,
                false, null));
        assertThat(settings.groupInstanceId()).isEqualTo(StaticMembership.defaultInstanceId(Path.of("/data/cp")));
        settings.instanceId(KafkaJob.Settings.NO_INSTANCE_ID);
        assertThat(settings.groupInstanceId()).isNull();
    }
}
