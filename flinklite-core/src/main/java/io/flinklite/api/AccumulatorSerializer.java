package io.flinklite.api;

/**
 * Turns an accumulator into readable text for a checkpoint and back (Flink's {@code TypeSerializer} idea, kept tiny).
 * The text is stored as a JSON string in the checkpoint file, so a short, human-readable form is best,
 * e.g. {@code "12,340.5"} for a count and a sum.
 *
 * @param <ACC> the accumulator type
 */
public interface AccumulatorSerializer<ACC> {

    /** The accumulator as text; {@link #fromText} of it must give an equal accumulator. */
    String toText(ACC accumulator);

    /** @throws IllegalArgumentException when the text was not produced by {@link #toText} */
    ACC fromText(String text);
}
