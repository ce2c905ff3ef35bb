package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Properties of the layout algebra against brute-force definitions: every layout is checked by
 * enumerating the storage offset of each element in row-major order. Layouts come from random
 * shapes (rank 0..5, sizes 0..5) put through random chains of view operations.
 */
final class LayoutTest {

    /** A layout, the storage it lives in, and how it was reached (printed when a property fails). */
    record Chain(Layout layout, int storage, String steps) {
        @Override
        public String toString() {
            return steps + " -> " + layout;
        }
    }

    // ---- generators ---------------------------------------------------------------------------

    @Provide
    Arbitrary<Chain> chains() {
        // Sizes 0..5, with 0 rare: one empty dim makes the whole layout trivially viewable.
        Arbitrary<Integer> size = Arbitraries.frequency(Tuple.of(1, 0), Tuple.of(4, 1), Tuple.of(4, 2), Tuple.of(4, 3),
                Tuple.of(2, 4), Tuple.of(2, 5));
        Arbitrary<int[]> shapes = Arbitraries.integers().between(0, 5).flatMap(r -> size.array(int[].class).ofSize(r));
        Arbitrary<List<Integer>> steps = Arbitraries.integers().between(0, 1 << 20).list().ofMaxSize(6);
        return Combinators.combine(shapes, steps).as(LayoutTest::build);
    }

    /** Seeds that {@link #targetShape} turns into a shape of a given element count. */
    @Provide
    Arbitrary<List<Integer>> shapeSeeds() {
        return Arbitraries.integers().between(0, 1 << 20).list().ofMaxSize(5);
    }

    /** Broadcasting shapes: mostly 1s and small equal sizes, so that many pairs do broadcast. */
    @Provide
    Arbitrary<int[]> broadcastShapes() {
        Arbitrary<Integer> size = Arbitraries.frequency(Tuple.of(4, 1), Tuple.of(1, 0), Tuple.of(3, 2), Tuple.of(2, 3));
        return size.array(int[].class).ofMaxSize(4);
    }

    static Chain build(int[] shape, List<Integer> codes) {
        Layout layout = Layout.contiguous(shape);
        StringBuilder steps = new StringBuilder("contiguous" + Arrays.toString(shape));
        for (int code : codes) {
            Layout next = step(layout, code % 8, code / 8, steps);
            layout = next == null ? layout : next;
        }
        return new Chain(layout, Layout.contiguous(shape).numel(), steps.toString());
    }

    private static final String[] STEP_NAMES = {"permute", "transpose", "select", "narrow", "expand", "unsqueeze",
        "squeeze", "view"};

    /** One view operation with parameters drawn from {@code p}; null when it does not apply. */
    private static Layout step(Layout l, int kind, int p, StringBuilder steps) {
        int rank = l.dim();
        int d = rank == 0 ? 0 : p % rank;
        int size = rank == 0 ? 0 : l.shape[d];
        Layout next = switch (kind) {
            case 0 -> rank < 2 ? null : l.permute(permutation(rank, p));
            case 1 -> rank == 0 ? null : l.transpose(d, (p / 5) % rank);
            case 2 -> size == 0 ? null : l.select(d, (p / 5) % size);
            case 3 -> rank == 0 ? null : narrow(l, d, p / 5);
            case 4 -> rank >= 6 ? null : l.expand(expandTarget(l.shape, p / 5));
            case 5 -> rank >= 6 ? null : l.unsqueeze(p % (rank + 1));
            case 6 -> rank == 0 ? null : l.squeeze(d);
            default -> view(l, p);
        };
        if (next != null) {
            steps.append(" ").append(STEP_NAMES[kind]).append("#").append(p);
        }
        return next;
    }

    private static Layout narrow(Layout l, int d, int p) {
        int size = l.shape[d];
        int start = p % (size + 1);
        int length = start == size || p % 11 == 0 ? 0 : 1 + (p / 7) % (size - start);
        return l.narrow(d, start, length);
    }

    private static Layout view(Layout l, int p) {
        int[] target = targetShape(l.numel(), seeds(p, p % 4));
        int[] strides = l.viewStrides(target);
        return strides == null ? null : new Layout(target, strides, l.offset);
    }

