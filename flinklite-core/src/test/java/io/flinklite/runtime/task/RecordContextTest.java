package io.flinklite.runtime.task;

import io.flinklite.api.WindowResult;
import io.flinklite.job.JobSpec;
import io.flinklite.runtime.graph.JobGraphs;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.OriginSink;
import io.flinklite.runtime.operator.RecordContext;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.RecordMetadata;
import io.flinklite.source.SourceReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The record context: a view of the current record of the task's batch, key and headers read only when asked. */
class RecordContextTest {

    /** A reader's own record: what a Kafka reader's {@code ConsumerRecord} is to its metadata reader. */
    private record Handle(byte[] key, String[] names, byte[][] values) {
    }

    /** Reads {@link Handle}s and counts every question, to prove that nobody asked. */
    private static final class CountingMetadata implements RecordMetadata {
        int asked;

        @Override
        public byte[] key(Object handle) {
            asked++;
            return ((Handle) handle).key();
        }

        @Override
        public int headerCount(Object handle) {
            asked++;
            return ((Handle) handle).names().length;
        }

        @Override
        public String headerName(Object handle, int i) {
            asked++;
            return ((Handle) handle).names()[i];
        }

        @Override
        public byte[] headerValue(Object handle, int i) {
            asked++;
            return ((Handle) handle).values()[i];
        }
    }

    /** A bounded source of topic {@code events}: one batch, filled by {@code fill}, then the end. */
    private static final class OneBatch implements SourceReader {
        private final Consumer<RecordBatch> fill;
        private boolean done;

        OneBatch(Consumer<RecordBatch> fill) {
            this.fill = fill;
        }

        @Override
        public boolean poll(RecordBatch batch, PartitionListener listener, long timeoutMs) {
            if (!done) {
                done = true;
                fill.accept(batch);
            }
            return false;
        }

        @Override
        public String topicOf(int partition) {
            return "events";
        }

