package io.flinklite.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Pretty-prints the outline of a JSON document and keeps its detail compact, so that a checkpoint of any size stays a
 * readable list of lines: one header field, one source, one pending result, one state section, one key group per line.
 *
 * <p>The rule: a container is <em>expanded</em> (its entries each on an indented line) when its parent is expanded
 * and it is nested shallowly enough: an object that is a field's value up to {@code fieldObjectDepth}, an object that
 * is an array element up to {@code elementObjectDepth}, an array up to {@code arrayDepth} (the root object is
 * depth 1). Everything inside a compact container is compact. One instance per generator (it tracks nesting).
 */
final class OutlinePrettyPrinter implements PrettyPrinter {
    private final int fieldObjectDepth;
    private final int elementObjectDepth;
    private final int arrayDepth;
    /** Per open container: is it an array, is it expanded. */
    private final Deque<boolean[]> open = new ArrayDeque<>();

    OutlinePrettyPrinter(int fieldObjectDepth, int elementObjectDepth, int arrayDepth) {
        this.fieldObjectDepth = fieldObjectDepth;
        this.elementObjectDepth = elementObjectDepth;
        this.arrayDepth = arrayDepth;
    }

    private void push(boolean array) {
        boolean[] parent = open.peek();
        int depth = open.size() + 1;
        boolean expanded;
        if (parent == null) {
            expanded = true;
        } else if (!parent[1]) {
            expanded = false;
        } else if (array) {
            expanded = depth <= arrayDepth;
        } else {
            expanded = depth <= (parent[0] ? elementObjectDepth : fieldObjectDepth);
        }
        open.push(new boolean[] {array, expanded});
    }

    private boolean expanded() {
        boolean[] top = open.peek();
        return top != null && top[1];
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
        push(false);
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
        newlineIfExpanded(g, open.size());
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(expanded() ? ": " : ":");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        newlineIfExpanded(g, open.size());
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
        close(g, nrOfEntries);
        g.writeRaw('}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
        push(true);
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        newlineIfExpanded(g, open.size());
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        newlineIfExpanded(g, open.size());
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
        close(g, nrOfValues);
        g.writeRaw(']');
    }

    private void close(JsonGenerator g, int entries) throws IOException {
        boolean wasExpanded = expanded();
        open.pop();
        if (entries > 0 && wasExpanded) {
            newline(g, open.size());
        }
    }

    private void newlineIfExpanded(JsonGenerator g, int indent) throws IOException {
        if (expanded()) {
            newline(g, indent);
        }
    }

    private static void newline(JsonGenerator g, int indent) throws IOException {
        g.writeRaw('\n');
        for (int i = 0; i < indent; i++) {
            g.writeRaw("  ");
        }
    }
}
