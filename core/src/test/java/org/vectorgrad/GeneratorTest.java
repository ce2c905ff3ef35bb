package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Replays fixtures printed by real PyTorch 1.13 (tools/pytorch/gen_rng_fixtures.py) and checks the
 * generator's own contracts: reseeding, independence, argument errors and thread safety.
 */
class GeneratorTest {

    private static final String FIXTURE = "/fixtures/rng.txt";
    /** Results are written at this offset into a larger, sentinel-filled array to check offset handling. */
    private static final int OFFSET = 3;
    private static final float SENTINEL = -12345.5f;

    /** One fixture case: its header and the operation lines up to "end". */
    private record Case(String name, String mode, long seed, int firstLine, List<String> lines) {
    }

    // ------------------------------------------------------------------ PyTorch fixtures

    @TestFactory
    Stream<DynamicTest> replaysPyTorchFixturesBitExactly() {
        List<Case> cases = loadCases();
        assertTrue(cases.size() >= 50, "expected at least 50 fixture cases, found " + cases.size());
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> replay(c)));
    }

    private static List<Case> loadCases() {
        List<String> lines = Fixtures.lines(FIXTURE);
        List<Case> cases = new ArrayList<>();
        Case current = null;
        for (int index = 0; index < lines.size(); index++) {
            String line = lines.get(index);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("case ")) {
                String[] t = line.split(" ");
                current = new Case(t[1], t[2], Long.parseLong(t[3]), index + 1, new ArrayList<>());
            } else if (line.equals("end")) {
                cases.add(current);
                current = null;
            } else {
                current.lines().add(line);
            }
        }
        return cases;
    }

    private static void replay(Case c) {
        Generator g = switch (c.mode()) {
            case "generator" -> new Generator(c.seed());
            case "default" -> Generator.defaultGenerator().manualSeed(c.seed());
            case "fresh" -> {
                assertEquals(Generator.DEFAULT_SEED, c.seed(), "torch.Generator() default seed");
                yield new Generator(Generator.DEFAULT_SEED);
            }
            default -> throw new IllegalStateException("unknown mode " + c.mode());
        };
        for (int i = 0; i < c.lines().size(); i++) {
            String line = c.lines().get(i);
            String where = "case " + c.name() + " (fixture line " + (c.firstLine() + 1 + i) + ", op #" + i + ")";
            replayLine(g, line, where);
        }
    }

    private static void replayLine(Generator g, String line, String where) {
        int colon = line.indexOf(" :");
        String[] head = (colon < 0 ? line : line.substring(0, colon)).split(" ");
        String tail = colon < 0 ? "" : line.substring(colon + 2).trim();
        String[] values = tail.isEmpty() ? new String[0] : tail.split(" ");
        String op = head[0];
        switch (op) {
            case "initial_seed" -> assertEquals(Long.parseUnsignedLong(head[1]), g.initialSeed(), where);
            case "seed" -> g.manualSeed(Long.parseLong(head[1]));
            case "randperm" -> assertPermutation(values, g.randperm(Integer.parseInt(head[1])), where);
            case "rand", "randn", "uniform", "normal" -> {
                int n = Integer.parseInt(head[1]);
                boolean uniform = op.equals("rand") || op.equals("uniform");
                boolean explicit = op.equals("uniform") || op.equals("normal");
                float a = explicit ? Fixtures.floats(head[2])[0] : 0f;
                float b = explicit ? Fixtures.floats(head[3])[0] : 1f;
                float[] actual = fillWithOffset(n, dst -> {
                    if (uniform) {
                        g.fillUniform(dst, OFFSET, n, a, b);
                    } else {
                        g.fillNormal(dst, OFFSET, n, a, b);
                    }
                });
                assertFloatBits(values, actual, where + " " + String.join(" ", head));
            }
            default -> fail(where + ": unknown op " + op);
        }
    }

    /** Fills n values at OFFSET of a sentinel-filled array and checks nothing outside was touched. */
    private static float[] fillWithOffset(int n, Consumer<float[]> fill) {
        float[] dst = new float[n + OFFSET + 2];
        Arrays.fill(dst, SENTINEL);
        fill.accept(dst);
        for (int i = 0; i < dst.length; i++) {
            if ((i < OFFSET || i >= OFFSET + n) && dst[i] != SENTINEL) {
                fail("element " + i + " outside [" + OFFSET + ", " + (OFFSET + n) + ") was overwritten");
            }
        }
        return Arrays.copyOfRange(dst, OFFSET, OFFSET + n);
    }

    private static void assertFloatBits(String[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": number of values");
        for (int i = 0; i < expected.length; i++) {
            int want = Integer.parseUnsignedInt(expected[i], 16);
            int got = Float.floatToRawIntBits(actual[i]);
            if (want != got) {
                fail(String.format("%s: first difference at index %d: expected %08x (%s) but was %08x (%s)",
                    what, i, want, Float.intBitsToFloat(want), got, actual[i]));
            }
        }
    }

    private static void assertPermutation(String[] expected, int[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": randperm length");
        for (int i = 0; i < expected.length; i++) {
            if (Integer.parseInt(expected[i]) != actual[i]) {
                fail(what + ": randperm first difference at index " + i + ": expected " + expected[i]
                    + " but was " + actual[i]);
            }
        }
    }


    // ------------------------------------------------------------------ state and seeding

    /** A fixed mix of all operations, returned as one array of float bits (randperm as ints). */
    private static int[] script(Generator g) {
        int[] out = new int[0];
        out = append(out, normal(g, 1, 0f, 1f));      // leaves a cached sample
        out = append(out, uniform(g, 3, 0f, 1f));
        out = append(out, normal(g, 1, 0f, 1f));      // consumes it
        out = append(out, normal(g, 21, 0.5f, 2f));
        out = append(out, normal(g, 3, 0f, 1f));
        out = append(out, g.randperm(7));
        return out;
    }

    private static int[] append(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static int[] uniform(Generator g, int n, float from, float to) {
        float[] v = new float[n];
        g.fillUniform(v, 0, n, from, to);
        return toBits(v);
    }

    private static int[] normal(Generator g, int n, float mean, float std) {
        float[] v = new float[n];
        g.fillNormal(v, 0, n, mean, std);
        return toBits(v);
    }

    private static int[] toBits(float[] v) {
        int[] bits = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            bits[i] = Float.floatToRawIntBits(v[i]);
        }
        return bits;
    }

    @Test
    void manualSeedResetsMidStreamStateIncludingTheNormalCache() {
        int[] fresh = script(new Generator(7));
        Generator g = new Generator(7);
        normal(g, 3, 0f, 1f);            // odd count: a cached sine sample is pending
        uniform(g, 700, 0f, 1f);         // and the MT19937 state has twisted
        g.manualSeed(99);
        normal(g, 1, 0f, 1f);
        g.manualSeed(7);
        assertEquals(7L, g.initialSeed());
        assertArrayEquals(fresh, script(g));
    }

    @Test
    void cachedNormalSampleCarriesAcrossCalls() {
        // Two calls of one element must equal one call of two: the second reuses the cached sample.
        int[] pair = normal(new Generator(11), 2, 0f, 1f);
        Generator g = new Generator(11);
        assertArrayEquals(pair, append(normal(g, 1, 0f, 1f), normal(g, 1, 0f, 1f)));
    }

    @Test
    void onlyTheLow32SeedBitsReachTheStreamButInitialSeedKeepsAll() {
        Generator high = new Generator(5L + (1L << 32));
        assertArrayEquals(script(new Generator(5)), script(high));
        assertEquals(5L + (1L << 32), high.initialSeed());
        assertEquals(-1L, new Generator(-1L).initialSeed());
    }

    @Test
    void instancesAreIndependent() {
        int[] aliceAlone = script(new Generator(3));
        int[] bobAlone = uniform(new Generator(3), 50, -1f, 1f);
        Generator alice = new Generator(3);
        Generator bob = new Generator(3);
        Generator bystander = new Generator(4);
        int[] bob1 = uniform(bob, 20, -1f, 1f);
        normal(bystander, 5, 0f, 1f);
        int[] aliceRun = script(alice);
        int[] bob2 = uniform(bob, 30, -1f, 1f);
        assertArrayEquals(aliceAlone, aliceRun);
        assertArrayEquals(bobAlone, append(bob1, bob2));
    }

    @Test
    void defaultGeneratorIsOneSharedInstanceWithPyTorchsDefaultSeed() {
        assertSame(Generator.defaultGenerator(), Generator.defaultGenerator());
        assertEquals(67280421310721L, Generator.DEFAULT_SEED);
        Generator d = Generator.defaultGenerator().manualSeed(Generator.DEFAULT_SEED);
        assertArrayEquals(script(new Generator(Generator.DEFAULT_SEED)), script(d));
    }

    // ------------------------------------------------------------------ bad input

    @Test
    void badArgumentsAreRejectedWithPyTorchsMessages() {
        Generator g = new Generator(1);
        float[] buf = new float[12];
        expect("normal expects std >= 0.0, but found std -1", () -> g.fillNormal(buf, 0, 3, 0f, -1f));
        expect("normal expects std >= 0.0, but found std nan", () -> g.fillNormal(buf, 0, 3, 0f, Float.NaN));
        expect("uniform_ expects to return a [from, to) range, but found from=2 > to=1",
            () -> g.fillUniform(buf, 0, 3, 2f, 1f));
        expect("from is out of bounds for float: from=nan", () -> g.fillUniform(buf, 0, 3, Float.NaN, 1f));
        expect("to is out of bounds for float: to=inf",
            () -> g.fillUniform(buf, 0, 3, 0f, Float.POSITIVE_INFINITY));
        expect("uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to=3e+38 and "
            + "from=-3e+38 which result in to-from to exceed the limit", () -> g.fillUniform(buf, 0, 3, -3e38f, 3e38f));
        expect("Trying to create tensor with negative dimension -1: [-1]", () -> g.randperm(-1));
        expect("Trying to create tensor with negative dimension -2: [-2]", () -> g.fillUniform(buf, 0, -2, 0f, 1f));
        expect("offset 5 and n 10 are out of range for an array of length 12",
            () -> g.fillNormal(buf, 5, 10, 0f, 1f));
        expect("offset -1 and n 1 are out of range for an array of length 12",
            () -> g.fillUniform(buf, -1, 1, 0f, 1f));
        // Rejected calls must not consume any of the stream.
        assertArrayEquals(script(new Generator(1)), script(g));
    }

    private static void expect(String message, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(message, e.getMessage());
    }

    @Test
    void edgeSizesAndDegenerateParameters() {
        Generator g = new Generator(2);
        g.fillUniform(new float[0], 0, 0, 0f, 1f);
        g.fillNormal(new float[4], 4, 0, 0f, 1f);
        assertArrayEquals(new int[0], g.randperm(0));
        assertArrayEquals(new int[] {0}, g.randperm(1));
        // n = 0 and n = 1 randperm draw nothing, so the stream is still at its start.
        assertArrayEquals(script(new Generator(2)), script(g));
        float[] v = new float[20];
        new Generator(2).fillUniform(v, 0, 20, 5f, 5f);
        for (float x : v) {
            assertEquals(5f, x);
        }
        new Generator(2).fillNormal(v, 0, 20, -3f, 0f);
        for (float x : v) {
            assertEquals(-3f, x);
        }
    }

    // ------------------------------------------------------------------ thread safety

    @Test
    void concurrentCallsProduceTheSameMultisetAsASerialRun() throws Exception {
        // Each kind of call is checked separately: calls of one kind and size are interchangeable, so
        // any interleaving of atomic calls yields the serial run's values, only in another order.
        assertConcurrentMatchesSerial(g -> uniform(g, 64, 0f, 1f));
        assertConcurrentMatchesSerial(g -> normal(g, 5, 0f, 1f));     // scalar path with the cache
        assertConcurrentMatchesSerial(g -> normal(g, 37, 1f, 2f));    // 16-wide path with a tail
        assertConcurrentMatchesSerial(g -> g.randperm(40));
    }

    private interface Draw {
        int[] next(Generator g);
    }

    private static void assertConcurrentMatchesSerial(Draw draw) throws Exception {
        int threads = 4;
        int callsPerThread = 300;
        Generator serial = new Generator(1234);
        int[] expected = new int[0];
        for (int i = 0; i < threads * callsPerThread; i++) {
            expected = append(expected, draw.next(serial));
        }
        Generator shared = new Generator(1234);
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int[] mine = new int[0];
                    for (int i = 0; i < callsPerThread; i++) {
                        mine = append(mine, draw.next(shared));
                    }
                    return mine;
                }));
            }
            int[] actual = new int[0];
            for (Future<int[]> f : results) {
                actual = append(actual, f.get());
            }
            Arrays.sort(expected);
            Arrays.sort(actual);
            assertArrayEquals(expected, actual);
            assertNotEquals(0, expected.length);
        } finally {
            pool.shutdownNow();
        }
    }
}
