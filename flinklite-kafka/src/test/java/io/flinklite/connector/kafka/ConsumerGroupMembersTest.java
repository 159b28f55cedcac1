package io.flinklite.connector.kafka;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The group description behind the web UI's peer list stays quick and quiet when the cluster does not answer. */
class ConsumerGroupMembersTest {

    @Test
    void anUnreachableClusterGivesNoMembersWithinTheAnswerTimeoutAndIsAskedAgainOnlyAfterTheCacheTime() {
        AtomicLong clock = new AtomicLong(1_000_000);
        // Port 9 (discard) on loopback: nothing listens, so the admin client never gets an answer.
        KafkaConnection nowhere = new KafkaConnection("127.0.0.1:9", Map.of(), 30_000);
        try (ConsumerGroupMembers members = new ConsumerGroupMembers(nowhere, "g", "t", clock::get)) {
            long start = System.nanoTime();
            assertThat(members.members()).isEmpty();
            long firstMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(firstMs).isLessThan(ConsumerGroupMembers.ANSWER_TIMEOUT_MS + 3_000);

            clock.addAndGet(ConsumerGroupMembers.CACHE_MS - 1);
            start = System.nanoTime();
            assertThat(members.members()).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).as("answered from the cache").isLessThan(500);
        }
    }
}
