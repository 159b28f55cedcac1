package io.flinklite.sink;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;

import java.util.List;

/**
 * A kind of output for window results that {@code run} can write to beside (or instead of) its Kafka topic: a
 * PostgreSQL table, a Cassandra table. Found with {@link java.util.ServiceLoader}; see the package comment.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #options()} is asked once when the command line is built; {@link #requested} and {@link #open} once per
 *       {@code run}, on the thread that starts the job, before Kafka is touched, so that a typo fails first.</li>
 *   <li>{@link #open} connects and checks (or creates) the destination; it fails at once with a one-line
 *       {@link SinkException} (or {@link IllegalArgumentException} for a malformed setting) naming what is wrong.</li>
 *   <li>The returned sink follows {@link Sink}'s contract: called from the task thread only. Its
 *       {@link Sink#flush()} returns only once every result written before it is durable at the destination: the
 *       runtime flushes before each checkpoint completes (and before offsets are committed, and at shutdown), so a
 *       crash re-writes results, never skips one. Writes should therefore be idempotent (upserts by key and window).</li>
 *   <li>Transient failures are retried by the sink itself and reported to its {@link SinkMetrics}; a sink that gives
 *       up throws from {@code write} or {@code flush}, which stops the job (the results were not covered by a
 *       checkpoint, so the restarted job computes them again).</li>
 * </ul>
 */
public interface SinkFactory {

    /**
     * The sink's name: lower-case letters, the prefix of its option names and the {@code sink} label of its metrics,
     * e.g. {@code cassandra}.
     */
    String name();

    /** Its settings, in the order {@code --help} lists them. */
    List<SinkOption> options();

    /** Whether {@code settings} ask for this sink, e.g. because its address option is set. */
    boolean requested(SinkSettings settings);

    /**
     * Opens the sink.
     *
     * @param metrics where the sink counts failed attempts, retries and give-ups
     * @throws SinkException            when the destination cannot be reached, refuses the credentials or does not fit
     * @throws IllegalArgumentException for a malformed setting, naming it
     */
    Sink<WindowResult> open(SinkSettings settings, SinkMetrics metrics);
}
