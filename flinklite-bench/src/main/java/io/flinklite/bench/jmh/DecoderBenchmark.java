package io.flinklite.bench.jmh;

import io.flinklite.api.Event;
import io.flinklite.bench.JacksonCeiling;
import io.flinklite.bench.SeedFields;
import io.flinklite.bench.SeedTraffic;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.source.InvalidReason;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding one seed event ({@code {"id":..,"timestamp":..,"message":".."}}) into the fields the job needs:
 * FlinkLite's {@link EventDecoder} against Jackson's streaming parser reading the same two fields (what the Flink
 * job in the side-by-side benchmark does) and Jackson's tokenizer alone. Scores are events per second on one thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecoderBenchmark {
    private static final int EVENTS = 65_536;

    private byte[][] events;
    private final Event event = new Event();
    private EventDecoder decoder;
    private SeedFields fields;

    @Setup
    public void generate() {
        events = SeedTraffic.generate(EVENTS, 7);
        decoder = new EventDecoder("message", null, 1 << 20);
        fields = new SeedFields();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long flinkLiteDecoder() {
        long sum = 0;
        for (byte[] e : events) {
            InvalidReason invalid = decoder.decode(e, 0, e.length, event);
            sum += invalid == null ? event.timestamp() : -1;
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long jacksonTwoFields() throws IOException {
        long sum = 0;
        for (byte[] e : events) {
            fields.read(e);
            sum += fields.timestamp + fields.message.length();
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long jacksonTokenizerAlone() throws IOException {
        return JacksonCeiling.tokenize(events);
    }
}
