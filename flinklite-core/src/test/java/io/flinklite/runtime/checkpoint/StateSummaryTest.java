package io.flinklite.runtime.checkpoint;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StateSummaryTest {

    @Test
    void countsPanesPerKeyAcrossKeyGroups() {
        StateTape.Writer w = new StateTape.Writer().startObject().field("keyGroups").startArray();
        w.startObject().field("group", 3L).field("keys").startArray();
        key(w, "critical", 3);
        key(w, "important", 1);
        w.endArray().endObject();
        w.startObject().field("group", 9L).field("keys").startArray();
        key(w, "critical", 2); // a key appears in one group only in practice; summing keeps the rule simple
        w.endArray().endObject();
        w.endArray().field("timers").startArray().startObject().field("key", "x").field("at", 5L).endObject().endArray();
        StateSummary s = StateSummary.of(w.endObject().finish());

        assertThat(s.panesPerKey()).containsExactly(java.util.Map.entry("critical", 5L), java.util.Map.entry("important", 1L));
        assertThat(s.openPanes()).isEqualTo(6);
        assertThat(s.keyGroups()).isEqualTo(2);
    }

    @Test
    void anEmptyStateHasNoPanes() {
        StateSummary s = StateSummary.of(StateTape.empty());
        assertThat(s.openPanes()).isZero();
        assertThat(s.panesPerKey()).isEmpty();
    }

    private static void key(StateTape.Writer w, String key, int panes) {
        w.startObject().field("key", key).field("panes").startArray();
        for (int i = 0; i < panes; i++) {
            w.startObject().field("start", i * 5_000L).field("end", i * 5_000L + 10_000).field("acc").startObject()
                    .field("count", 1L).endObject().endObject();
        }
        w.endArray().endObject();
    }
}
