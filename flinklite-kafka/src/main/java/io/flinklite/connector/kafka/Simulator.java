package io.flinklite.connector.kafka;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Produces the seed job's disordered traffic to a Kafka topic: the events of a {@link TrafficGenerator}, paced to a
 * rate, keyed by message or not, for a count of events or until {@link #stop()}.
 *
 * <p>{@link #run} runs on the caller's thread and returns when done; {@link #stop()} may be called from any thread
 * (a signal handler, the demo) and makes {@link #run} return after flushing what it sent.
 */
public final class Simulator implements AutoCloseable {

    /** Receives progress every progress interval, on the thread that runs {@link Simulator#run}. */
    @FunctionalInterface
    public interface ProgressListener {
        void progress(Stats stats, double recentRatePerSecond);
    }

    /** What a run sent. Written by the producing thread and producer callbacks; read anywhere. */
    public static final class Stats {
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong invalid = new AtomicLong();
        private final AtomicLong acknowledged = new AtomicLong();
        private final AtomicLong failed = new AtomicLong();
        private final AtomicReference<String> firstError = new AtomicReference<>();

        /** Records handed to the producer. */
        public long sent() { return sent.get(); }
        /** Of those, invalid records. */
        public long invalid() { return invalid.get(); }
        /** Records the broker acknowledged. */
        public long acknowledged() { return acknowledged.get(); }
        /** Records the producer gave up on. */
        public long failed() { return failed.get(); }
        /** The first send error's message; null when none. */
        public String firstError() { return firstError.get(); }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final boolean keyed;
    private final TrafficGenerator generator;
    private final LongSupplier clockMs;
    private final Stats stats = new Stats();
    private volatile boolean stopRequested;

    /**
     * @param connection the cluster
     * @param topic      where to send; must exist (see {@link KafkaConnection#ensureTopic})
     * @param keyed      true to key each record by its message (records of one type share a partition), false for
     *                   no key (the producer spreads records over the partitions)
     * @param generator  makes the records
     * @param clockMs    the clock the timestamps lag, usually {@code System::currentTimeMillis}
     */
    public Simulator(KafkaConnection connection, String topic, boolean keyed, TrafficGenerator generator, LongSupplier clockMs) {
        Properties p = ProducerSettings.simulator(connection);
        this.producer = ProducerSettings.create(p);
        this.topic = topic;
        this.keyed = keyed;
        this.generator = generator;
        this.clockMs = clockMs;
    }

    /**
     * Sends events until {@code count} were sent or {@link #stop()} was called, then waits for the broker's
     * acknowledgements.
     *
     * @param count              how many records to send; negative for no limit
     * @param ratePerSecond      target records per second; 0 or less for as fast as possible
     * @param listener           receives progress, or null for none
     * @param progressIntervalMs how often the listener hears from the run
     * @return what was sent, acknowledged and failed
     * @throws KafkaConnectorException when the producer cannot reach the cluster at all
     */
    public Stats run(long count, double ratePerSecond, ProgressListener listener, long progressIntervalMs) {
        TrafficGenerator.Generated record = new TrafficGenerator.Generated();
        Callback callback = (metadata, exception) -> {
            if (exception == null) {
                stats.acknowledged.incrementAndGet();
            } else {
                stats.failed.incrementAndGet();
                stats.firstError.compareAndSet(null, KafkaConnection.rootMessage(exception));
            }
        };
        long startNanos = System.nanoTime();
        long nanosPerRecord = ratePerSecond > 0 ? (long) (1e9 / ratePerSecond) : 0;
        long nextProgressNanos = startNanos + progressIntervalMs * 1_000_000L;
        long sentAtLastProgress = 0;
        long lastProgressNanos = startNanos;
        for (long i = 0; (count < 0 || i < count) && !stopRequested; i++) {
            if (nanosPerRecord > 0) {
                pace(startNanos + i * nanosPerRecord);
            }
            generator.next(clockMs.getAsLong(), record);
            byte[] key = keyed && record.type() != null ? record.type().getBytes(StandardCharsets.UTF_8) : null;
            try {
                producer.send(new ProducerRecord<>(topic, key, record.value()), callback);
            } catch (KafkaException e) {
                throw new KafkaConnectorException("cannot send to '" + topic + "': " + KafkaConnection.rootMessage(e), e);
            }
            stats.sent.incrementAndGet();
            if (record.invalidKind() != null) {
                stats.invalid.incrementAndGet();
            }
            if (listener != null && progressIntervalMs > 0) {
                long now = System.nanoTime();
                if (now >= nextProgressNanos) {
                    long sent = stats.sent();
                    listener.progress(stats, (sent - sentAtLastProgress) * 1e9 / (now - lastProgressNanos));
                    sentAtLastProgress = sent;
                    lastProgressNanos = now;
                    nextProgressNanos = now + progressIntervalMs * 1_000_000L;
                }
            }
        }
        producer.flush();
        return stats;
    }

    /** Sleeps until {@code deadlineNanos}, waking early when stopped. */
    private void pace(long deadlineNanos) {
        long wait;
        while ((wait = deadlineNanos - System.nanoTime()) > 0 && !stopRequested) {
            LockSupport.parkNanos(Math.min(wait, 100_000_000L));
        }
    }

    /** Makes {@link #run} stop sending and return. Any thread. */
    public void stop() {
        stopRequested = true;
    }

    /** The counters of the current or last run. */
    public Stats stats() {
        return stats;
    }

    /** Closes the producer, waiting up to 5 s for records still in flight. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
