package io.flinklite.connector.kafka;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The group description behind the web UI's peer list: cached, kept through failures, quiet after close. */
class ConsumerGroupMembersTest {

    private static final ConsumerGroupMembers.Member A =
            new ConsumerGroupMembers.Member("m-1", "flinklite-source", "10.0.0.5", Map.of("t", List.of(0, 1)));
    private static final ConsumerGroupMembers.Member B =
            new ConsumerGroupMembers.Member("m-2", "flinklite-source", "10.0.0.7", Map.of("t", List.of(2)));

    /** Answers from a script: a list of members, or an exception to throw; counts the questions. */
    private static final class ScriptedDescriber implements ConsumerGroupMembers.Describer {
        final Deque<Object> answers = new ArrayDeque<>();
        int asked;
        boolean closed;

        @Override
        @SuppressWarnings("unchecked")
        public List<ConsumerGroupMembers.Member> describe() throws Exception {
            asked++;
            Object next = answers.removeFirst();
            if (next instanceof Exception e) {
                throw e;
            }
            return (List<ConsumerGroupMembers.Member>) next;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void answersAreCachedKeptThroughFailuresAndNotAskedForAfterClose() {
        AtomicLong clock = new AtomicLong(1_000_000);
        ScriptedDescriber coordinator = new ScriptedDescriber();
        coordinator.answers.add(List.of(A, B));
        coordinator.answers.add(new java.util.concurrent.TimeoutException("no answer"));
        coordinator.answers.add(List.of(A));
        ConsumerGroupMembers members = new ConsumerGroupMembers(coordinator, clock::get);

        assertThat(members.members()).containsExactly(A, B);
        clock.addAndGet(ConsumerGroupMembers.CACHE_MS - 1);
        assertThat(members.members()).containsExactly(A, B);
        assertThat(coordinator.asked).as("within the cache time").isEqualTo(1);

        clock.addAndGet(1);
        assertThat(members.members()).as("a failed question keeps the last answer").containsExactly(A, B);
        assertThat(coordinator.asked).isEqualTo(2);
        assertThat(members.members()).as("and is not repeated at once").containsExactly(A, B);
        assertThat(coordinator.asked).isEqualTo(2);

        clock.addAndGet(ConsumerGroupMembers.CACHE_MS);
        assertThat(members.members()).containsExactly(A);

        members.close();
        assertThat(coordinator.closed).isTrue();
        clock.addAndGet(ConsumerGroupMembers.CACHE_MS);
        assertThat(members.members()).containsExactly(A);
        assertThat(coordinator.asked).as("nothing asked after close").isEqualTo(3);
    }

    @Test
    void anUnreachableClusterGivesNoMembersRatherThanAnError() {
        // Port 9 (discard) on loopback: nothing listens, so the admin client never gets an answer.
        try (ConsumerGroupMembers members = new ConsumerGroupMembers(
                new KafkaConnection("127.0.0.1:9", Map.of(), 30_000), "g", List.of("t"))) {
            assertThat(members.members()).isEmpty();
        }
    }

    @Test
    void aMemberShowsItsPartitionsOfEveryInputTopicInTheJobsOrderAndNoOtherTopic() {
        org.apache.kafka.clients.admin.MemberDescription m = new org.apache.kafka.clients.admin.MemberDescription(
                "m-1", "flinklite-source", "/10.0.0.5", new org.apache.kafka.clients.admin.MemberAssignment(java.util.Set.of(
                        new org.apache.kafka.common.TopicPartition("b", 2), new org.apache.kafka.common.TopicPartition("b", 0),
                        new org.apache.kafka.common.TopicPartition("a", 1),
                        new org.apache.kafka.common.TopicPartition("other", 0))));

        ConsumerGroupMembers.Member member = ConsumerGroupMembers.member(m, List.of("b", "a", "c"));

        assertThat(member.host()).isEqualTo("10.0.0.5");
        assertThat(member.partitions()).containsExactly(Map.entry("b", List.of(0, 2)), Map.entry("a", List.of(1)),
                Map.entry("c", List.of()));
    }
}
