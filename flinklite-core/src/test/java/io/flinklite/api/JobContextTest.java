package io.flinklite.api;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A context a user's test implements needs no {@code records()} unless its job writes records. */
class JobContextTest {

    @Test
    void aContextWithoutRecordsCompilesAndSaysSoWhenAJobAsksForThem() {
        List<WindowResult> written = new java.util.ArrayList<>();
        JobContext context = new JobContext() {
            @Override
            public Sink<WindowResult> results() { return written::add; }

            @Override
            public List<String> inputTopics() { return List.of("in"); }

            @Override
            public Sink<byte[]> lateEvents() { return null; }

            @Override
            public Map<String, String> parameters() { return Map.of("k", "v"); }
        };

        assertThat(context.parameter("k", "d")).isEqualTo("v");
        assertThatThrownBy(context::records).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no output for records").hasMessageContaining("--output-topic");
    }
}
