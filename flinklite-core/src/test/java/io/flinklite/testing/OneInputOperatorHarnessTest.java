package io.flinklite.testing;

import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.OneInputOperator;
import io.flinklite.runtime.operator.Output;
import io.flinklite.runtime.state.StateReader;
import io.flinklite.runtime.state.StateWriter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one-input harness itself, on a small operator that reuses what it emits and keeps a counter as state. */
class OneInputOperatorHarnessTest {
    private static final OutputTag<String> KEYS = new OutputTag<>("keys");

    /** Emits each element into one reused buffer; counts elements (its state); forwards watermarks minus a lag. */
    static class Echo implements OneInputOperator<String> {
        final Output<StringBuilder> out;
        final StringBuilder reused = new StringBuilder();
        final long lag;
        long count;
        boolean finished;

        Echo(Output<StringBuilder> out, long lag) {
            this.out = out;
            this.lag = lag;
        }

        @Override
        public void processElement(String element, long timestampMs, String key) throws Exception {
            count++;
            reused.setLength(0);
            out.emit(reused.append(element).append('#').append(count), timestampMs);
            out.emitSide(KEYS, String.valueOf(key), timestampMs);
        }

        @Override
        public void processWatermark(long watermarkMs) throws Exception {
            out.emitWatermark(watermarkMs - lag);
        }

        @Override
        public void finish() {
            finished = true;
        }

        @Override
        public void snapshotState(StateWriter w) {
            w.writeLong("count", count);
        }

        @Override
        public void restoreState(StateReader r) {
            count = r.readLong("count");
        }
    }

    private static OneInputOperatorHarness<String, StringBuilder> harness(long lag) {
        return OneInputOperatorHarness.of((Output<StringBuilder> out) -> new Echo(out, lag))
                .copyingOutput(StringBuilder::new);
    }

    @Test
    void elementsComeOutInOrderWithTimestampsCopiedWhenTheOperatorReusesThem() throws Exception {
        var h = harness(0);
        h.processElement("a", 5, "k1").processElement("b", 3).processWatermark(4);
        assertThat(h.output()).extracting(o -> o instanceof StreamRecord<?> r ? r.value() + "@" + r.timestamp() : o)
                .containsExactly("a#1@5", "b#2@3", new Watermark(4));
        assertThat(h.sideOutput(KEYS)).containsExactly(new StreamRecord<>("k1", 5), new StreamRecord<>("null", 3));
        assertThat(h.emitted()).hasSize(5);
    }

    @Test
    void aWatermarkThatDoesNotAdvanceIsNotHandedToTheOperator() throws Exception {
        var h = harness(0);
        h.processWatermark(10).processWatermark(10).processWatermark(7).processWatermark(11);
        assertThat(h.watermarks()).containsExactly(10L, 11L);
        assertThat(h.currentWatermark()).isEqualTo(11);
    }

    @Test
    void anOperatorWhoseOutputWatermarkGoesBackwardsFailsTheTest() throws Exception {
        var h = OneInputOperatorHarness.of((Output<StringBuilder> out) -> new Echo(out, 0) {
            @Override
            public void processWatermark(long watermarkMs) throws Exception {
                out.emitWatermark(100 - watermarkMs);
            }
        });
        h.processWatermark(1);
        assertThatThrownBy(() -> h.processWatermark(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("backwards");
    }

    @Test
    void endInputForwardsTheFinalWatermarkThenFinishes() throws Exception {
        var h = harness(0);
        h.endInput();
        assertThat(h.watermarks()).containsExactly(Long.MAX_VALUE);
        assertThat(((Echo) h.operator()).finished).isTrue();
        assertThatThrownBy(() -> h.processElement("late", 1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void restoredGivesAFreshOperatorWithTheStateAndTheSameCopiers() throws Exception {
        var h = harness(0);
        h.processElement("a", 1).processElement("b", 2).processWatermark(5);
        var r = h.restored(h.snapshot());
        assertThat(r.operator()).isNotSameAs(h.operator());
        r.processElement("c", 6).processElement("d", 7).processWatermark(5).processWatermark(6);
        assertThat(r.elements()).extracting(StringBuilder::toString).containsExactly("c#3", "d#4");
        assertThat(r.watermarks()).containsExactly(6L);
        assertThat(h.snapshot().toJson()).contains("\"count\": 2");
    }
}
