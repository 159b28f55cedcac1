package io.flinklite.connector.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deletes the records of a job's internal topic that no task can need again ({@code Admin.deleteRecords}, as Kafka
 * Streams purges its repartition topics after each commit), so that the topic holds about one checkpoint interval of
 * records instead of its whole retention. Asynchronous: {@link #purgeBefore} sends the request and returns; a
 * failure is logged (rate-limited) and retried by the next call, never fails the job (the records are only kept
 * longer). Offsets only grow per partition: a request below the last one sent is not repeated. Task thread.
 */
public final class RecordPurger implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RecordPurger.class);
    private static final long TIMEOUT_MS = 30_000;

    private final KafkaConnection connection;
    private final String topic;
    private final RateLimitedLog failures = new RateLimitedLog(LOG, 60_000);
    /** Per partition the offset of the last request not known to have failed (the callback runs on the admin's thread). */
    private final Map<Integer, Long> sent = new ConcurrentHashMap<>();
    private final AtomicLong purged = new AtomicLong();
    private Admin admin;

    public RecordPurger(KafkaConnection connection, String topic) {
        this.connection = Objects.requireNonNull(connection, "connection");
        this.topic = Objects.requireNonNull(topic, "topic");
    }

    /** Asks the broker to delete the records of {@code partition} below {@code offset}. */
    public void purgeBefore(int partition, long offset) {
        if (offset <= 0 || offset <= sent.getOrDefault(partition, 0L)) {
            return;
        }
        if (admin == null) {
            admin = connection.admin("flinklite-purge", TIMEOUT_MS, TIMEOUT_MS);
        }
        long previous = sent.getOrDefault(partition, 0L);
        sent.put(partition, offset);
        TopicPartition tp = new TopicPartition(topic, partition);
        admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(offset))).all().whenComplete((ok, e) -> {
            if (e != null) {
                // Asked again at the next checkpoint; meanwhile the records are only kept longer.
                sent.computeIfPresent(partition, (p, o) -> o == offset ? previous : o);
                if (failures.allow(System.currentTimeMillis())) {
                    failures.warn("cannot delete the records of " + topic + "-" + partition + " before offset " + offset
                            + ": " + KafkaConnection.rootMessage(e));
                }
            } else {
                purged.incrementAndGet();
            }
        });
    }

    /** Purge requests the broker acknowledged; any thread. */
    public long purges() {
        return purged.get();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(5));
        }
    }
}
