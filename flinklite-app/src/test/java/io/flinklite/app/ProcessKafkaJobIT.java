package io.flinklite.app;

import io.flinklite.api.Collector;
import io.flinklite.api.Event;
import io.flinklite.api.Job;
import io.flinklite.api.KeyedProcessFunction;
import io.flinklite.api.Pipeline;
import io.flinklite.api.RuntimeContext;
import io.flinklite.api.StateSerializer;
import io.flinklite.api.ValueState;
import io.flinklite.api.ValueStateDescriptor;
import io.flinklite.api.WatermarkStrategy;
import io.flinklite.connector.kafka.KafkaConnection;
import io.flinklite.connector.kafka.embedded.EmbeddedKafkaBroker;
import io.flinklite.connector.kafka.embedded.SharedKafkaBroker;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.replay.ArraySourceReader;
import io.flinklite.runtime.task.StreamTask;
import io.flinklite.runtime.task.TaskOptions;
import io.flinklite.source.DeadLetterHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.flinklite.app.KafkaTestSupport.Placed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A process job (keyed state and event-time timers) read from Kafka emits what the same job emits over the same
 * events from memory, in the same order, and its function is closed once when the Kafka job stops.
 */
@ExtendWith(SharedKafkaBroker.class)
class ProcessKafkaJobIT {

    /** Counts a key's events; 10 s of event time after its latest one, emits the count and forgets the key. */
    static final class Quiet extends KeyedProcessFunction<Event, String> {
        private final AtomicInteger closed;
        private ValueState<Long> last;
        private ValueState<Long> count;

        Quiet(AtomicInteger closed) {
            this.closed = closed;
        }

        @Override
        public void open(RuntimeContext context) {
            last = context.getState(new ValueStateDescriptor<>("last", StateSerializer.longs()));
            count = context.getState(new ValueStateDescriptor<>("count", StateSerializer.longs()));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<String> out) {
            Long previous = last.value();
            if (previous != null) {
                ctx.timerService().deleteEventTimeTimer(previous + 10_000);
            }
            long latest = previous == null ? ctx.timestamp() : Math.max(previous, ctx.timestamp());
            last.update(latest);
            Long n = count.value();
            count.update(n == null ? 1 : n + 1);
            ctx.timerService().registerEventTimeTimer(latest + 10_000);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect(ctx.getCurrentKey() + "@" + timestamp + "=" + count.value());
            last.clear();
            count.clear();
        }

        @Override
        public void close() {
            closed.incrementAndGet();
        }
    }

    private static Job<Event, Void, String> job(List<String> out, AtomicInteger closed) {
        // The closing "normal" events move the watermark past every timer; they have none of their own.
        return Pipeline.fromEvents("message", null, WatermarkStrategy.forBoundedOutOfOrderness(5_000))
                .filter(e -> !e.key().equals("normal"))
                .keyBy(Event::key)
                .process(new Quiet(closed))
                .sinkTo(out::add);
    }

    @Test
    void aProcessJobFromKafkaEmitsWhatItEmitsFromMemory() throws Exception {
        EmbeddedKafkaBroker broker = SharedKafkaBroker.get();
        broker.createTopic("process-in", 1);
        long base = System.currentTimeMillis() - 600_000;
        // One partition, so both runs see the same order; the closing event's watermark fires every key's timer.
        List<Placed> events = KafkaTestSupport.disorderedEvents(31, 400, new int[] {0}, base);
        byte[][] input = new byte[events.size()][];
        for (int i = 0; i < input.length; i++) {
            input[i] = events.get(i).json;
        }
        List<String> expected = new CopyOnWriteArrayList<>();
        AtomicInteger closedInMemory = new AtomicInteger();
        try (StreamTask task = StreamTask.forJob(job(expected, closedInMemory), TaskOptions.replay(),
                new ArraySourceReader(input), DeadLetterHandler.DISCARD, new JobMetrics())) {
            task.run();
        }
        assertThat(closedInMemory).hasValue(1);
        assertThat(expected).hasSize(2); // "important" and "critical"; "normal" is filtered

        KafkaTestSupport.produce(broker.bootstrapServers(), "process-in", events);
        List<String> fromKafka = new CopyOnWriteArrayList<>();
        AtomicInteger closed = new AtomicInteger();
        Job<Event, Void, String> kafkaJob = job(fromKafka, closed);
        JobMetrics metrics = new JobMetrics();
        KafkaJob job = new KafkaJob(new KafkaJob.Settings(KafkaConnection.of(broker.bootstrapServers()), JobSpec.defaults())
                .inputTopic("process-in").outputTopic(null).groupId("process").idleTimeoutMs(0)
                .taskFactory((settings, options, source, results, records, late, deadLetters, m) ->
                        StreamTask.forJob(kafkaJob, options, source, deadLetters, m)), metrics);
        AtomicReference<Throwable> failure = KafkaTestSupport.startJob(job);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> failure.get() != null || fromKafka.size() >= expected.size());
            assertThat(failure.get()).isNull();
        } finally {
            job.stop();
            assertThat(job.awaitStopped(30_000)).isTrue();
        }
        assertThat(fromKafka).containsExactlyElementsOf(expected);
        assertThat(closed).as("the function is closed once when the Kafka job stops").hasValue(1);
    }
}
