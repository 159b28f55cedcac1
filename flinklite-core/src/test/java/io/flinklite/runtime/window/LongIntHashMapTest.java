package io.flinklite.runtime.window;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LongIntHashMapTest {

    @Test
    void behavesLikeAHashMapUnderRandomPutsAndRemoves() {
        Random r = new Random(11);
        LongIntHashMap map = new LongIntHashMap(2);
        Map<Long, Integer> reference = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            // Few distinct keys, clustered like pane starts, so probe runs and backward shifts are exercised.
            long key = (r.nextInt(64) - 32) * 5_000L + (r.nextInt(4) == 0 ? Long.MIN_VALUE : 0);
            switch (r.nextInt(3)) {
                case 0:
                    int v = r.nextInt(1_000);
                    map.put(key, v);
                    reference.put(key, v);
                    break;
                case 1:
                    assertThat(map.remove(key)).isEqualTo(reference.getOrDefault(key, LongIntHashMap.MISSING));
                    reference.remove(key);
                    break;
                default:
                    assertThat(map.get(key)).isEqualTo(reference.getOrDefault(key, LongIntHashMap.MISSING));
            }
            assertThat(map.size()).isEqualTo(reference.size());
        }
        int seen = 0;
        for (int i = 0; i < map.capacity(); i++) {
            if (map.valueAt(i) != LongIntHashMap.MISSING) {
                assertThat(reference.get(map.keyAt(i))).isEqualTo(map.valueAt(i));
                seen++;
            }
        }
        assertThat(seen).isEqualTo(reference.size());
    }
}
