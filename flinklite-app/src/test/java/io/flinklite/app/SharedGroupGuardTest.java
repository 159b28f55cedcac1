package io.flinklite.app;

import io.flinklite.connector.kafka.ConsumerGroupMembers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When a fused job decides that live instances share its group, and when it does not (a dead member's lingering session). */
class SharedGroupGuardTest {

    /** A group of one topic of three partitions, as the guard sees it. */
    static final class FakeGroup implements SharedGroupGuard.Group {
        int[] owned = {0, 1, 2};
        final List<ConsumerGroupMembers.Member> members = new ArrayList<>();

        @Override public List<String> topics() { return List.of("in"); }
        @Override public int[] owned(int source) { return owned; }
        @Override public int partitionCount(int source) { return 3; }
        @Override public String memberId() { return "me"; }
        @Override public List<ConsumerGroupMembers.Member> members() { return members; }
        @Override public long sessionTimeoutMs() { return 45_000; }

        void member(String id, List<Integer> partitions) {
            members.add(new ConsumerGroupMembers.Member(id, "flinklite-source", "10.0.0.7", Map.of("in", partitions)));
        }
    }

    @Test
    void aLiveInstanceOwningPartOfTheInputStopsTheJobAfterTheSessionTimeoutWithOneLineNamingTheWaysOut() {
        FakeGroup g = new FakeGroup();
        SharedGroupGuard guard = new SharedGroupGuard(g, "clicks");
        guard.check(0);
        g.owned = new int[] {0};
        g.member("me", List.of(0));
        g.member("other", List.of(1, 2));
        long t = 1_000;
        for (; t < 1_000 + guard.graceMs(); t += 1_000) {
            guard.check(t);
        }
        assertThat(guard.graceMs()).isEqualTo(60_000);
        assertThatThrownBy(() -> guard.check(1_000 + guard.graceMs())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("2 instances of this job share group clicks (this one owns in [0], "
                        + "flinklite-source@10.0.0.7 owns in [1, 2])")
                .hasMessageContaining("--scale-out").hasMessageContaining("--keyed-input")
                .hasMessageContaining("--group-id").hasMessageNotContaining("\n");
    }

    @Test
    void aDeadMembersLingeringSessionIsWaitedOutNotRefused() {
        FakeGroup g = new FakeGroup();
        SharedGroupGuard guard = new SharedGroupGuard(g, "clicks");
        g.owned = new int[] {0};
        g.member("me", List.of(0));
        g.member("dead", List.of(1, 2));
        for (long t = 0; t < 50_000; t += 1_000) {
            guard.check(t);
        }
        // Its session expired: the group rebalanced and this instance owns everything.
        g.members.clear();
        g.owned = new int[] {0, 1, 2};
        guard.check(50_000);
        // Another member later: a fresh wait, not the one that began before.
        g.owned = new int[] {0};
        g.member("other", List.of(1, 2));
        for (long t = 51_000; t < 51_000 + guard.graceMs(); t += 1_000) {
            guard.check(t);
        }
        assertThatThrownBy(() -> guard.check(51_000 + guard.graceMs())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionsNobodyOwnsYetAreNotSharingAndOwningEverythingNeverTrips() {
        FakeGroup g = new FakeGroup();
        SharedGroupGuard guard = new SharedGroupGuard(g, "clicks");
        g.member("me", List.of(0, 1, 2));
        g.member("idle", List.of());
        for (long t = 0; t < 200_000; t += 1_000) {
            guard.check(t);
        }
        g.owned = new int[] {0};
        g.members.clear();
        g.member("me", List.of(0));
        for (long t = 200_000; t < 400_000; t += 1_000) {
            guard.check(t);
        }
    }

    @Test
    void anIdleInstanceWhileOthersOwnTheInputStopsToo() {
        FakeGroup g = new FakeGroup();
        SharedGroupGuard guard = new SharedGroupGuard(g, "clicks");
        g.owned = new int[0];
        g.member("a", List.of(0, 1));
        g.member("b", List.of(2));
        for (long t = 0; t < guard.graceMs(); t += 1_000) {
            guard.check(t);
        }
        assertThatThrownBy(() -> guard.check(guard.graceMs())).hasMessageStartingWith("3 instances of this job share"
                + " group clicks (this one owns in [], ");
    }
}