    private static List<Integer> seeds(int p, int count) {
        Random random = new Random(p);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(random.nextInt(1 << 20));
        }
        return out;
    }

    private static int[] permutation(int rank, int seed) {
        List<Integer> order = new ArrayList<>(Arrays.stream(Layout.identity(rank)).boxed().toList());
        Collections.shuffle(order, new Random(seed));
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Size-1 dims grow to 0..3 (0 rarely), and up to two new leading dims of such sizes appear. */
    static int[] expandTarget(int[] shape, int p) {
        Random random = new Random(p);
        int lead = random.nextInt(3);
        int[] target = new int[lead + shape.length];
        for (int d = 0; d < target.length; d++) {
            int existing = d < lead ? 1 : shape[d - lead];
            target[d] = existing != 1 ? existing : random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3);
        }
        return target;
    }

    /** A shape with exactly {@code numel} elements: each seed picks a divisor of what is left. */
    static int[] targetShape(int numel, List<Integer> seeds) {
        int[] shape = new int[seeds.size()];
        int left = numel;
        for (int i = 0; i < shape.length; i++) {
            int seed = seeds.get(i);
            if (numel == 0) {
                shape[i] = seed % 6;
            } else {
                int[] divisors = divisors(left);
                shape[i] = divisors[seed % divisors.length];
                left /= shape[i];
            }
        }
        if (numel != 0 && left != 1) {
            if (shape.length == 0) {
                shape = new int[] {left};
            } else {
                shape[shape.length - 1] *= left;
            }
        }
        if (numel == 0 && Arrays.stream(shape).noneMatch(s -> s == 0)) {
            shape = shape.length == 0 ? new int[1] : shape;
            shape[seeds.isEmpty() ? 0 : seeds.get(0) % shape.length] = 0;
        }
        return shape;
    }

    private static int[] divisors(int n) {
        return IntStream.rangeClosed(1, n).filter(k -> n % k == 0).toArray();
    }

    // ---- brute force --------------------------------------------------------------------------

    /** The storage offset of every element, in row-major order of the multi-indices. */
    static int[] offsets(Layout l) {
        int[] out = new int[l.numel()];
        int[] index = new int[l.dim()];
        for (int k = 0; k < out.length; k++) {
            int rest = k;
            for (int d = l.dim() - 1; d >= 0; d--) {
                index[d] = rest % l.shape[d];
                rest /= l.shape[d];
            }
            out[k] = l.indexOf(index);
        }
        return out;
    }

    /**
     * Strides that make {@code target} read the same storage elements in the same row-major order,
     * or null if none exist. A dim of size > 1 can only have the stride between its first two
     * elements, so that candidate is checked against every element.
     */
    static int[] bruteForceViewStrides(Layout l, int[] target) {
        int[] strides = new int[target.length];
        int[] wanted = offsets(l);
        if (wanted.length == 0) {
            return strides;
        }
        int step = 1;
        for (int d = target.length - 1; d >= 0; d--) {
            strides[d] = target[d] > 1 ? wanted[step] - wanted[0] : 0;
            step *= target[d];
        }
        return Arrays.equals(wanted, offsets(new Layout(target, strides, l.offset))) ? strides : null;
    }

    /** Whether the elements, in row-major order, sit at offset, offset + 1, ... (vacuous when empty). */
    static boolean rowMajorRun(Layout l) {
        int[] offsets = offsets(l);
        for (int k = 0; k < offsets.length; k++) {
            if (offsets[k] != l.offset + k) {
                return false;
            }
        }
        return true;
    }

    // ---- view strides and contiguity ----------------------------------------------------------

    @Property(tries = 2000)
    void viewStridesAgreeWithBruteForce(@ForAll("chains") Chain chain, @ForAll("shapeSeeds") List<Integer> seeds) {
        Layout l = chain.layout();
        int[] target = targetShape(l.numel(), seeds);
        assertEquals(l.numel(), Layout.contiguous(target).numel(), "generator broke: " + Arrays.toString(target));
        int[] expected = bruteForceViewStrides(l, target);
        int[] actual = l.viewStrides(target);
        Statistics.label("view possible").collect(expected != null);
        Statistics.label("source").collect(l.numel() < 2 ? "trivial" : rowMajorRun(l) ? "contiguous" : "strided");
        String what = chain + " viewed as " + Arrays.toString(target);
        assertEquals(expected != null, actual != null, what + ": possible? brute force " + Arrays.toString(expected)
                + ", viewStrides " + Arrays.toString(actual));
        if (actual != null) {
            assertArrayEquals(offsets(l), offsets(new Layout(target, actual, l.offset)), what);
        }
    }

    @Property(tries = 2000)
    void isContiguousMeansRowMajorRunFromTheOffset(@ForAll("chains") Chain chain) {
        Layout l = chain.layout();
        boolean expected = rowMajorRun(l);
        Statistics.label("contiguous").collect(expected);
        assertEquals(expected, l.isContiguous(), chain.toString());
    }

    /** Found by the property above; PyTorch says every empty tensor is contiguous. */
    @Example
    void anEmptyPermutedLayoutIsContiguous() {
        Layout empty = Layout.contiguous(0, 2, 3).permute(new int[] {0, 2, 1});
        assertTrue(empty.isContiguous(), empty.toString());
    }

    @Property
    void everyChainStaysInsideItsStorage(@ForAll("chains") Chain chain) {
        for (int offset : offsets(chain.layout())) {
            assertTrue(offset >= 0 && offset < chain.storage(), chain + " reads storage[" + offset + "]");
        }
    }

    // ---- broadcasting -------------------------------------------------------------------------

    /** NumPy's rule, written out: align on the right, missing dims are 1, sizes equal or one is 1. */
    static int[] numpyBroadcast(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] pa = new int[rank];
        int[] pb = new int[rank];
        Arrays.fill(pa, 1);
        Arrays.fill(pb, 1);
        System.arraycopy(a, 0, pa, rank - a.length, a.length);
        System.arraycopy(b, 0, pb, rank - b.length, b.length);
        int[] out = new int[rank];
        for (int d = 0; d < rank; d++) {
            if (pa[d] != pb[d] && pa[d] != 1 && pb[d] != 1) {
                return null;
            }
            out[d] = pa[d] == 1 ? pb[d] : pa[d];
        }
        return out;
    }

    /** Layout.broadcast, with failure as null (after checking the message names both shapes). */
    static int[] broadcastOrNull(int[] a, int[] b) {
        try {
            return Layout.broadcast(a, b);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("The size of tensor a ("), e.getMessage());
            assertTrue(e.getMessage().contains(Arrays.toString(a)) && e.getMessage().contains(Arrays.toString(b)),
                    e.getMessage());
            return null;
        }
    }

    @Property(tries = 2000)
    void broadcastFollowsNumPyAndIsCommutative(@ForAll("broadcastShapes") int[] a, @ForAll("broadcastShapes") int[] b) {
        int[] expected = numpyBroadcast(a, b);
        Statistics.label("broadcasts").collect(expected != null);
        assertArrayEquals(expected, broadcastOrNull(a, b));
        assertArrayEquals(expected, broadcastOrNull(b, a));
    }

    @Property(tries = 2000)
    void broadcastIsAssociative(@ForAll("broadcastShapes") int[] a, @ForAll("broadcastShapes") int[] b,
                                @ForAll("broadcastShapes") int[] c) {
        int[] ab = broadcastOrNull(a, b);
        int[] bc = broadcastOrNull(b, c);
        int[] left = ab == null ? null : broadcastOrNull(ab, c);
        int[] right = bc == null ? null : broadcastOrNull(a, bc);
        Statistics.label("all three broadcast").collect(left != null);
        assertArrayEquals(left, right);
    }

    @Property
    void broadcastWithAnyShapeSizes(@ForAll @Size(max = 5) int[] a, @ForAll @Size(max = 5) int[] b) {
        int[] sa = Arrays.stream(a).map(s -> Math.floorMod(s, 6)).toArray();
        int[] sb = Arrays.stream(b).map(s -> Math.floorMod(s, 6)).toArray();
        assertArrayEquals(numpyBroadcast(sa, sb), broadcastOrNull(sa, sb));
    }

    /** PyTorch's dimension in the message counts from the left of the broadcast result. */
    @Example
    void broadcastMessageIsPyTorchs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Layout.broadcast(new int[] {2, 1, 3}, new int[] {4, 2}));
        assertTrue(e.getMessage().startsWith("The size of tensor a (3) must match the size of tensor b (2) at"
                + " non-singleton dimension 2"), e.getMessage());
    }

    // ---- dims and the view algebra -----------------------------------------------------------

    @Property
    void wrapDimAcceptsExactlyPyTorchsRange(@ForAll @IntRange(min = 0, max = 6) int rank,
                                            @ForAll @IntRange(min = -9, max = 9) int dim) {
        int bound = Math.max(rank, 1);
        if (dim >= -bound && dim < bound) {
            assertEquals(dim < 0 ? dim + bound : dim, Layout.wrapDim(dim, rank));
        } else {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layout.wrapDim(dim, rank));
            assertEquals("Dimension out of range (expected to be in range of [" + -bound + ", " + (bound - 1)
                    + "], but got " + dim + ")", e.getMessage());
        }
    }

    @Example
    void aZeroDimLayoutAcceptsMinusOneAndZero() {
        assertEquals(0, Layout.wrapDim(-1, 0));
        assertEquals(0, Layout.wrapDim(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Layout.wrapDim(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Layout.wrapDim(-2, 0));
    }

    @Property
    void permuteThenInverseIsIdentity(@ForAll("chains") Chain chain, @ForAll int seed) {
        Layout l = chain.layout();
        int[] order = permutation(l.dim(), seed);
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
        }
        assertSameLayout(l, l.permute(order).permute(inverse));
        assertSameLayout(l, l.permute(inverse).permute(order));
    }

    @Property
    void transposeTwiceIsIdentity(@ForAll("chains") Chain chain, @ForAll @IntRange(min = 0, max = 99) int p) {
        Layout l = chain.layout();
        if (l.dim() > 0) {
            int d0 = p % l.dim();
            int d1 = (p / 10) % l.dim();
            assertSameLayout(l, l.transpose(d0, d1).transpose(d0, d1));
            assertSameLayout(l.transpose(d0, d1), l.transpose(d1, d0));
        }
    }

    private static void assertSameLayout(Layout expected, Layout actual) {
        assertArrayEquals(expected.shape, actual.shape, "shape");
        assertArrayEquals(expected.strides, actual.strides, "strides");
        assertEquals(expected.offset, actual.offset, "offset");
    }

    /** Reading an expanded tensor gives the source element at the index with broadcast dims at 0. */
    @Property
    void expandThenReadingRepeatsTheSource(@ForAll("chains") Chain chain, @ForAll int p) {
        Layout source = chain.layout();
        float[] storage = Tensor.arange(chain.storage()).toArray();
        int[] target = expandTarget(source.shape, p);
        float[] read = new Tensor(storage, source, DType.FLOAT32).expand(target).toArray();
        int[] index = new int[target.length];
        int lead = target.length - source.dim();
        for (int k = 0; k < read.length; k++) {
            int rest = k;
            for (int d = target.length - 1; d >= 0; d--) {
                index[d] = rest % target[d];
                rest /= target[d];
            }
            int[] from = new int[source.dim()];
            for (int d = 0; d < from.length; d++) {
                from[d] = source.shape[d] == 1 ? 0 : index[lead + d];
            }
            assertEquals(storage[source.indexOf(from)], read[k], chain + " expanded to " + Arrays.toString(target)
                    + " at " + Arrays.toString(index));
        }
    }

    /** The chunk rule cannot merge dims across a gap: a narrowed row must not flatten. */
    @Example
    void viewStridesRejectsAGapAndKeepsAStrideZeroRun() {
        assertNull(Layout.contiguous(4, 6).narrow(1, 0, 3).viewStrides(new int[] {12}));
        int[] strides = Layout.contiguous().expand(new int[] {2, 3}).viewStrides(new int[] {6});
        assertNotNull(strides);
        assertArrayEquals(new int[] {0}, strides);
    }
}
