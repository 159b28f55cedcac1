package io.flinklite.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.PrettyPrinter;

import java.io.IOException;

/**
 * Pretty-prints the outline of a JSON document and keeps its depths compact: entries of objects nested at most
 * {@code objectDepth} deep and values of arrays nested at most {@code arrayDepth} deep start on their own indented
 * line; anything deeper stays on its parent's line. With (2, 3) a checkpoint shows one header field, one source, one
 * result or one state entry per line, whatever the size of the state. One instance per generator (it counts nesting).
 */
final class OutlinePrettyPrinter implements PrettyPrinter {
    private final int objectDepth;
    private final int arrayDepth;
    private int depth;

    OutlinePrettyPrinter(int objectDepth, int arrayDepth) {
        this.objectDepth = objectDepth;
        this.arrayDepth = arrayDepth;
    }

    @Override
    public void writeRootValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw('\n');
    }

    @Override
    public void writeStartObject(JsonGenerator g) throws IOException {
        g.writeRaw('{');
        depth++;
    }

    @Override
    public void beforeObjectEntries(JsonGenerator g) throws IOException {
        newlineIf(g, depth <= objectDepth, depth);
    }

    @Override
    public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(depth <= objectDepth ? ": " : ":");
    }

    @Override
    public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        newlineIf(g, depth <= objectDepth, depth);
    }

    @Override
    public void writeEndObject(JsonGenerator g, int nrOfEntries) throws IOException {
        depth--;
        if (nrOfEntries > 0) {
            newlineIf(g, depth + 1 <= objectDepth, depth);
        }
        g.writeRaw('}');
    }

    @Override
    public void writeStartArray(JsonGenerator g) throws IOException {
        g.writeRaw('[');
        depth++;
    }

    @Override
    public void beforeArrayValues(JsonGenerator g) throws IOException {
        newlineIf(g, depth <= arrayDepth, depth);
    }

    @Override
    public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
        g.writeRaw(',');
        newlineIf(g, depth <= arrayDepth, depth);
    }

    @Override
    public void writeEndArray(JsonGenerator g, int nrOfValues) throws IOException {
        depth--;
        if (nrOfValues > 0) {
            newlineIf(g, depth + 1 <= arrayDepth, depth);
        }
        g.writeRaw(']');
    }

    /** A newline and {@code indentLevel} steps of indentation when {@code outlined}. */
    private static void newlineIf(JsonGenerator g, boolean outlined, int indentLevel) throws IOException {
        if (outlined) {
            g.writeRaw('\n');
            for (int i = 0; i < indentLevel; i++) {
                g.writeRaw("  ");
            }
        }
    }
}
