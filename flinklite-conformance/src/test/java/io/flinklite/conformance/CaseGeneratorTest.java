package io.flinklite.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generator is deterministic per seed, covers its matrix, and counts its invalid lines the way the contract does. */
class CaseGeneratorTest {

    @Test
    void sameSeedGivesTheSameCase() {
        ConformanceCase a = CaseGenerator.generate(42);
        ConformanceCase b = CaseGenerator.generate(42);
        assertThat(a.spec()).isEqualTo(b.spec());
        assertThat(a.lines()).isEqualTo(b.lines());
        assertThat(CaseGenerator.generate(43).lines()).isNotEqualTo(a.lines());
    }

    @Test
    void consecutiveSeedsCoverEveryMatrixCell() {
        Set<String> cells = new HashSet<>();
        Set<String> windows = new HashSet<>();
        for (long seed = 1_000; seed < 1_000 + CaseGenerator.MATRIX_CELLS; seed++) {
            ConformanceCase c = CaseGenerator.generate(seed);
            cells.add(c.spec().window().kind() + "/" + (c.spec().allowedLatenessMs() > 0) + "/" + c.spec().aggregate().kind()
                    + "/" + CaseGenerator.cellOf(seed));
            windows.add(CaseGenerator.cellOf(seed).split(",")[0]);
        }
        assertThat(cells).hasSize(CaseGenerator.MATRIX_CELLS);
        assertThat(windows).containsExactlyInAnyOrder(CaseGenerator.SHAPES);
    }

    @Test
    void invalidLineCountMatchesTheReferenceParserAndValidLinesAreWellFormedJson() throws IOException {
        JsonFactory json = new JsonFactory();
        for (long seed = 0; seed < 50; seed++) {
            ConformanceCase c = CaseGenerator.generate(seed);
            int invalid = 0;
            for (String line : c.lines()) {
                if (ReferenceParser.parse(line, c.spec().keyField(), c.spec().aggregate().field()) == null) {
                    invalid++;
                } else {
                    try (JsonParser p = json.createParser(line)) {
                        while (p.nextToken() != null) {
                            // reads the whole line; throws on malformed JSON
                        }
                    }
                }
            }
            assertThat(invalid).as("seed %d", seed).isEqualTo(c.invalidLines()).isPositive();
        }
    }

    @Test
    void referenceParserReadsOnlyTopLevelFields() {
        ReferenceEvent e = ReferenceParser.parse(
                "{\"meta\":{\"timestamp\":1,\"message\":\"inner\",\"value\":\"x\"},\"value\":2.5,\"message\":\"critical\",\"timestamp\":7}",
                "message", "value");
        assertThat(e).isNotNull();
        assertThat(e.key).isEqualTo("critical");
        assertThat(e.timestamp).isEqualTo(7);
        assertThat(e.value).isEqualTo(2.5);
        assertThat(ReferenceParser.parse("{\"timestamp\":\"7\",\"message\":\"critical\"}", "message", null)).isNull();
        assertThat(ReferenceParser.parse("{\"timestamp\":7}", "message", null)).isNull();
        assertThat(ReferenceParser.parse("{\"timestamp\":7,\"message\":\"critical\"", "message", null)).isNull();
    }
}
