package io.flinklite.runtime.checkpoint;

import io.flinklite.runtime.state.StateFormatException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TapeStateReaderTest {

    private static StateTape sample() {
        TapeStateWriter w = new TapeStateWriter(64, 4);
        w.beginObject(null);
        w.writeString("key", "critical");
        w.writeDouble("sum", Double.NaN);
        w.writeBoolean("idle", true);
        w.beginArray("panes");
        for (long start = 0; start < 3; start++) {
            w.beginObject(null);
            w.writeLong("start", start * 5_000);
            w.endObject();
        }
        w.endArray();
        w.endObject();
        return w.finish();
    }

    @Test
    void readsBackWhatTheWriterRecorded() {
        TapeStateReader r = new TapeStateReader(sample());
        r.beginObject(null);
        assertThat(r.readString("key")).isEqualTo("critical");
        assertThat(r.readDouble("sum")).isNaN();
        assertThat(r.readBoolean("idle")).isTrue();
        r.beginArray("panes");
        long sum = 0;
        int n = 0;
        while (r.hasNext()) {
            r.beginObject(null);
            sum += r.readLong("start");
            r.endObject();
            n++;
        }
        r.endArray();
        r.endObject();
        assertThat(n).isEqualTo(3);
        assertThat(sum).isEqualTo(15_000);
    }

    @Test
    void aWrongNameOrTypeIsAStateFormatExceptionNamingIt() {
        TapeStateReader r = new TapeStateReader(sample());
        r.beginObject(null);
        assertThatThrownBy(() -> r.readString("type")).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("expected field \"type\", found \"key\"");

        TapeStateReader r2 = new TapeStateReader(sample());
        r2.beginObject(null);
        assertThatThrownBy(() -> r2.readLong("key")).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("expected an integer for \"key\", found a string");
    }

    @Test
    void anUnreadFieldIsReportedAtTheEndOfItsObject() {
        TapeStateReader r = new TapeStateReader(sample());
        r.beginObject(null);
        r.readString("key");
        assertThatThrownBy(r::endObject).isInstanceOf(StateFormatException.class)
                .hasMessageContaining("expected the end of an object, found a field name \"sum\"");
    }
}
