package io.flinklite.runtime.checkpoint;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateTapeTest {

    @Test
    void readsBackEveryTokenWithItsValue() {
        StateTape tape = new StateTape.Writer(16)
                .startObject()
                .field("long", Long.MIN_VALUE)
                .field("double", -0.5)
                .field("nan", Double.NaN)
                .field("text", "ü\"x")
                .field("yes", true)
                .field("none").nullValue()
                .field("list").startArray().value(1L).value(2L).endArray()
                .endObject()
                .finish();

        StateTape.Reader r = tape.reader();
        r.expect(StateTape.START_OBJECT);
        r.readField("long");
        assertThat(r.longValue()).isEqualTo(Long.MIN_VALUE);
        r.readField("double");
        assertThat(r.doubleValue()).isEqualTo(-0.5);
        r.readField("nan");
        assertThat(r.doubleValue()).isNaN();
        r.readField("text");
        assertThat(r.text()).isEqualTo("ü\"x");
        r.readField("yes");
        assertThat(r.booleanValue()).isTrue();
        r.readField("none");
        assertThat(r.token()).isEqualTo(StateTape.NULL);
        r.readField("list");
        r.skipValue();
        assertThat(r.token()).isEqualTo(StateTape.END_ARRAY);
        r.expect(StateTape.END_OBJECT);
        assertThat(r.next()).isEqualTo(StateTape.END);
        assertThat(tape.tokenCount()).isEqualTo(19);
    }

    @Test
    void growsPastItsInitialCapacity() {
        StateTape.Writer w = new StateTape.Writer(1).startArray();
        for (long i = 0; i < 10_000; i++) {
            w.value(i).value("k" + i);
        }
        StateTape tape = w.endArray().finish();
        StateTape.Reader r = tape.reader();
        r.expect(StateTape.START_ARRAY);
        for (long i = 0; i < 10_000; i++) {
            r.expect(StateTape.LONG);
            assertThat(r.longValue()).isEqualTo(i);
            r.expect(StateTape.STRING);
            assertThat(r.text()).isEqualTo("k" + i);
        }
        r.expect(StateTape.END_ARRAY);
    }

    @Test
    void refusesUnbalancedNesting() {
        assertThatThrownBy(() -> new StateTape.Writer().startObject().finish())
                .hasMessageContaining("1 unclosed");
        assertThatThrownBy(() -> new StateTape.Writer().endArray())
                .hasMessageContaining("without a matching start");
    }

    @Test
    void readerErrorsSayWhatWasExpected() {
        StateTape.Reader r = new StateTape.Writer().startObject().field("a", 1L).endObject().finish().reader();
        r.expect(StateTape.START_OBJECT);
        assertThatThrownBy(() -> r.readField("b")).hasMessageContaining("expected field \"b\", found \"a\"");
    }

    @Test
    void equalTapesCompareEqual() {
        assertThat(Checkpoints.sample(3).state()).isEqualTo(Checkpoints.sample(3).state());
        assertThat(Checkpoints.sample(3).state()).isNotEqualTo(Checkpoints.sample(4).state());
    }
}