        @Override
        public void close() {
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final Handle ORDER = new Handle(utf8("order-7"), new String[] {"trace", "empty"},
            new byte[][] {utf8("abc"), null});

    private final List<WindowResult> results = new ArrayList<>();

    private ChainedGraph graph(RecordBatch batch, SourceReader reader) {
        return new ChainedGraph(JobGraphs.builtIn(JobSpec.defaults(), 0, false, results::add, null), List.of(reader),
                batch, TaskOptions.replay(), new ResultTimer(new JobMetrics()), new JobMetrics());
    }

    @Test
    void theContextShowsTheCurrentRecordOfTheBatchWithItsKeyAndHeaders() {
        RecordBatch batch = new RecordBatch();
        SourceReader reader = new OneBatch(b -> { });
        ChainedGraph chain = graph(batch, reader);
        CountingMetadata metadata = new CountingMetadata();
        byte[] bytes = utf8("xx{\"message\":\"critical\"}yy");
        batch.metadata(metadata);
        batch.add(0, 3, 41, 1_000, bytes, 2, bytes.length - 4, null);
        batch.add(0, 3, 42, RecordBatch.NO_TIMESTAMP, bytes, 2, bytes.length - 4, ORDER);

        ChainedGraph.Context context = chain.context();
        assertThat(context.hasRecord()).isFalse();
        assertThatThrownBy(context::key).isInstanceOf(IllegalStateException.class);

        context.record(chain.sources()[0], 0);
        assertThat(context.hasRecord()).isTrue();
        assertThat(context.topic()).isEqualTo("events");
        assertThat(context.offset()).isEqualTo(41);
        assertThat(context.recordTimestampMs()).isEqualTo(1_000);
        assertThat(context.key()).isNull();
        assertThat(context.headerCount()).isZero();
        assertThat(metadata.asked).as("a record added without a handle has nothing to ask for").isZero();
        assertThatThrownBy(() -> context.headerName(0)).isInstanceOf(IndexOutOfBoundsException.class);

        context.record(chain.sources()[0], 1);
        assertThat(context.partition()).isEqualTo(3);
        assertThat(context.offset()).isEqualTo(42);
        assertThat(context.recordTimestampMs()).isEqualTo(-1);
        assertThat(new String(context.payload(), context.payloadOffset(), context.payloadLength(),
                StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"critical\"}");
        assertThat(context.key()).isEqualTo(utf8("order-7"));
        assertThat(context.headerCount()).isEqualTo(2);
        assertThat(context.headerName(0)).isEqualTo("trace");
        assertThat(context.headerValue(0)).isEqualTo(utf8("abc"));
        assertThat(context.headerName(1)).isEqualTo("empty");
        assertThat(context.headerValue(1)).isNull();
        assertThatThrownBy(() -> context.headerValue(2)).isInstanceOf(IndexOutOfBoundsException.class);

        context.clear();
        assertThat(context.hasRecord()).isFalse();
        assertThatThrownBy(context::offset).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aLateRecordReachesAnOriginSinkWithItsKeyHeadersAndPosition() throws Exception {
        byte[] early = utf8("{\"timestamp\":60000,\"message\":\"critical\"}");
        byte[] late = utf8("{\"timestamp\":0,\"message\":\"critical\"}");
        SourceReader reader = new OneBatch(batch -> {
            batch.metadata(new CountingMetadata());
            batch.add(0, 2, 10, RecordBatch.NO_TIMESTAMP, early, 0, early.length, null);
            batch.add(0, 2, 11, 777, late, 0, late.length, ORDER);
        });
        List<String> written = new ArrayList<>();
        OriginSink lateSink = new OriginSink() {
            @Override
            public void write(byte[] value, RecordContext origin) {
                written.add(new String(value, StandardCharsets.UTF_8) + " key=" + new String(origin.key(), StandardCharsets.UTF_8)
                        + " " + origin.headerName(0) + "=" + new String(origin.headerValue(0), StandardCharsets.UTF_8)
                        + " from " + origin.topic() + "/" + origin.partition() + "@" + origin.offset()
                        + " ts " + origin.recordTimestampMs());
            }

            @Override
            public void write(byte[] value) {
                written.add("without origin");
            }
        };
        StreamTask.forSpec(JobSpec.defaults(), TaskOptions.replay(), reader, results::add, lateSink,
                (p, o, payload, off, len, reason, detail) -> { }, new JobMetrics()).run();

        assertThat(written).containsExactly("{\"timestamp\":0,\"message\":\"critical\"} key=order-7 trace=abc from events/2@11 ts 777");
    }

    @Test
    void theBuiltInJobNeverAsksForKeysOrHeaders() throws Exception {
        CountingMetadata metadata = new CountingMetadata();
        byte[][] events = new byte[1_000][];
        for (int i = 0; i < events.length; i++) {
            events[i] = utf8("{\"timestamp\":" + (i * 100) + ",\"message\":\"" + (i % 3 == 0 ? "info" : "critical")
                    + "\"}");
        }
        // Every record with a handle, and some late ones (to the late sink), so each path that could ask is taken.
        SourceReader reader = new OneBatch(batch -> {
            batch.metadata(metadata);
            for (int i = 0; i < events.length; i++) {
                batch.add(0, 0, i, RecordBatch.NO_TIMESTAMP, events[i], 0, events[i].length, ORDER);
            }
            byte[] late = utf8("{\"timestamp\":0,\"message\":\"critical\"}");
            batch.add(0, 0, events.length, RecordBatch.NO_TIMESTAMP, late, 0, late.length, ORDER);
        });
        List<byte[]> late = new ArrayList<>();
        JobMetrics metrics = new JobMetrics();
        StreamTask task = StreamTask.forSpec(JobSpec.defaults(), TaskOptions.replay(), reader, results::add, late::add,
                (p, o, payload, off, len, reason, detail) -> { }, metrics);
        task.run();

        assertThat(results).isNotEmpty();
        assertThat(late).hasSize(1);
        assertThat(metadata.asked).isZero();
    }
}
