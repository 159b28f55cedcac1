package io.flinklite.conformance;

import io.flinklite.api.WindowResult;
import java.util.List;

/**
 * What one engine produced for one case: every window firing (late firings included) and every line sent to the
 * late side output, both in the order the engine emitted them (the comparison ignores order).
 */
record Outcome(List<WindowResult> results, List<String> late) {

    Outcome {
        results = List.copyOf(results);
        late = List.copyOf(late);
    }
}
