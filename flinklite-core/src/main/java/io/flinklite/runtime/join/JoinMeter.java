package io.flinklite.runtime.join;

import io.flinklite.runtime.metrics.JobMetrics;

/**
 * What a join operator publishes between batches ({@link io.flinklite.runtime.operator.ReportsMetrics}), the same for
 * both joins: every element it received is an outcome, {@code accepted} or {@code late} (per side too), and the pairs
 * and the buffered state are the join's own metrics. Keeps the totals already published, so each call adds the
 * difference. Task thread.
 */
final class JoinMeter {
    /** Elements received, both sides; the operator increments it. */
    long received;
    private long publishedReceived;
    private long publishedPairs;
    private long publishedLateLeft;
    private long publishedLateRight;

    void publish(JobMetrics metrics, long pairs, long lateLeft, long lateRight, long bufferedElements,
                 long bufferedBytes) {
        long left = lateLeft - publishedLateLeft;
        long right = lateRight - publishedLateRight;
        metrics.addAccepted(received - publishedReceived - left - right);
        metrics.addLate(left + right);
        metrics.addJoinLate(JobMetrics.LEFT, left);
        metrics.addJoinLate(JobMetrics.RIGHT, right);
        metrics.addJoinPairs(pairs - publishedPairs);
        metrics.setJoinState(bufferedElements, bufferedBytes);
        publishedReceived = received;
        publishedPairs = pairs;
        publishedLateLeft = lateLeft;
        publishedLateRight = lateRight;
    }
}
