package io.flinklite.runtime.graph;

import io.flinklite.api.KeySelector;
import io.flinklite.api.OutputTag;
import io.flinklite.api.Sink;
import io.flinklite.runtime.operator.OperatorFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job as a graph: source nodes (input format and watermark strategy), operator nodes (one- or two-input, each with a
 * stable id and a factory that builds it around its output), sink nodes, and edges from a node's main output or one
 * of its side outputs ({@link OutputTag}) to input 1 or 2 of a node, keyed or not. Several edges into one input are a
 * union: that input's watermark is the minimum over its edges, and the operator's the minimum over its inputs.
 *
 * <p>The graph only describes the job; {@link io.flinklite.runtime.task.StreamTask} builds the operators and runs
 * them fused on its thread. Operators are listed in topological order (an edge never goes back to an earlier operator),
 * which is also the order their state is written in a snapshot, under their ids. Immutable; built with
 * {@link #builder}.
 */
public final class JobGraph {

    /** Where events enter: records from the task's {@code SourceReader} of the same index, decoded as {@link #format}. */
    public static final class SourceNode {
        private final String id;
        private final EventFormat format;
        private final long outOfOrdernessMs;
        private final long idleTimeoutMs;
        private final boolean wallClockWhenIdle;

        SourceNode(String id, EventFormat format, long outOfOrdernessMs, long idleTimeoutMs, boolean wallClockWhenIdle) {
            this.id = id;
            this.format = Objects.requireNonNull(format, "format");
            this.outOfOrdernessMs = outOfOrdernessMs;
            this.idleTimeoutMs = idleTimeoutMs;
            this.wallClockWhenIdle = wallClockWhenIdle;
        }

        public String id() { return id; }

        public EventFormat format() { return format; }

        public long outOfOrdernessMs() { return outOfOrdernessMs; }

        /** 0 when partitions never turn idle. */
        public long idleTimeoutMs() { return idleTimeoutMs; }

        public boolean wallClockWhenIdle() { return wallClockWhenIdle; }
    }

    /** One operator: built per task by its factory; its state is filed under {@link #id}. */
    public static final class OperatorNode {
        private final String id;
        private final OperatorFactory factory;
        private final boolean stateful;

        OperatorNode(String id, OperatorFactory factory, boolean stateful) {
            this.id = id;
            this.factory = Objects.requireNonNull(factory, "factory");
            this.stateful = stateful;
        }

        public String id() { return id; }

        public OperatorFactory factory() { return factory; }

        /** False for operators that keep nothing across records (filters, maps): no object in the snapshot. */
        public boolean stateful() { return stateful; }
    }

    /** What a sink node writes. */
    public enum SinkKind {
        /** The elements that reach it (window results, joined pairs): a job's results, timed and counted as such. */
        ELEMENTS,
        /** The original bytes of the record being processed ({@code RecordContext}): late data, dead letters. */
        RECORDS
    }

    /** An end of the graph. */
    public static final class SinkNode {
        private final String id;
        private final Sink<?> sink;
        private final SinkKind kind;

        SinkNode(String id, Sink<?> sink, SinkKind kind) {
            this.id = id;
            this.sink = Objects.requireNonNull(sink, "sink");
            this.kind = Objects.requireNonNull(kind, "kind");
        }

        public String id() { return id; }

        public Sink<?> sink() { return sink; }

        public SinkKind kind() { return kind; }
    }

    /** From a node's main output ({@code tag == null}) or side output {@code tag} to input 1 or 2 of a node. */
    public static final class Edge {
        private final String from;
        private final OutputTag<?> tag;
        private final String to;
        private final int input;
        private final KeySelector<Object> key;

        Edge(String from, OutputTag<?> tag, String to, int input, KeySelector<Object> key) {
            this.from = from;
            this.tag = tag;
            this.to = to;
            this.input = input;
            this.key = key;
        }

        public String from() { return from; }

        /** {@code null}: the main output. */
        public OutputTag<?> tag() { return tag; }

        public String to() { return to; }

        /** 1 or 2 (the second input of a two-input operator). */
        public int input() { return input; }

        /** The key selector of a keyed edge; {@code null} when the edge is not keyed. */
        public KeySelector<Object> key() { return key; }
    }

    private final List<SourceNode> sources;
    private final List<OperatorNode> operators;
    private final List<SinkNode> sinks;
    private final List<Edge> edges;
    private final String fingerprint;

    private JobGraph(Builder b) {
        this.sources = Collections.unmodifiableList(new ArrayList<>(b.sources));
        this.operators = Collections.unmodifiableList(new ArrayList<>(b.operators));
        this.sinks = Collections.unmodifiableList(new ArrayList<>(b.sinks));
        this.edges = Collections.unmodifiableList(new ArrayList<>(b.edges));
        this.fingerprint = b.fingerprint;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<SourceNode> sources() { return sources; }

    /** In topological order. */
    public List<OperatorNode> operators() { return operators; }

    public List<SinkNode> sinks() { return sinks; }

    public List<Edge> edges() { return edges; }

    /** One line naming everything that shapes the job's state; a checkpoint records it to refuse a foreign restore. */
    public String fingerprint() { return fingerprint; }

    /** Builds a {@link JobGraph}; nodes before the edges that name them, operators in topological order. */
    public static final class Builder {
        private final List<SourceNode> sources = new ArrayList<>();
        private final List<OperatorNode> operators = new ArrayList<>();
        private final List<SinkNode> sinks = new ArrayList<>();
        private final List<Edge> edges = new ArrayList<>();
        /** Node id -> 's' source, 'o' operator, 'k' sink; operators also by position. */
        private final Map<String, Character> kinds = new HashMap<>();
        private final Map<String, Integer> operatorIndex = new HashMap<>();
        private String fingerprint;

        private Builder() {
        }

        private void addId(String id, char kind) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("a graph node needs a non-blank id");
            }
            if (kinds.putIfAbsent(id, kind) != null) {
                throw new IllegalArgumentException("two graph nodes have the id '" + id + "'");
            }
        }

        public Builder source(String id, EventFormat format, long outOfOrdernessMs, long idleTimeoutMs,
                              boolean wallClockWhenIdle) {
            addId(id, 's');
            sources.add(new SourceNode(id, format, outOfOrdernessMs, idleTimeoutMs, wallClockWhenIdle));
            return this;
        }

        /** An operator with state (snapshotted under {@code id}). */
        public Builder operator(String id, OperatorFactory factory) {
            return operator(id, factory, true);
        }

        /** An operator; {@code stateful} false for one that keeps nothing across records. */
        public Builder operator(String id, OperatorFactory factory, boolean stateful) {
            addId(id, 'o');
            operatorIndex.put(id, operators.size());
            operators.add(new OperatorNode(id, factory, stateful));
            return this;
        }

        public Builder sink(String id, Sink<?> sink, SinkKind kind) {
            addId(id, 'k');
            sinks.add(new SinkNode(id, sink, kind));
            return this;
        }

        /** An unkeyed edge from the main output of {@code from} to input 1 of {@code to}. */
        public Builder edge(String from, String to) {
            return edge(from, null, to, 1, null);
        }

        /**
         * @param tag   the side output of {@code from}, or {@code null} for its main output
         * @param input 1, or 2 for the second input of a two-input operator
         * @param key   the key selector of a keyed edge ({@code keyBy}), or {@code null}
         */
        @SuppressWarnings("unchecked")
        public Builder edge(String from, OutputTag<?> tag, String to, int input, KeySelector<?> key) {
            Character f = kinds.get(from);
            Character t = kinds.get(to);
            if (f == null || t == null) {
                throw new IllegalArgumentException("edge " + from + " -> " + to + " names a node not added before it");
            }
            if (f == 'k' || t == 's') {
                throw new IllegalArgumentException("edge " + from + " -> " + to + " leaves a sink or enters a source");
            }
            if (f == 'o' && t == 'o' && operatorIndex.get(to) <= operatorIndex.get(from)) {
                throw new IllegalArgumentException("edge " + from + " -> " + to
                        + " goes back: operators are added in topological order");
            }
            if (input != 1 && (input != 2 || t != 'o')) {
                throw new IllegalArgumentException("edge " + from + " -> " + to + ": input must be 1, or 2 for an operator");
            }
            if (tag != null && f == 's') {
                throw new IllegalArgumentException("a source has no side outputs (edge " + from + " -> " + to + ")");
            }
            edges.add(new Edge(from, tag, to, input, (KeySelector<Object>) key));
            return this;
        }

        public Builder fingerprint(String fingerprint) {
            this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
            return this;
        }

        public JobGraph build() {
            if (sources.isEmpty()) {
                throw new IllegalArgumentException("a job graph needs a source");
            }
            if (fingerprint == null) {
                throw new IllegalArgumentException("a job graph needs a fingerprint");
            }
            return new JobGraph(this);
        }
    }
}
