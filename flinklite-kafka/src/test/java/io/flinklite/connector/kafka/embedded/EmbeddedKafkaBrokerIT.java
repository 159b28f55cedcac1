package io.flinklite.connector.kafka.embedded;

import org.junit.jupiter.api.extension.ExtendWith;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SharedKafkaBroker.class)
class EmbeddedKafkaBrokerIT {

    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void shareBroker() {
        broker = SharedKafkaBroker.get();
    }

    @Test
    void recordsProducedAreConsumedByAGroupFromTheEarliestOffset() throws Exception {
        broker.createTopic("plain", 3);
        try (KafkaProducer<String, String> producer = producer(Map.of())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>("plain", "k" + i, "v" + i));
            }
            producer.flush();
        }
        List<String> values = consumeAll("plain", "read_uncommitted", 30);
        assertThat(values).hasSize(30).contains("v0", "v29");
    }

    @Test
    void committedTransactionsAreVisibleAndAbortedOnesAreNot() throws Exception {
        broker.createTopic("tx", 1);
        try (KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx"))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("tx", "a", "committed"));
            producer.commitTransaction();
        }
        assertThat(consumeAll("tx", "read_committed", 1)).containsExactly("committed");
    }

    @Test
    void creatingAnExistingTopicIsANoOp() {
        broker.createTopic("twice", 2);
        broker.createTopic("twice", 2);
        assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void twoBrokersRunSideBySideAndCloseDeletesTheLogAndIsIdempotent() {
        EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", "2000000"));
        java.nio.file.Path log = second.logDir();
        assertThat(second.bootstrapServers()).isNotEqualTo(broker.bootstrapServers());
        assertThat(log).isDirectory();
        second.createTopic("only-on-second", 1);
        second.close();
        second.close();
        assertThat(log).doesNotExist();
    }

    private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.putAll(extra);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static List<String> consumeAll(String topic, String isolation, int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            // Keep polling a little past the expected count so a wrongly visible record would show up.
            int emptyPollsAfterExpected = 0;
            while (System.currentTimeMillis() < deadline && emptyPollsAfterExpected < 3) {
                int before = values.size();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
                    values.add(r.value());
                }
                if (values.size() >= expected && values.size() == before) {
                    emptyPollsAfterExpected++;
                }
            }
        }
        return values;
    }
}
