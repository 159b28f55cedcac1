package io.flinklite.app.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay --input LEFT --join-input RIGHT --join SPEC} through the CLI: the exact contract of issue 13, on
 * inputs small enough that the expected output follows from the rules by hand (the turn order, per-side
 * watermarks, the minimum, an ended side releasing it).
 */
class JoinReplayCommandTest {
    @TempDir
    Path dir;

    private final CapturedCli cli = new CapturedCli();

    private static String ev(long ts, String message, String tag) {
        return "{\"timestamp\":" + ts + ",\"message\":\"" + message + "\",\"tag\":\"" + tag + "\"}";
    }

    private Path file(String name, String... lines) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, List.of(lines));
        return p;
    }

    private List<String> replay(Path left, Path right, String join, String... flags) throws Exception {
        Path out = dir.resolve("out.jsonl");
        List<String> args = new ArrayList<>(List.of("replay", "--input", left.toString(), "--join-input",
                right.toString(), "--output", out.toString(), "--join", join, "--late-output",
                dir.resolve("late.jsonl").toString()));
        args.addAll(List.of(flags));
        int code = cli.run(args.toArray(new String[0]));
        assertThat(code).as(cli.stderr()).isZero();
        return Files.readAllLines(out);
    }

    private List<String> late() throws Exception {
        return Files.readAllLines(dir.resolve("late.jsonl"));
    }

    private static String pair(String key, String left, String right) {
        return "{\"key\":\"" + key + "\",\"left\":" + left + ",\"right\":" + right + "}";
    }

    private static String windowPair(String key, String left, String right, long start, long end) {
        return "{\"key\":\"" + key + "\",\"left\":" + left + ",\"right\":" + right + ",\"windowStart\":" + start
                + ",\"windowEnd\":" + end + "}";
    }

    @Test
    void anIntervalJoinWritesOneLinePerPairWithBothObjectsAsRead() throws Exception {
        String l1 = ev(1000, "critical", "l1");
        String r1 = ev(500, "critical", "r1");
        String r2 = ev(1300, "critical", "r2");
        String r3 = ev(2001, "critical", "r3");
        Path left = file("left.jsonl", "  " + l1 + "  ");
        Path right = file("right.jsonl", r1, r2, r3);
        List<String> out = replay(left, right, "interval:-500ms:1s");
        assertThat(out).containsExactly(pair("critical", l1, r1), pair("critical", l1, r2));
        assertThat(cli.stderr()).contains("2 pairs").contains("--join-input 3 records: 3 accepted");
    }

    @Test
    void theSidesTakeTurnsAndTheOperatorWatermarkIsTheMinimumOfBoth() throws Exception {
        // Turns: L1 (ts 10000), R1 (ts 20000), L2 (ts 1000), R2 (ts 1000), L3 (15000), R3 (15001). With
        // out-of-orderness 0 the left side's watermark is 9999 after L1 and the right's 19999 after R1: the
        // operator's is 9999, so L2 and R2 at 1000 are late; after L3 it is 14999, so R3 is on time.
        String l1 = ev(10000, "critical", "L1");
        String l3 = ev(15000, "critical", "L3");
        String r1 = ev(20000, "critical", "R1");
        String r3 = ev(15001, "critical", "R3");
        Path left = file("left.jsonl", l1, ev(1000, "critical", "L2"), l3);
        Path right = file("right.jsonl", r1, ev(1000, "critical", "R2"), r3);
        List<String> out = replay(left, right, "interval:0ms:10s", "--out-of-orderness", "0ms");
        assertThat(late()).containsExactly(ev(1000, "critical", "L2"), ev(1000, "critical", "R2"));
        // R1 pairs with L1 at the inclusive upper bound (10000 + 10 s); L1 is kept until W >= 20000, so R3 finds it.
        assertThat(out).containsExactly(pair("critical", l1, r1), pair("critical", l3, r1),
                pair("critical", l1, r3), pair("critical", l3, r3));
    }

    @Test
    void anEndedSideNoLongerHoldsTheWatermarkBack() throws Exception {
        // The left file has one line: it ends at its second turn, after R1. From then on the right side alone sets
        // the watermark: R2 (ts 50000) makes it 49999, so R3 at 30000 is late. While the left held it at 999, R1 at
        // 30000 was on time.
        Path left = file("left.jsonl", ev(1000, "critical", "L1"));
        Path right = file("right.jsonl", ev(30000, "critical", "R1"), ev(50000, "critical", "R2"),
                ev(30000, "critical", "R3"));
        List<String> out = replay(left, right, "tumbling:10s", "--out-of-orderness", "0ms");
        assertThat(out).isEmpty();
        assertThat(late()).containsExactly(ev(30000, "critical", "R3"));
    }

    @Test
    void anInvalidLineTakesItsTurn() throws Exception {
        // Turns: L1 (ts 1000), R1 (ts 9000), the invalid left line 2, R2 (ts 4000), end of the left file. The left
        // side still holds the watermark at 999 when R2 comes, so R2 is on time and pairs with L1. Were the invalid
        // line not there, the left file would end before R2, the watermark would be 8999 and R2 late.
        String l1 = ev(1000, "critical", "L1");
        String r2 = ev(4000, "critical", "R2");
        Path left = file("left.jsonl", l1, "not json");
        Path right = file("right.jsonl", ev(9000, "critical", "R1"), r2);
        List<String> out = replay(left, right, "interval:0ms:5s", "--out-of-orderness", "0ms");
        assertThat(late()).isEmpty();
        assertThat(out).containsExactly(pair("critical", l1, r2));
        assertThat(cli.stderr()).contains("flinklite: --input line 2: not_json");

        Path withoutIt = file("left2.jsonl", l1);
        assertThat(replay(withoutIt, right, "interval:0ms:5s", "--out-of-orderness", "0ms")).isEmpty();
        assertThat(late()).containsExactly(r2);
    }

    @Test
    void filteredLinesAdvanceTheirSidesWatermark() throws Exception {
        // L1 is of a type not selected, but its timestamp moves the left watermark to 99999 all the same.
        Path left = file("left.jsonl", ev(100000, "normal", "L1"), ev(90000, "critical", "L2"));
        Path right = file("right.jsonl", ev(100000, "critical", "R1"), ev(50000, "critical", "R2"));
        replay(left, right, "interval:-1s:1s", "--out-of-orderness", "0ms");
        assertThat(late()).containsExactly(ev(90000, "critical", "L2"), ev(50000, "critical", "R2"));
        assertThat(cli.stderr()).contains("--input 2 records: 0 accepted, 1 filtered, 1 late");
    }

    @Test
    void aWindowJoinFiresEveryWindowAtTheEndAndAddsTheWindowToEachLine() throws Exception {
        String a = ev(1000, "critical", "a");
        String b = ev(12000, "important", "b");
        String c = ev(3000, "critical", "c");
        String d = ev(14000, "important", "d");
        Path left = file("left.jsonl", a, b);
        Path right = file("right.jsonl", c, d);
        assertThat(replay(left, right, "tumbling:10s")).containsExactly(
                windowPair("critical", a, c, 0, 10000), windowPair("important", b, d, 10000, 20000));
        assertThat(replay(left, right, "session:2s")).containsExactly(
                windowPair("critical", a, c, 1000, 5000), windowPair("important", b, d, 12000, 16000));
        assertThat(replay(left, right, "session:1s")).isEmpty();
    }

    @Test
    void aLateFiringWithinTheAllowedLatenessRepeatsEveryPairOfTheWindow() throws Exception {
        String l1 = ev(1000, "critical", "l1");
        String r1 = ev(2000, "critical", "r1");
        String lNext = ev(20000, "critical", "next");
        String rNext = ev(20000, "critical", "next");
        String r3 = ev(3000, "critical", "r3");
        // Turns: l1, r1, lNext, rNext (W = 19999: [0, 10s) fires), end of left, r3 (late firing: W < 9999 + 15000).
        Path left = file("left.jsonl", l1, lNext);
        Path right = file("right.jsonl", r1, rNext, r3);
        List<String> out = replay(left, right, "tumbling:10s", "--out-of-orderness", "0ms", "--allowed-lateness", "15s");
        assertThat(out).containsExactly(
                windowPair("critical", l1, r1, 0, 10000),
                windowPair("critical", l1, r1, 0, 10000),
                windowPair("critical", l1, r3, 0, 10000),
                windowPair("critical", lNext, rNext, 20000, 30000));
        assertThat(late()).isEmpty();
    }

    @Test
    void typesAndKeyFieldApplyToBothSides() throws Exception {
        Path left = file("left.jsonl", "{\"timestamp\":1,\"user\":\"u1\",\"message\":\"x\"}", "{\"timestamp\":1,\"message\":\"x\"}");
        Path right = file("right.jsonl", "{\"timestamp\":2,\"user\":\"u1\"}", "{\"timestamp\":2,\"user\":\"u2\"}");
        List<String> out = replay(left, right, "interval:0ms:5ms", "--key-field", "user", "--types", "u1");
        assertThat(out).containsExactly(pair("u1", "{\"timestamp\":1,\"user\":\"u1\",\"message\":\"x\"}",
                "{\"timestamp\":2,\"user\":\"u1\"}"));
        assertThat(cli.stderr()).contains("--input line 2: missing_key");
    }

    @Test
    void joinFlagsThatDoNotFitTogetherAreUsageErrors() throws Exception {
        Path f = file("f.jsonl", ev(1, "critical", "x"));
        String out = dir.resolve("o.jsonl").toString();
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join", "interval:1s:-1s",
                "--join-input", f.toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("lower bound 1s is above the upper bound -1s");
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join", "tumbling:10s")).isEqualTo(2);
        assertThat(cli.stderr()).contains("--join needs --join-input");
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join-input", f.toString())).isEqualTo(2);
        assertThat(cli.stderr()).contains("--join-input needs --join");
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join-input", f.toString(),
                "--join", "tumbling:10s", "--window", "tumbling:5s")).isEqualTo(2);
        assertThat(cli.stderr()).contains("--window does not apply to a join");
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join-input", f.toString(),
                "--join", "hopping:10s")).isEqualTo(2);
        assertThat(cli.stderr()).contains("bad join 'hopping:10s'");
        assertThat(cli.run("replay", "--input", f.toString(), "--output", out, "--join-input",
                dir.resolve("missing.jsonl").toString(), "--join", "session:1s")).isEqualTo(1);
        assertThat(cli.stderr()).contains("cannot read --join-input");
    }

    @Test
    void allowedLatenessWithAnIntervalJoinIsIgnoredWithAWarning() throws Exception {
        Path f = file("f.jsonl", ev(1, "critical", "x"));
        replay(f, f, "interval:0ms:0ms", "--allowed-lateness", "5s");
        assertThat(cli.stderr()).contains("--allowed-lateness does not apply to an interval join");
    }
}
