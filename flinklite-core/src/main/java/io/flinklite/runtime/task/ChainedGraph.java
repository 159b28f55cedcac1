package io.flinklite.runtime.task;

import io.flinklite.runtime.json.DecodedEvent;
import io.flinklite.api.Event;
import io.flinklite.api.KeySelector;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.runtime.graph.EventFormat;
import io.flinklite.runtime.graph.JobGraph;
import io.flinklite.runtime.json.EventDecoder;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.runtime.operator.ElementFilter;
import io.flinklite.runtime.operator.ForwardsWatermarks;
import io.flinklite.runtime.operator.ObservesIdleness;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.OriginSink;
import io.flinklite.runtime.operator.Operator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.operator.RecordContext;
import io.flinklite.runtime.operator.ReportsMetrics;
import io.flinklite.runtime.operator.TwoInputOperator;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import io.flinklite.runtime.watermark.WatermarkTracker;
import io.flinklite.source.PartitionListener;
import io.flinklite.source.RecordBatch;
import io.flinklite.source.SourceReader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntToLongFunction;
import java.util.function.LongSupplier;

/**
 * A {@link JobGraph} instantiated for one task, chained: every node's {@link Output} calls the next nodes' inputs
 * directly (no queues, no copies), so a record goes from the decoder through every operator to the sinks in one call
 * chain on the task thread. Watermarks follow Flink's rule: each edge remembers the last watermark sent over it, and
 * an operator gets {@link Operator#processWatermark} when the minimum over its incoming edges (over both inputs, and
 * over the edges of a union) advances.
 *
 * <p>Task thread only. Wiring allocates; moving an element or a watermark allocates nothing.
 */
final class ChainedGraph {
    private static final EdgeTarget[] NO_TARGETS = new EdgeTarget[0];

    private final SourceRun[] sources;
    private final ReaderRun[] readerRuns;
    private final OperatorRun[] operators;
    private final ReportsMetrics[] reporters;
    /** Distinct sinks, in graph order: flushed in that order. */
    private final Sink<?>[] sinks;
    /** Outputs whose main output feeds a result sink: their emitted elements are the job's results. */
    private final NodeOutput[] resultOutputs;
    private final Context context;

