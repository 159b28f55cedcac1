package io.flinklite.app;

import io.flinklite.connector.kafka.ConsumerGroupMembers;
import io.flinklite.connector.kafka.KafkaSourceReader;
import io.flinklite.runtime.task.BatchHook;
import io.flinklite.runtime.task.StreamTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Stops a fused job (no {@code --scale-out}) that shares its consumer group with other live instances: each would
 * compute every window from the partitions it owns, so on input not partitioned by the key every window comes out
 * as several partial results (measured in issue 12: three instances, 0 of 1,204 windows right), silently.
 *
 * <p>The rule, checked between batches once a second: this instance owns only some of its input's partitions AND
 * another member of the group owns the others (the coordinator's description of the group), continuously for
 * longer than the consumer's {@code session.timeout.ms} plus {@link #MARGIN_MS}. The wait is what tells a live
 * instance from a crashed one: a member that died (its process SIGKILLed, its session lingering, issue 10) is out of
 * the group by then and its partitions come here, while a live one stays. So a restart after a crash, a rolling
 * restart and a rebalance never trip it. The first sight of it is logged (WARN, with the time left); at the end the
 * job fails with one line naming the instances, the group and the ways out, which {@code run} prints before it exits
 * 1.
 *
 * <p>Not installed when the input is declared partitioned by the key ({@code --keyed-input}, as Flink's
 * {@code reinterpretAsKeyedStream}, or a Kafka Streams application that groups by the record key without a
 * repartition): then every key's records are in one partition, and instances sharing the group each compute
 * exact windows for their keys.
 *
 * <p>Task thread only.
 */
final class SharedGroupGuard implements BatchHook {

    private static final Logger LOG = LoggerFactory.getLogger(SharedGroupGuard.class);

    /** How often the assignment is looked at. */
    static final long CHECK_INTERVAL_MS = 1_000;
    /** Beyond the session timeout: time for the group to rebalance once a dead member's session expired. */
    static final long MARGIN_MS = 15_000;

    /** What the guard needs to know of the group; the seam the tests replace. */
    interface Group {
        /** The job's input topics, in source order. */
        List<String> topics();

        /** The partitions of source {@code source} this instance owns now. */
        int[] owned(int source);

        /** The partition count of source {@code source}'s topic; -1 while unknown. */
        int partitionCount(int source);

        /** This consumer's member id; empty before its first assignment. */
        String memberId();

        /** The group's members and their input partitions, as the coordinator describes them (may be cached). */
        List<ConsumerGroupMembers.Member> members();

        /** How long the group keeps a member that stopped answering. */
        long sessionTimeoutMs();
    }

    private final Group group;
    private final String groupId;
    private long nextCheckMs = Long.MIN_VALUE;
    private long sharedSinceMs = -1;

    SharedGroupGuard(Group group, String groupId) {
        this.group = Objects.requireNonNull(group, "group");
        this.groupId = Objects.requireNonNull(groupId, "groupId");
    }

    /** The guard of a job reading with {@code reader}, the group described by {@code members}. */
    static SharedGroupGuard of(KafkaSourceReader reader, ConsumerGroupMembers members, String groupId) {
        List<String> topics = reader.topics();
        return new SharedGroupGuard(new Group() {
            @Override
            public List<String> topics() {
                return topics;
            }

            @Override
            public int[] owned(int source) {
                return reader.assignedPartitions(source);
            }

            @Override
            public int partitionCount(int source) {
                return reader.partitionCount(source);
            }

            @Override
            public String memberId() {
                return reader.memberId();
            }

            @Override
            public List<ConsumerGroupMembers.Member> members() {
                return members.members();
            }

            @Override
            public long sessionTimeoutMs() {
                return reader.sessionTimeoutMs();
            }
        }, groupId);
    }

    /** How long a shared assignment must last before the job stops. */
    long graceMs() {
        return group.sessionTimeoutMs() + MARGIN_MS;
    }

    @Override
    public void afterBatch(StreamTask task, long nowMs) {
        check(nowMs);
    }

    /**
     * One look at the assignment (at most once per {@link #CHECK_INTERVAL_MS}).
     *
     * @throws IllegalArgumentException naming the instances and the group once other members owned part of the
     *                                  input for longer than {@link #graceMs()}
     */
    void check(long nowMs) {
        if (nowMs < nextCheckMs) {
            return;
        }
        nextCheckMs = nowMs + CHECK_INTERVAL_MS;
        if (ownsAll()) {
            sharedSinceMs = -1;
            return;
        }
        List<ConsumerGroupMembers.Member> others = new ArrayList<>();
        String me = group.memberId();
        for (ConsumerGroupMembers.Member m : group.members()) {
            if (!m.memberId().equals(me) && ownsAny(m)) {
                others.add(m);
            }
        }
        if (others.isEmpty()) {
            // Partitions nobody owns yet (a rebalance under way, a topic that grew): not shared.
            sharedSinceMs = -1;
            return;
        }
        if (sharedSinceMs < 0) {
            sharedSinceMs = nowMs;
            LOG.warn("{} other member(s) of group {} own partitions of the input ({}); this instance owns {}. If they are"
                    + " instances of this job, its windows are partial: it stops in {} s unless they leave (a crashed"
                    + " instance's session expires by then)", others.size(), groupId, describe(others), owned(),
                    graceMs() / 1000);
            return;
        }
        if (nowMs - sharedSinceMs >= graceMs()) {
            String message = (others.size() + 1) + " instances of this job share group " + groupId + " (this one owns "
                    + owned() + ", " + describe(others) + "): without --scale-out each computes its windows from its"
                    + " own partitions only, so results are partial. Run every instance with --scale-out (one job over"
                    + " all instances); or, if the input is partitioned by the key field (every record of a key in one"
                    + " partition), say so with --keyed-input; or give each job its own --group-id";
            throw new IllegalArgumentException(message);
        }
    }

    private boolean ownsAll() {
        List<String> topics = group.topics();
        for (int s = 0; s < topics.size(); s++) {
            int count = group.partitionCount(s);
            if (count >= 0 && group.owned(s).length < count) {
                return false;
            }
        }
        return true;
    }

    private boolean ownsAny(ConsumerGroupMembers.Member m) {
        for (String topic : group.topics()) {
            List<Integer> parts = m.partitions().get(topic);
            if (parts != null && !parts.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private String owned() {
        List<String> topics = group.topics();
        List<String> out = new ArrayList<>();
        for (int s = 0; s < topics.size(); s++) {
            out.add(topics.get(s) + " " + Arrays.toString(group.owned(s)));
        }
        return String.join(", ", out);
    }

    private static String describe(List<ConsumerGroupMembers.Member> others) {
        List<String> out = new ArrayList<>();
        for (ConsumerGroupMembers.Member m : others) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> e : m.partitions().entrySet()) {
                if (!e.getValue().isEmpty()) {
                    parts.add(e.getKey() + " " + new TreeSet<>(e.getValue()));
                }
            }
            out.add(m.clientId() + "@" + m.host() + " owns " + String.join(", ", parts));
        }
        return String.join("; ", out);
    }
}
