package io.flinklite.testing;

import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.Output;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The {@link Output} a harness hands its operator: keeps everything emitted, in order, copying elements the operator
 * reuses (as the {@code Output} contract lets it) with the copiers the test gave. Checks the contract's one rule on
 * watermarks: they never go backwards (one that does not advance is ignored, as a downstream operator would).
 */
final class HarnessOutput<OUT> implements Output<OUT> {
    final List<Object> emitted = new ArrayList<>();
    UnaryOperator<OUT> copy = UnaryOperator.identity();
    final Map<OutputTag<?>, UnaryOperator<?>> sideCopies = new HashMap<>();
    private long watermark = Long.MIN_VALUE;

    @Override
    public void emit(OUT element, long timestampMs) {
        Objects.requireNonNull(element, "the operator emitted null");
        emitted.add(new StreamRecord<>(copy.apply(element), timestampMs));
    }

    @Override
    @SuppressWarnings("unchecked")
    public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
        Objects.requireNonNull(tag, "the operator emitted to a null tag");
        Objects.requireNonNull(element, "the operator emitted null to " + tag);
        UnaryOperator<X> c = (UnaryOperator<X>) sideCopies.get(tag);
        emitted.add(new SideOutputRecord<>(tag, c == null ? element : c.apply(element), timestampMs));
    }

    @Override
    public void emitWatermark(long watermarkMs) {
        if (watermarkMs < watermark) {
            throw new IllegalStateException("the operator emitted watermark " + watermarkMs + " after " + watermark
                    + ": output watermarks must not go backwards");
        }
        if (watermarkMs > watermark) {
            watermark = watermarkMs;
            emitted.add(new Watermark(watermarkMs));
        }
    }

    /** Takes over the copiers of {@code other}. */
    void copySettings(HarnessOutput<OUT> other) {
        copy = other.copy;
        sideCopies.putAll(other.sideCopies);
    }
}