    /** @param batch the task's batch, which every source's records pass through: the {@link RecordContext}'s view */
    ChainedGraph(JobGraph graph, List<? extends SourceReader> readers, RecordBatch batch, TaskOptions options,
                 ResultTimer timer, JobMetrics metrics) {
        this.context = new Context(batch);
        int total = 0;
        for (SourceReader r : readers) {
            total += r.sourceCount();
        }
        if (total != graph.sources().size()) {
            throw new IllegalArgumentException("the graph has " + graph.sources().size() + " sources but the "
                    + readers.size() + " readers given deliver " + total);
        }
        Map<String, NodeOutput> outputs = new HashMap<>();
        Map<String, OperatorRun> operatorRuns = new HashMap<>();
        Map<String, JobGraph.SinkNode> sinkNodes = new HashMap<>();
        sources = new SourceRun[total];
        readerRuns = new ReaderRun[readers.size()];
        int next = 0;
        for (int r = 0; r < readers.size(); r++) {
            SourceReader reader = readers.get(r);
            SourceRun[] runs = new SourceRun[reader.sourceCount()];
            for (int index = 0; index < runs.length; index++) {
                JobGraph.SourceNode node = graph.sources().get(next);
                runs[index] = new SourceRun(node, reader, index, options.maxRecordBytes(), options.clock());
                sources[next++] = runs[index];
                outputs.put(node.id(), runs[index].output);
            }
            readerRuns[r] = new ReaderRun(reader, runs);
        }
        operators = new OperatorRun[graph.operators().size()];
        List<ReportsMetrics> reporting = new ArrayList<>();
        for (int i = 0; i < operators.length; i++) {
            JobGraph.OperatorNode node = graph.operators().get(i);
            NodeOutput out = new NodeOutput();
            Operator op = node.factory().create(out);
            if (!(op instanceof OneInputOperator) && !(op instanceof TwoInputOperator)) {
                throw new IllegalArgumentException("operator '" + node.id() + "' is neither a one- nor a two-input operator");
            }
            operators[i] = new OperatorRun(node, op, out);
            operatorRuns.put(node.id(), operators[i]);
            outputs.put(node.id(), out);
            if (op instanceof ReportsMetrics) {
                reporting.add((ReportsMetrics) op);
                ((ReportsMetrics) op).registerMetrics(node.id(), metrics);
            }
        }
        reporters = reporting.toArray(new ReportsMetrics[0]);
        IdentityHashMap<Sink<?>, Boolean> distinct = new IdentityHashMap<>();
        List<Sink<?>> sinkList = new ArrayList<>();
        for (JobGraph.SinkNode s : graph.sinks()) {
            sinkNodes.put(s.id(), s);
            if (distinct.put(s.sink(), Boolean.TRUE) == null) {
                sinkList.add(s.sink());
            }
        }
        sinks = sinkList.toArray(new Sink<?>[0]);
        List<NodeOutput> counting = new ArrayList<>();
        for (JobGraph.Edge e : graph.edges()) {
            NodeOutput from = outputs.get(e.from());
            EdgeTarget target;
            OperatorRun to = operatorRuns.get(e.to());
            if (to != null) {
                target = to.input(e.input(), e.key());
            } else {
                JobGraph.SinkNode sink = sinkNodes.get(e.to());
                if (sink.kind() == JobGraph.SinkKind.RECORDS) {
                    target = new RecordSink(e.key(), castSink(sink.sink()), context, metrics);
                } else {
                    target = new ElementSink(e.key(), castSink(sink.sink()), timer);
                    if (e.tag() == null && !counting.contains(from)) {
                        counting.add(from);
                        from.countsResults = true;
                    }
                }
            }
            from.add(e.tag(), target);
        }
        resultOutputs = counting.toArray(new NodeOutput[0]);
        for (OperatorRun op : operators) {
            op.fuseFilterInputs();
        }
        // Watermark targets, from the last operator back (topological order), so that an operator that merely
        // forwards watermarks is resolved before the outputs that feed it.
        Map<OperatorRun, OperatorInput[]> resolved = new IdentityHashMap<>();
        for (int i = operators.length - 1; i >= 0; i--) {
            resolveWatermarkTargets(outputs.get(operators[i].node.id()), resolved);
            if (operators[i].forwardsOnly()) {
                resolved.put(operators[i], outputs.get(operators[i].node.id()).watermarkTargets);
            }
        }
        for (SourceRun s : sources) {
            resolveWatermarkTargets(s.output, resolved);
            s.wired();
        }
    }

    private static void resolveWatermarkTargets(NodeOutput out, Map<OperatorRun, OperatorInput[]> passThrough) {
        List<OperatorInput> targets = new ArrayList<>();
        for (EdgeTarget t : out.all) {
            if (t instanceof OperatorInput) {
                OperatorInput in = (OperatorInput) t;
                OperatorInput[] past = passThrough.get(in.run);
                if (past == null) {
                    targets.add(in);
                } else {
                    targets.addAll(Arrays.asList(past));
                }
            }
        }
        out.watermarkTargets = targets.toArray(new OperatorInput[0]);
    }

    @SuppressWarnings("unchecked")
    private static <T> Sink<T> castSink(Sink<?> sink) {
        return (Sink<T>) sink;
    }

    /** The graph's sources, in graph order. */
    SourceRun[] sources() { return sources; }

    /** The readers, each with the sources it delivers (a reader of several topics delivers several). */
    ReaderRun[] readers() { return readerRuns; }

    ReportsMetrics[] reporters() { return reporters; }

    Context context() { return context; }

    /** Elements emitted so far on main outputs that feed a result sink, each counted once however many sinks. */
    long resultsEmitted() {
        long n = 0;
        for (NodeOutput o : resultOutputs) {
            n += o.results;
        }
        return n;
    }

    void flushSinks() throws Exception {
        for (Sink<?> s : sinks) {
            s.flush();
        }
    }

    /** Every input ended: lets each operator, in topological order, emit what it still holds. */
    void finish() throws Exception {
        for (OperatorRun op : operators) {
            op.operator.finish();
        }
    }

