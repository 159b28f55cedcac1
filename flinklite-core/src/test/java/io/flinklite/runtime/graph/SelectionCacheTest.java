package io.flinklite.runtime.graph;

import io.flinklite.job.JobSpec;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SelectionCacheTest {
    private final SelectionCache cache =
            new SelectionCache(JobSpec.defaults().withTypes(Set.of("important", "critical")));

    @Test
    void answersLikeTheSpecForTheSameInstanceAndForEqualCopies() {
        String important = "important";
        for (int i = 0; i < 3; i++) {
            assertThat(cache.selects(important)).isTrue();
            assertThat(cache.selects(new String("critical"))).isTrue();
            assertThat(cache.selects(new String("normal"))).isFalse();
        }
    }

    @Test
    void staysCorrectWhenMoreDistinctKeysArriveThanItHolds() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(cache.selects("k" + i)).isFalse();
        }
        assertThat(cache.selects(new String("important"))).isTrue();
        assertThat(cache.selects(new String("normal"))).isFalse();
    }

    @Test
    void everyKeyIsSelectedWhenTheSpecHasNoTypeFilter() {
        SelectionCache all = new SelectionCache(JobSpec.defaults().withTypes(null));
        assertThat(all.selects("anything")).isTrue();
        assertThat(all.selects("anything")).isTrue();
    }
}
