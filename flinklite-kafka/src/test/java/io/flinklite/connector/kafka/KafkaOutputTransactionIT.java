package io.flinklite.connector.kafka;

import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.runtime.metrics.JobMetrics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The scaled-out exactly-once output ({@link KafkaOutput#transactional}) when the broker fences its producer: a
 * transaction the coordinator timed out (what a broker outage longer than {@code transaction.timeout.ms} leaves) is
 * an abort the output rides out with a new producer; another process registering the same transactional id stops it.
 */
@ExtendWith(SharedKafkaBroker.class)
class KafkaOutputTransactionIT {

    @Test
    void aTransactionTheBrokerTimedOutIsAbortedAndTheOutputGoesOn() throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        broker.createTopic("txo-timeout", 1);
        // A user's --kafka-property: a short transaction timeout, so the coordinator times the transaction out soon.
        KafkaConnection connection = new KafkaConnection(broker.bootstrapServers(),
                Map.of("transaction.timeout.ms", "1000"), KafkaConnection.DEFAULT_CONNECT_TIMEOUT_MS);
        JobMetrics metrics = new JobMetrics();
        try (KafkaOutput out = KafkaOutput.transactional(connection, "txo-timeout-id", 1_000, List.of("txo-timeout"),
                null, metrics); Admin admin = connection.admin()) {
            out.sendInTransaction(record("txo-timeout", "dropped with the timed-out transaction"));
            out.flush();
            // The coordinator aborts it at its next clean-up round (every 10 s by default), bumping the epoch.
            await().atMost(Duration.ofSeconds(60)).until(() -> admin.describeTransactions(List.of("txo-timeout-id"))
                    .description("txo-timeout-id").get(10, TimeUnit.SECONDS).state() != TransactionState.ONGOING);

            assertThatThrownBy(() -> out.commitTransaction(List.of(), null))
                    .isInstanceOf(KafkaOutput.TransactionAbortedException.class)
                    .hasMessageContaining("timed the transaction out");
            assertThat(metrics.transactionsAborted()).isEqualTo(1);

            out.sendInTransaction(record("txo-timeout", "committed by the new producer"));
            out.commitTransaction(List.of(), null);
            out.checkWrites();
        }
        assertThat(TransactionalCommitterIT.readCommitted(connection, "txo-timeout", 1))
                .containsExactly("committed by the new producer");
    }

    @Test
    void anotherProcessWithTheSameTransactionalIdStopsTheOutput() {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        broker.createTopic("txo-takeover", 1);
        KafkaConnection connection = KafkaConnection.of(broker.bootstrapServers());
        try (KafkaOutput zombie = KafkaOutput.transactional(connection, "txo-takeover-id", 1_000,
                List.of("txo-takeover"), null, new JobMetrics())) {
            zombie.sendInTransaction(record("txo-takeover", "never visible"));
            zombie.flush();
            try (KafkaOutput successor = KafkaOutput.transactional(connection, "txo-takeover-id", 1_000,
                    List.of("txo-takeover"), null, new JobMetrics())) {
                // Fenced within its transaction timeout: a takeover, not a broker outage.
                assertThatThrownBy(() -> zombie.commitTransaction(List.of(), null))
                        .isNotInstanceOf(KafkaOutput.TransactionAbortedException.class)
                        .hasMessageContaining("was taken over by another process");
                successor.sendInTransaction(record("txo-takeover", "the successor's"));
                successor.commitTransaction(List.of(), null);
            }
        }
        assertThat(TransactionalCommitterIT.readCommitted(connection, "txo-takeover", 1)).containsExactly("the successor's");
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String value) {
        return new ProducerRecord<>(topic, null, value.getBytes(StandardCharsets.UTF_8));
    }
}