    /**
     * Closes every operator, from the last in topological order to the first (an operator is closed after everything
     * downstream of it, as in Flink), each exactly once however often this is called. A failing close does not stop
     * the others: each failure is logged, the first is thrown with the later ones suppressed.
     */
    void closeOperators() throws Exception {
        Exception first = null;
        for (int i = operators.length - 1; i >= 0; i--) {
            OperatorRun op = operators[i];
            if (op.closed) {
                continue;
            }
            op.closed = true;
            try {
                op.operator.close();
            } catch (Exception e) {
                System.getLogger(ChainedGraph.class.getName()).log(System.Logger.Level.WARNING,
                        "closing operator '" + op.node.id() + "' failed: " + e, e);
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    void snapshotOperators(StateWriter out) {
        for (OperatorRun op : operators) {
            if (op.node.stateful()) {
                out.beginObject(op.node.id());
                op.operator.snapshotState(out);
                out.endObject();
            }
        }
    }

    void restoreOperators(StateReader in) {
        for (OperatorRun op : operators) {
            if (op.node.stateful()) {
                in.beginObject(op.node.id());
                op.operator.restoreState(in);
                in.endObject();
            }
        }
    }

    /** A plug-in sink counts its own failures ({@link io.flinklite.sink.SinkMetrics}): not twice. */
    static void countSinkError(JobMetrics metrics, Exception e) {
        if (!(e instanceof io.flinklite.sink.SinkException)) {
            metrics.addSinkErrors(1);
        }
    }

    /** The outputs of one node: the edges of its main output and of each side output. */
    static final class NodeOutput implements Output<Object> {
        private EdgeTarget[] main = NO_TARGETS;
        private OutputTag<?>[] sideTags = new OutputTag<?>[0];
        private EdgeTarget[][] sideTargets = new EdgeTarget[0][];
        /** Every target, main and side. */
        private EdgeTarget[] all = NO_TARGETS;
        /**
         * Where watermarks go: the operator inputs among {@link #all} (sinks ignore watermarks), with the inputs of
         * operators that merely forward them replaced by what comes after those ({@link ForwardsWatermarks}).
         */
        private OperatorInput[] watermarkTargets = new OperatorInput[0];
        boolean countsResults;
        long results;

        void add(OutputTag<?> tag, EdgeTarget target) {
            all = append(all, target);
            if (tag == null) {
                main = append(main, target);
                return;
            }
            for (int i = 0; i < sideTags.length; i++) {
                if (sideTags[i].equals(tag)) {
                    sideTargets[i] = append(sideTargets[i], target);
                    return;
                }
            }
            sideTags = Arrays.copyOf(sideTags, sideTags.length + 1);
            sideTags[sideTags.length - 1] = tag;
            sideTargets = Arrays.copyOf(sideTargets, sideTargets.length + 1);
            sideTargets[sideTargets.length - 1] = new EdgeTarget[] {target};
        }

        private static EdgeTarget[] append(EdgeTarget[] a, EdgeTarget t) {
            EdgeTarget[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = t;
            return b;
        }

        @Override
        public void emit(Object element, long timestampMs) throws Exception {
            if (countsResults) {
                results++;
            }
            EdgeTarget[] targets = main;
            for (int i = 0; i < targets.length; i++) {
                targets[i].deliver(element, timestampMs);
            }
        }

        @Override
        public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) throws Exception {
            OutputTag<?>[] tags = sideTags;
            for (int i = 0; i < tags.length; i++) {
                if (tags[i] == tag || tags[i].equals(tag)) {
                    EdgeTarget[] targets = sideTargets[i];
                    for (int j = 0; j < targets.length; j++) {
                        targets[j].deliver(element, timestampMs);
                    }
                    return;
                }
            }
            // Nobody consumes this side output: the element is dropped (the operator counted it).
        }

        @Override
        public void emitWatermark(long watermarkMs) throws Exception {
            OperatorInput[] targets = watermarkTargets;
            for (int i = 0; i < targets.length; i++) {
                targets[i].watermark(watermarkMs);
            }
        }

        /**
         * This node's stream turned idle (every input it has is idle: a source all of whose partitions are) or active
         * again: the operators downstream leave an idle edge out of their minimum, as Flink's idle watermark status
         * does, so an idle source does not stop a union or a join forever.
         */
        void emitIdle(boolean idle) throws Exception {
            EdgeTarget[] targets = all;
            for (int i = 0; i < targets.length; i++) {
                targets[i].idle(idle);
            }
        }
    }

    /** The receiving end of one edge; a keyed edge computes the element's key once, here. */
    abstract static class EdgeTarget {
        private final KeySelector<Object> key;
        /** The last watermark sent over this edge. */
        long watermark = Long.MIN_VALUE;

        EdgeTarget(KeySelector<Object> key) {
            this.key = key;
        }

        /**
         * Hands one element over. Each kind of target implements it itself (instead of a shared method calling an
         * abstract one), so that every call site sees few receiver types and the JIT can inline the chain.
         */
        abstract void deliver(Object element, long timestampMs) throws Exception;

        /** The element's key on a keyed edge; {@code null} on an unkeyed one. */
        final String keyOf(Object element) {
            if (key == null) {
                return null;
            }
            String k = key.getKey(element);
            if (k == null) {
                throw new IllegalStateException("the key selector returned null for " + element);
            }
            return k;
        }

        /** Whether the stream over this edge is idle; see {@link NodeOutput#emitIdle}. */
        boolean idle;

        /** Sinks ignore idleness; operator inputs recompute their operator's watermark. */
        void idle(boolean isIdle) throws Exception {
            idle = isIdle;
        }
    }

    /** One operator and its incoming edges. */
    static final class OperatorRun {
        final JobGraph.OperatorNode node;
        final Operator operator;
        private final NodeOutput output;
        private EdgeTarget[] inputs = NO_TARGETS;
        private long watermark = Long.MIN_VALUE;
        private boolean idle;
        /** Set once {@link Operator#close} was called, so that no operator is closed twice. */
        private boolean closed;

        OperatorRun(JobGraph.OperatorNode node, Operator operator, NodeOutput output) {
            this.node = node;
            this.operator = operator;
            this.output = output;
        }

        @SuppressWarnings("unchecked")
        EdgeTarget input(int input, KeySelector<Object> key) {
            EdgeTarget t;
            if (operator instanceof OneInputOperator) {
                if (input != 1) {
                    throw new IllegalArgumentException("operator '" + node.id() + "' has one input, not " + input);
                }
                t = operator instanceof ElementFilter
                        ? new FilterInput(this, (ElementFilter<Object>) operator)
                        : new OneInput(key, this, (OneInputOperator<Object>) operator);
            } else {
                TwoInputOperator<Object, Object> two = (TwoInputOperator<Object, Object>) operator;
                t = input == 1 ? new FirstInput(key, this, two) : new SecondInput(key, this, two);
            }
            inputs = NodeOutput.append(inputs, t);
            return t;
        }

        /** Once every edge is wired: points each {@link FilterInput} of this operator at what follows it. */
        void fuseFilterInputs() {
            EdgeTarget next = null;
            for (EdgeTarget in : inputs) {
                if (in instanceof FilterInput) {
                    if (next == null) {
                        next = output.countsResults || output.main.length != 1 ? new EmitTo(output) : output.main[0];
                    }
                    ((FilterInput) in).next = next;
                }
            }
        }

        /** The operator only forwards watermarks and has one input edge: the runtime passes them past it. */
        boolean forwardsOnly() {
            return operator instanceof ForwardsWatermarks && inputs.length == 1;
        }

        /**
         * An incoming edge's watermark advanced, or an edge turned idle or active: the operator's watermark is the
         * minimum over the edges that are not idle; with all idle it stays, and the operator's own output is idle.
         */
        void inputAdvanced() throws Exception {
            EdgeTarget[] in = inputs;
            if (in.length == 1 && !idle && !in[0].idle) {
                // One active input (the usual case, and per record in the built-in job): its watermark is the minimum.
                long w = in[0].watermark;
                if (w > watermark) {
                    watermark = w;
                    operator.processWatermark(w);
                }
                return;
            }
            long min = Long.MAX_VALUE;
            boolean allIdle = true;
            for (int i = 0; i < in.length; i++) {
                if (!in[i].idle) {
                    allIdle = false;
                    min = Math.min(min, in[i].watermark);
                }
            }
            if (allIdle != idle) {
                idle = allIdle;
                if (operator instanceof ObservesIdleness) {
                    ((ObservesIdleness) operator).processIdle(allIdle);
                }
                output.emitIdle(allIdle);
            }
            if (!allIdle && min > watermark) {
                watermark = min;
                operator.processWatermark(min);
            }
        }
    }

    abstract static class OperatorInput extends EdgeTarget {
        final OperatorRun run;

        OperatorInput(KeySelector<Object> key, OperatorRun run) {
            super(key);
            this.run = run;
        }

        final void watermark(long watermarkMs) throws Exception {
            if (watermarkMs > watermark) {
                watermark = watermarkMs;
                run.inputAdvanced();
            }
        }

        @Override
        final void idle(boolean isIdle) throws Exception {
            if (isIdle != idle) {
                idle = isIdle;
                run.inputAdvanced();
            }
        }
    }

    static final class OneInput extends OperatorInput {
        private final OneInputOperator<Object> operator;

        OneInput(KeySelector<Object> key, OperatorRun run, OneInputOperator<Object> operator) {
            super(key, run);
            this.operator = operator;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            operator.processElement(element, timestampMs, keyOf(element));
        }
    }

    /**
     * The input of an {@link ElementFilter}: asks the filter and hands a kept element straight to the filter's one
     * downstream target ({@link #next}), instead of through the filter's {@code processElement} and output. Unkeyed
     * whatever the edge says: a filter does not use the key.
     */
    static final class FilterInput extends OperatorInput {
        private final ElementFilter<Object> filter;
        /** What follows the filter: its one main target, or its whole output; set once wiring is done. */
        EdgeTarget next;

        FilterInput(OperatorRun run, ElementFilter<Object> filter) {
            super(null, run);
            this.filter = filter;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            if (filter.keep(element)) {
                next.deliver(element, timestampMs);
            }
        }
    }

    /** Hands an element to a whole output (several targets, or one that counts results): see {@link FilterInput}. */
    static final class EmitTo extends EdgeTarget {
        private final NodeOutput output;

        EmitTo(NodeOutput output) {
            super(null);
            this.output = output;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            output.emit(element, timestampMs);
        }
    }

    static final class FirstInput extends OperatorInput {
        private final TwoInputOperator<Object, Object> operator;

        FirstInput(KeySelector<Object> key, OperatorRun run, TwoInputOperator<Object, Object> operator) {
            super(key, run);
            this.operator = operator;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            operator.processElement1(element, timestampMs, keyOf(element));
        }
    }

    static final class SecondInput extends OperatorInput {
        private final TwoInputOperator<Object, Object> operator;

        SecondInput(KeySelector<Object> key, OperatorRun run, TwoInputOperator<Object, Object> operator) {
            super(key, run);
            this.operator = operator;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            operator.processElement2(element, timestampMs, keyOf(element));
        }
    }

    /** A result sink: writes the element, then observes the result's latency. */
    static final class ElementSink extends EdgeTarget {
        private final Sink<Object> sink;
        private final ResultTimer timer;

        ElementSink(KeySelector<Object> key, Sink<Object> sink, ResultTimer timer) {
            super(key);
            this.sink = sink;
            this.timer = timer;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            sink.write(element);
            timer.resultWritten();
        }
    }

    /**
     * Writes the original bytes of the record being processed (late data): the element only says that it happened. An
     * {@link OriginSink} gets the record's context too (its key, headers, topic, partition, offset).
     */
    static final class RecordSink extends EdgeTarget {
        private final Sink<byte[]> sink;
        private final OriginSink originSink;
        private final Context context;
        private final JobMetrics metrics;

        RecordSink(KeySelector<Object> key, Sink<byte[]> sink, Context context, JobMetrics metrics) {
            super(key);
            this.sink = sink;
            this.originSink = sink instanceof OriginSink ? (OriginSink) sink : null;
            this.context = context;
            this.metrics = metrics;
        }

        @Override
        void deliver(Object element, long timestampMs) throws Exception {
            byte[] payload = context.payload();
            byte[] copy;
            if (!context.hasRecord() || payload == null) {
                copy = new byte[0];
            } else if (context.payloadOffset() == 0 && context.payloadLength() == payload.length) {
                copy = payload; // a whole-array payload (a Kafka record value) is already the record's own
            } else {
                copy = Arrays.copyOfRange(payload, context.payloadOffset(),
                        context.payloadOffset() + context.payloadLength());
            }
            try {
                if (originSink != null && context.hasRecord()) {
                    originSink.write(copy, context);
                } else {
                    sink.write(copy);
                }
            } catch (Exception e) {
                countSinkError(metrics, e);
                throw e;
            }
        }
    }

    /**
     * The task's one {@link RecordContext}: a view of one record of the task's {@link RecordBatch}, repositioned for
     * every record a source hands down the chain by naming its index (two writes per record; what a consumer asks
     * for is read from the batch only then).
     */
    static final class Context implements RecordContext {
        private final RecordBatch batch;
        private SourceRun source;
        /** The record's index in {@link #batch}; -1 outside a record's call chain. */
        private int index = -1;

        Context(RecordBatch batch) {
            this.batch = batch;
        }

        void record(SourceRun source, int index) {
            this.source = source;
            this.index = index;
        }

        void clear() {
            index = -1;
        }

        private int at() {
            if (index < 0) {
                throw new IllegalStateException("no record is being processed (a watermark or timer is)");
            }
            return index;
        }

        @Override public boolean hasRecord() { return index >= 0; }

        @Override public String topic() { return source.reader.topicOf(source.index, batch.partition(at())); }

        @Override public int partition() { return batch.partition(at()); }

        @Override public long offset() { return batch.offset(at()); }

        @Override public long recordTimestampMs() {
            long t = batch.timestamp(at());
            return t == RecordBatch.NO_TIMESTAMP ? -1 : t;
        }

        @Override public byte[] key() { return batch.key(at()); }

        @Override public int headerCount() { return batch.headerCount(at()); }

        @Override public String headerName(int i) { return batch.headerName(at(), i); }

        @Override public byte[] headerValue(int i) { return batch.headerValue(at(), i); }

        @Override public byte[] payload() { return batch.payload(at()); }

        @Override public int payloadOffset() { return batch.payloadOffset(at()); }

        @Override public int payloadLength() { return batch.payloadLength(at()); }
    }

    /**
     * One reader and the sources it delivers, by source index: its {@link PartitionListener}, which hands each
     * partition event to the source it names.
     */
    static final class ReaderRun implements PartitionListener {
        final SourceReader reader;
        final SourceRun[] runs;
        boolean ended;

        ReaderRun(SourceReader reader, SourceRun[] runs) {
            this.reader = reader;
            this.runs = runs;
        }

        @Override
        public void partitionAssigned(int partition) {
            runs[0].partitionAssigned(partition);
        }

        @Override
        public void partitionRevoked(int partition) {
            runs[0].partitionRevoked(partition);
        }

        @Override
        public void partitionAssigned(int source, int partition) {
            runs[source].partitionAssigned(partition);
        }

        @Override
        public void partitionRevoked(int source, int partition) {
            runs[source].partitionRevoked(partition);
        }
    }

    /**
     * One source node: its reader and source index there, decoder, reused event, per-partition watermarks and read
     * positions.
     */
    static final class SourceRun {
        final JobGraph.SourceNode node;
        final SourceReader reader;
        /** Which of the reader's sources this is. */
        final int index;
        final EventDecoder decoder;
        final WatermarkTracker watermarks;
        final EventFormat.ValueRequirement valueRequirement;
        final DecodedEvent event = new DecodedEvent();
        final NodeOutput output = new NodeOutput();
        /** The source's lag per partition: a partition with records still to read is slow, not idle. */
        final IntToLongFunction lagOf;
        private final LongSupplier clock;
        /** The last watermark passed down the graph. */
        long emittedWatermark = Long.MIN_VALUE;
        boolean ended;
        /** The reader's partition count, or -1 (see {@link SourceReader#partitionCount}). */
        int partitionCount = -1;
        /** Next offset per partition id; -1 when nothing was read yet. */
        private long[] nextOffsets = new long[8];

        /** Whether every partition of this source is idle (see {@link NodeOutput#emitIdle}). */
        boolean idle;

        SourceRun(JobGraph.SourceNode node, SourceReader reader, int index, int maxRecordBytes, LongSupplier clock) {
            this.node = node;
            this.reader = java.util.Objects.requireNonNull(reader, "reader");
            this.index = index;
            EventFormat f = node.format();
            this.decoder = new EventDecoder(f.keyField(), f.valueField(), f.timestamps(), maxRecordBytes);
            this.watermarks = new WatermarkTracker(node.outOfOrdernessMs(), node.idleTimeoutMs(), node.wallClockWhenIdle());
            this.valueRequirement = f.valueRequirement();
            this.lagOf = partition -> reader.lag(index, partition);
            this.clock = clock;
            Arrays.fill(nextOffsets, -1);
        }

        /**
         * The one target of this source's elements and the one of its watermarks (the usual graph), else null. The task
         * loop calls them itself rather than through {@link NodeOutput#emit}, which every node shares: that shared
         * method is compiled on its own early and then too big to inline into the loop, while this call site is the
         * loop's own and sees one receiver type.
         */
        private EdgeTarget onlyTarget;
        private OperatorInput onlyWatermarkTarget;

        /** Every edge is wired: notes the single targets, if so. */
        void wired() {
            onlyTarget = output.main.length == 1 && !output.countsResults ? output.main[0] : null;
            onlyWatermarkTarget = output.watermarkTargets.length == 1 ? output.watermarkTargets[0] : null;
        }

        /** Hands a decoded event down the graph. */
        void emit(Object event, long timestampMs) throws Exception {
            EdgeTarget t = onlyTarget;
            if (t != null) {
                t.deliver(event, timestampMs);
            } else {
                output.emit(event, timestampMs);
            }
        }

        /** Passes {@code w} down the graph if it is ahead of the last watermark passed. */
        void advanceTo(long w) throws Exception {
            if (w > emittedWatermark) {
                emittedWatermark = w;
                OperatorInput t = onlyWatermarkTarget;
                if (t != null) {
                    t.watermark(w);
                } else {
                    output.emitWatermark(w);
                }
            }
        }

        /** Tells the graph when this source turns idle (every partition idle) or active again. */
        void updateIdle() throws Exception {
            boolean now = !ended && watermarks.isIdle();
            if (now != idle) {
                idle = now;
                output.emitIdle(now);
            }
        }

        void recordRead(int partition, long offset, LongSupplier clock) {
            if (partition >= nextOffsets.length) {
                growOffsets(partition + 1);
            }
            nextOffsets[partition] = offset + 1;
            if (!watermarks.isAssigned(partition)) {
                // A reader that did not announce the partition: treat its first record as the assignment.
                watermarks.addPartition(partition, clock.getAsLong());
            }
        }

        long nextOffset(int partition) {
            return partition < nextOffsets.length ? nextOffsets[partition] : -1;
        }

        void restorePosition(int partition, long next) {
            if (partition >= nextOffsets.length) {
                growOffsets(partition + 1);
            }
            nextOffsets[partition] = next;
        }

        Map<Integer, Long> positions() {
            Map<Integer, Long> out = new TreeMap<>();
            for (int p = 0; p < nextOffsets.length; p++) {
                if (nextOffsets[p] >= 0) {
                    out.put(p, nextOffsets[p]);
                }
            }
            return out;
        }

        private void growOffsets(int n) {
            int old = nextOffsets.length;
            nextOffsets = Arrays.copyOf(nextOffsets, Math.max(n, old * 2));
            Arrays.fill(nextOffsets, old, nextOffsets.length, -1);
        }

        void partitionAssigned(int partition) {
            watermarks.addPartition(partition, clock.getAsLong());
        }

        void partitionRevoked(int partition) {
            watermarks.removePartition(partition, clock.getAsLong());
            if (partition < nextOffsets.length) {
                nextOffsets[partition] = -1;
            }
        }
    }
}
