package io.flinklite.app;

import io.flinklite.runtime.checkpoint.Delivery;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointSettingsTest {

    private static CheckpointSettings settings(String transactionalId, CheckpointSettings.Store store) {
        return new CheckpointSettings(Path.of("cp"), 1_000, Delivery.EXACTLY_ONCE, false, transactionalId, null, store,
                null);
    }

    @Test
    void aScaledOutInstancesTransactionalIdIsTheGroupOrTheGivenPrefixAndItsInstanceId() {
        assertThat(settings(null, CheckpointSettings.Store.KAFKA).scaleOutTransactionalId("clicks", "flinklite-h-1a2b"))
                .isEqualTo("flinklite-clicks-flinklite-h-1a2b");
        assertThat(settings("tx", CheckpointSettings.Store.KAFKA).scaleOutTransactionalId("clicks", "i1"))
                .isEqualTo("tx-i1");
        // Two instances of one command line differ by their instance ids alone.
        CheckpointSettings same = settings(null, CheckpointSettings.Store.KAFKA);
        assertThat(same.scaleOutTransactionalId("g", "a")).isNotEqualTo(same.scaleOutTransactionalId("g", "b"));
    }
}
