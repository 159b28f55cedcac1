package io.flinklite.app;

import io.flinklite.api.Sink;
import io.flinklite.api.WindowResult;
import io.flinklite.runtime.metrics.JobMetrics;
import io.flinklite.sink.SinkException;
import io.flinklite.sink.SinkFactory;
import io.flinklite.sink.SinkMetrics;
import io.flinklite.sink.SinkOption;
import io.flinklite.sink.SinkSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SinkRegistryTest {

    /** A sink plug-in of a test: requested by its {@code -target} option; fails to open when told so. */
    private static class FakeFactory implements SinkFactory {
        final String name;
        final List<String> events;

        FakeFactory(String name, List<String> events) {
            this.name = name;
            this.events = events;
        }

        @Override
        public String name() { return name; }

        @Override
        public List<SinkOption> options() {
            return List.of(SinkOption.of(name + "-target", "T", "where"), SinkOption.secret(name + "-password", "pw"));
        }

        @Override
        public boolean requested(SinkSettings settings) { return settings.isSet(name + "-target"); }

        @Override
        public Sink<WindowResult> open(SinkSettings settings, SinkMetrics metrics) {
            if ("fail".equals(settings.get(name + "-target"))) {
                throw new SinkException(name + " cannot open");
            }
            events.add("open " + name + " job=" + settings.jobName() + " pw=" + settings.get(name + "-password"));
            metrics.retried();
            return new Sink<>() {
                @Override
                public void write(WindowResult result) { }

                @Override
                public void close() { events.add("close " + name); }
            };
        }
    }

    @Test
    void theInstalledRegistryHasThePostgresqlAndCassandraSinks() {
        assertThat(SinkRegistry.installed().factories()).extracting(SinkFactory::name).containsExactly("cassandra", "jdbc");
        assertThat(SinkRegistry.installed().options()).extracting(SinkOption::name)
                .contains("cassandra-contact-points", "cassandra-create-table", "jdbc-url", "jdbc-password");
    }

    @Test
    void opensOnlyTheRequestedSinksInNameOrderWithTheirOwnMetrics() throws Exception {
        List<String> events = new ArrayList<>();
        SinkRegistry registry = new SinkRegistry(List.of(new FakeFactory("zeta", events), new FakeFactory("alpha", events),
                new FakeFactory("mid", events)));
        JobMetrics metrics = new JobMetrics();
        try (SinkRegistry.Opened opened = registry.open(Map.of("zeta-target", "x", "alpha-target", "y",
                "alpha-password", "pw1", "mid-password", "unused"), Map.of(), "group-1", metrics)) {
            assertThat(opened.names()).containsExactly("alpha", "zeta");
            assertThat(metrics.sinks()).containsOnlyKeys("alpha", "zeta");
            assertThat(metrics.sink("alpha").retries()).isEqualTo(1);
        }
        assertThat(events).containsExactly("open alpha job=group-1 pw=pw1", "open zeta job=group-1 pw=null",
                "close alpha", "close zeta");
    }

    @Test
    void aSinkThatFailsToOpenClosesTheOnesAlreadyOpen() {
        List<String> events = new ArrayList<>();
        SinkRegistry registry = new SinkRegistry(List.of(new FakeFactory("a", events), new FakeFactory("b", events)));
        assertThatThrownBy(() -> registry.open(Map.of("a-target", "x", "b-target", "fail"), Map.of(), "g",
                new JobMetrics())).isInstanceOf(SinkException.class).hasMessage("b cannot open");
        assertThat(events).containsExactly("open a job=g pw=null", "close a");
    }

    @Test
    void optionsMustCarryTheirSinksNameAndBeUnique() {
        SinkFactory stray = new FakeFactory("a", new ArrayList<>()) {
            @Override
            public List<SinkOption> options() { return List.of(SinkOption.of("b-target", "T", "where")); }
        };
        assertThatThrownBy(() -> new SinkRegistry(List.of(stray))).hasMessageContaining("must start with --a-");
        assertThatThrownBy(() -> new SinkRegistry(List.of(new FakeFactory("a", new ArrayList<>()),
                new FakeFactory("a", new ArrayList<>())))).hasMessageContaining("duplicate");
    }
}
