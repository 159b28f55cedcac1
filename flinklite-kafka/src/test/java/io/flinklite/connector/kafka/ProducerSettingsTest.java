package io.flinklite.connector.kafka;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** The producers' settings: what differs between them, and what a user may not weaken in any. */
class ProducerSettingsTest {

    private static final KafkaConnection PLAIN = KafkaConnection.of("localhost:9092");

    @Test
    void scaledOutOutputLingersWhereTheFusedOutputSendsAtOnce() {
        assertThat(ProducerSettings.idempotent(PLAIN, "c").get(ProducerConfig.LINGER_MS_CONFIG))
                .isEqualTo(ProducerSettings.OUTPUT_LINGER_MS).isEqualTo(0);
        Properties scaled = ProducerSettings.scaleOutIdempotent(PLAIN, "c");
        assertThat(scaled.get(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo(ProducerSettings.SCALE_OUT_LINGER_MS);
        assertThat(scaled.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
        assertThat(scaled.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isEqualTo(true);
        assertThat(scaled.get(ProducerConfig.CLIENT_ID_CONFIG)).isEqualTo("c");
    }

    @Test
    void aUsersLingerWinsButNotWeakerAcks() {
        KafkaConnection user = new KafkaConnection("localhost:9092",
                Map.of(ProducerConfig.LINGER_MS_CONFIG, "0", ProducerConfig.ACKS_CONFIG, "1"), 10_000);
        Properties scaled = ProducerSettings.scaleOutIdempotent(user, "c");
        assertThat(scaled.get(ProducerConfig.LINGER_MS_CONFIG)).isEqualTo("0");
        assertThat(scaled.get(ProducerConfig.ACKS_CONFIG)).isEqualTo("all");
    }
}
