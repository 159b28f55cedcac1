package io.flinklite.runtime.window;

import org.junit.jupiter.api.Test;

import java.util.PriorityQueue;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class TimerQueueTest {

    @Test
    void popsInTimeOrderWithTheirPayload() {
        Random r = new Random(3);
        TimerQueue q = new TimerQueue();
        PriorityQueue<long[]> reference = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 0; i < 50_000; i++) {
            if (r.nextInt(3) > 0 || q.isEmpty()) {
                long time = r.nextInt(10_000) - 5_000;
                q.add(time, "owner", time * 2, time * 3);
                reference.add(new long[] {time});
            } else {
                q.pop();
                assertThat(q.poppedTime).isEqualTo(reference.poll()[0]);
                assertThat(q.poppedStart).isEqualTo(q.poppedTime * 2);
                assertThat(q.poppedEnd).isEqualTo(q.poppedTime * 3);
                assertThat(q.poppedOwner).isEqualTo("owner");
            }
            assertThat(q.size()).isEqualTo(reference.size());
            if (!q.isEmpty()) {
                assertThat(q.peekTime()).isEqualTo(reference.peek()[0]);
            }
        }
    }
}
