package io.flinklite.runtime.window;

import io.flinklite.api.Event;
import io.flinklite.api.OutputTag;
import io.flinklite.runtime.operator.Output;
import io.flinklite.api.WindowAssigner;
import io.flinklite.job.AggregateSpec;
import io.flinklite.runtime.checkpoint.StateTape;
import io.flinklite.runtime.checkpoint.TapeStateReader;
import io.flinklite.runtime.checkpoint.TapeStateWriter;
import io.flinklite.runtime.state.KeyGroups;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot's order is kept incrementally ({@link KeyGroupLists}, {@link LongIntHashMap#sortedEntries}) instead of
 * rebuilt per snapshot; these checks make sure it stays the documented one while keys come and go: key groups
 * ascending, each key in its own group, keys sorted within a group, pane and window starts ascending. A restore into a
 * fresh operator (which lists its keys in another insertion order) must snapshot to the identical tape, and every
 * open pane must be in the snapshot.
 */
class WindowOperatorSnapshotOrderTest {

    @Test
    void snapshotsAreOrderedWhileKeysComeAndGo() {
        // Sliding 30/10 (3 panes a key, insertion sort); sliding 100/1 (up to 100 panes, the sorting fallback); sessions.
        check(WindowAssigner.sliding(30, 10, 0), 1);
        check(WindowAssigner.sliding(100, 1, 0), 2);
        check(WindowAssigner.session(7), 3);
    }

    private static void check(WindowAssigner assigner, long seed) {
        Random r = new Random(seed);
        WindowOperator op = newOperator(assigner);
        long clock = 0;
        for (int step = 0; step < 30_000; step++) {
            clock += r.nextInt(2);
            String key = "k" + r.nextInt(3_000);
            try {
                op.processElement(Event.of(step, clock - r.nextInt(20), key), clock - r.nextInt(20), key);
                if (r.nextInt(50) == 0) {
                    op.advanceWatermark(clock - 25); // fires and cleans: keys disappear and come back
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            if (r.nextInt(3_000) == 0 || step == 29_999) {
                StateTape tape = snapshot(op);
                assertThat(countOrderedPanes(tape)).as("panes in the snapshot at step %d", step).isEqualTo(op.openPanes());
                WindowOperator restored = newOperator(assigner);
                TapeStateReader reader = new TapeStateReader(tape);
                reader.beginObject(null);
                restored.restoreState(reader);
                reader.endObject();
                assertThat(snapshot(restored)).as("snapshot after restore at step %d", step).isEqualTo(tape);
            }
        }
    }

    private static WindowOperator newOperator(WindowAssigner assigner) {
        Output<Object> none = new Output<>() {
            @Override
            public void emit(Object element, long timestampMs) {
            }

            @Override
            public <X> void emitSide(OutputTag<X> tag, X element, long timestampMs) {
            }

            @Override
            public void emitWatermark(long watermarkMs) {
            }
        };
        return new WindowOperator(assigner, 5, new BuiltinAggregator(AggregateSpec.Kind.COUNT, none), none);
    }

    private static StateTape snapshot(WindowOperator op) {
        TapeStateWriter out = new TapeStateWriter(1024, 16);
        out.beginObject(null);
        op.snapshotState(out);
        out.endObject();
        return out.finish();
    }

    /** Checks the order of key groups, keys and starts; returns the number of panes or sessions. */
    private static long countOrderedPanes(StateTape tape) {
        StateTape.Reader in = tape.reader();
        long panes = 0;
        long previousGroup = -1;
        int group = -1;
        String previousKey = null;
        String list = null;
        long previousStart = Long.MIN_VALUE;
        String field = null;
        for (int t = in.next(); t != StateTape.END; t = in.next()) {
            if (t == StateTape.FIELD_NAME) {
                field = in.text();
                if (field.equals("panes") || field.equals("windows") || field.equals("sessions")) {
                    list = field;
                    previousStart = Long.MIN_VALUE;
                }
            } else if (t == StateTape.LONG && "keyGroup".equals(field)) {
                assertThat(in.longValue()).isGreaterThan(previousGroup);
                previousGroup = in.longValue();
                group = (int) previousGroup;
                previousKey = null;
            } else if (t == StateTape.STRING && "key".equals(field)) {
                String key = in.text();
                assertThat(KeyGroups.of(key)).as("group of %s", key).isEqualTo(group);
                if (previousKey != null) {
                    assertThat(key).isGreaterThan(previousKey);
                }
                previousKey = key;
            } else if (t == StateTape.LONG && "start".equals(field)) {
                assertThat(in.longValue()).as("start in %s of %s", list, previousKey).isGreaterThan(previousStart);
                previousStart = in.longValue();
                if (!"windows".equals(list)) {
                    panes++;
                }
            }
        }
        return panes;
    }
}
