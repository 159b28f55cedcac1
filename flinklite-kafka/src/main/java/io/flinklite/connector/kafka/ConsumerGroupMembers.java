package io.flinklite.connector.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The members of a consumer group and the input partitions each one owns, as the group coordinator describes them
 * (one {@code DescribeGroups} request), so each instance of a job can show the others. Answers are cached for
 * {@link #CACHE_MS}: the web UI refreshes every few seconds and must not load the coordinator. Thread-safe; close it
 * to release its admin client.
 */
public final class ConsumerGroupMembers implements AutoCloseable {

    /** How long one description of the group is reused. */
    public static final long CACHE_MS = 10_000;
    /** How long a request waits for the coordinator: the page must stay responsive when the cluster is not. */
    static final long ANSWER_TIMEOUT_MS = 2_000;

    /**
     * One member.
     *
     * @param memberId   the coordinator's id of the member
     * @param clientId   the member's {@code client.id}
     * @param host       the address the member connected from, as the broker saw it (without the leading slash)
     * @param partitions its assigned partitions of each of the job's input topics: topic to partitions ascending,
     *                   in the order the job names its topics, every input topic present (an empty list where it
     *                   has none)
     */
    public record Member(String memberId, String clientId, String host, Map<String, List<Integer>> partitions) {
        public Member {
            Map<String, List<Integer>> copy = new LinkedHashMap<>();
            partitions.forEach((topic, parts) -> copy.put(topic, List.copyOf(parts)));
            partitions = Collections.unmodifiableMap(copy);
        }
    }

    /** Asks the coordinator once; the seam the tests replace. */
    interface Describer extends AutoCloseable {
        List<Member> describe() throws Exception;

        @Override
        void close();
    }

    private final Describer describer;
    private final LongSupplier clockMs;
    private boolean closed;
    private List<Member> cached = List.of();
    private long cachedAtMs = Long.MIN_VALUE;

    /** @param topics the job's input topics, in the order the job names them (one group may read several) */
    public ConsumerGroupMembers(KafkaConnection connection, String groupId, List<String> topics) {
        this(new AdminDescriber(connection, groupId, topics), System::currentTimeMillis);
    }

    ConsumerGroupMembers(Describer describer, LongSupplier clockMs) {
        this.describer = describer;
        this.clockMs = clockMs;
    }

    /**
     * The group's members, at most {@link #CACHE_MS} old. When the coordinator cannot be asked, the last answer (or an
     * empty list) is returned and asked again after the cache time: the UI must keep showing this instance. After
     * {@link #close()}, the last answer.
     */
    public synchronized List<Member> members() {
        long now = clockMs.getAsLong();
        if (closed || cachedAtMs != Long.MIN_VALUE && now - cachedAtMs < CACHE_MS) {
            return cached;
        }
        cachedAtMs = now;
        try {
            cached = List.copyOf(describer.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // Keep the last answer: a coordinator moving or a broker restarting must not blank the page.
        }
        return cached;
    }

    @Override
    public synchronized void close() {
        closed = true;
        describer.close();
    }

    /** The coordinator's description of one member, its assignment narrowed to the job's {@code topics}. */
    static Member member(MemberDescription m, List<String> topics) {
        Map<String, List<Integer>> parts = new LinkedHashMap<>();
        for (String topic : topics) {
            parts.put(topic, new ArrayList<>());
        }
        for (TopicPartition tp : m.assignment().topicPartitions()) {
            List<Integer> ofTopic = parts.get(tp.topic());
            if (ofTopic != null) {
                ofTopic.add(tp.partition());
            }
        }
        parts.values().forEach(l -> l.sort(null));
        String host = m.host().startsWith("/") ? m.host().substring(1) : m.host();
        return new Member(m.consumerId(), m.clientId(), host, parts);
    }

    /** The real one: an admin client, created at the first question. */
    private static final class AdminDescriber implements Describer {
        private final KafkaConnection connection;
        private final String groupId;
        private final List<String> topics;
        private Admin admin;

        AdminDescriber(KafkaConnection connection, String groupId, List<String> topics) {
            this.connection = connection;
            this.groupId = groupId;
            this.topics = List.copyOf(topics);
        }

        @Override
        public List<Member> describe() throws ExecutionException, TimeoutException, InterruptedException {
            if (admin == null) {
                admin = connection.admin();
            }
            Map<String, ConsumerGroupDescription> groups = admin.describeConsumerGroups(List.of(groupId)).all()
                    .get(Math.min(connection.connectTimeoutMs(), ANSWER_TIMEOUT_MS), TimeUnit.MILLISECONDS);
            List<Member> members = new ArrayList<>();
            ConsumerGroupDescription group = groups.get(groupId);
            if (group != null) {
                for (MemberDescription m : group.members()) {
                    members.add(member(m, topics));
                }
            }
            return members;
        }

        @Override
        public void close() {
            if (admin != null) {
                // Zero: a description still waiting for an unreachable cluster must not hold up the job's stop.
                admin.close(Duration.ZERO);
                admin = null;
            }
        }
    }
}
