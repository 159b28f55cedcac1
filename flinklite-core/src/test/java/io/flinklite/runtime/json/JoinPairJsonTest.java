package io.flinklite.runtime.json;

import io.flinklite.runtime.join.JoinedPair;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class JoinPairJsonTest {

    private static JoinedPair<byte[], byte[]> pair(String key, String left, String right, boolean windowed) throws Exception {
        JoinedPair<byte[], byte[]> p = new JoinedPair<>();
        // The operators fill pairs through package-private setters; a test outside the package uses them reflectively.
        if (windowed) {
            Method set = JoinedPair.class.getDeclaredMethod("setWindowed", String.class, Object.class, long.class,
                    Object.class, long.class, long.class, long.class);
            set.setAccessible(true);
            set.invoke(p, key, bytes(left), 1L, bytes(right), 2L, -10L, 10L);
        } else {
            Method set = JoinedPair.class.getDeclaredMethod("setInterval", String.class, Object.class, long.class,
                    Object.class, long.class);
            set.setAccessible(true);
            set.invoke(p, key, bytes(left), 1L, bytes(right), 2L);
        }
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesTheContractLineWithTheObjectsUnchanged() throws Exception {
        JoinPairJson json = new JoinPairJson();
        assertThat(json.toLine(pair("critical", "{\"a\":1}", "{ \"b\" : [1, 2] }", false)))
                .isEqualTo("{\"key\":\"critical\",\"left\":{\"a\":1},\"right\":{ \"b\" : [1, 2] }}");
        assertThat(json.toLine(pair("critical", "{}", "{}", true)))
                .isEqualTo("{\"key\":\"critical\",\"left\":{},\"right\":{},\"windowStart\":-10,\"windowEnd\":10}");
    }

    @Test
    void escapesTheKeyAsAJsonString() throws Exception {
        JoinPairJson json = new JoinPairJson();
        String key = "ünï \"q\" \\ \t\u0001";
        String line = json.toLine(pair(key, "{}", "{}", false));
        assertThat(line).startsWith("{\"key\":\"ünï \\\"q\\\" \\\\ \\t\\u0001\",");
        assertThat(json.toLine(pair(key, "{}", "{}", false))).isEqualTo(line); // from the cache: the same bytes
    }

    @Test
    void aRecordIsTheLineWithoutItsNewlineInAFreshArrayEachTime() throws Exception {
        JoinPairJson json = new JoinPairJson();
        byte[] first = json.toRecord(pair("k", "{\"a\":1}", "{\"b\":2}", false));
        byte[] second = json.toRecord(pair("k", "{}", "{}", true));
        assertThat(new String(first, StandardCharsets.UTF_8))
                .isEqualTo("{\"key\":\"k\",\"left\":{\"a\":1},\"right\":{\"b\":2}}");
        assertThat(new String(second, StandardCharsets.UTF_8)).isEqualTo(json.toLine(pair("k", "{}", "{}", true)));
    }
}
