package io.flinklite.connector.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits until a just-created topic can be written: every partition has a leader that knows it leads.
 *
 * <p>Why: {@code CreateTopics} returns once the controller recorded the topic, before each partition's leader has
 * applied that; a producer writing at once gets {@code NOT_LEADER_OR_FOLLOWER} for its first batch and, idempotent,
 * can then see its retried first batch refused with {@code OutOfOrderSequenceException} behind later ones that were
 * accepted (seen on the in-process broker): records lost to the writer that created the topic. {@code ListOffsets} is
 * answered only by a partition's leader, exactly as {@code Produce} is, so its success is the readiness to wait for.
 */
public final class TopicLeaders {
    private TopicLeaders() {
    }

    /**
     * Blocks until {@code ListOffsets} succeeds on every partition of {@code topic}.
     *
     * @throws TimeoutException when that takes longer than {@code timeoutMs}
     * @throws ExecutionException for a non-retriable error of the request
     */
    public static void await(Admin admin, String topic, int partitions, long timeoutMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new TimeoutException("the partitions of topic " + topic + " have no leader after " + timeoutMs + " ms");
            }
            try {
                admin.listOffsets(request).all().get(left, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException)) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
