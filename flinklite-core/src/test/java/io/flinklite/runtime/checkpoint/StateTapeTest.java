package io.flinklite.runtime.checkpoint;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StateTapeTest {

    @Test
    void aLongPairArrayIsTheSameTapeAsItsObjectsWrittenOneByOne() {
        long[] starts = {Long.MIN_VALUE, -5, 0, 1_700_000_000_000L};
        long[] counts = {1, Long.MAX_VALUE, 0, 3};
        for (int count : new int[] {0, 1, 4}) {
            TapeStateWriter bulk = new TapeStateWriter(8, 2); // tiny: the one-step write must grow the array
            TapeStateWriter single = new TapeStateWriter(8, 2);
            for (TapeStateWriter w : new TapeStateWriter[] {bulk, single}) {
                w.beginObject(null);
                w.writeLong("before", 7);
            }
            bulk.writeLongPairArray("panes", "start", starts, "count", counts, count);
            single.beginArray("panes");
            for (int i = 0; i < count; i++) {
                single.beginObject(null);
                single.writeLong("start", starts[i]);
                single.writeLong("count", counts[i]);
                single.endObject();
            }
            single.endArray();
            for (TapeStateWriter w : new TapeStateWriter[] {bulk, single}) {
                w.writeLong("after", 8);
                w.endObject();
            }
            StateTape a = bulk.finish();
            StateTape b = single.finish();
            assertThat(a).isEqualTo(b);
            assertThat(a.tokenCount()).isEqualTo(b.tokenCount());
            assertThat(a.byteSize()).isEqualTo(b.byteSize());
        }
    }

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
