package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Properties of {@link RowWalk}: it visits exactly the odometer's offsets, in row-major order. */
final class RowWalkTest {

    /** A shape, one stride array per operand, and one base offset per operand. */
    record Case(int[] shape, int[][] strides, int[] offsets) {
        @Override
        public String toString() {
            return "shape " + Arrays.toString(shape) + " strides " + Arrays.deepToString(strides)
                    + " offsets " + Arrays.toString(offsets);
        }
    }

    @Property(tries = 500)
    void visitsEveryIndexInRowMajorOrder(@ForAll("cases") Case c) {
        RowWalk walk = RowWalk.of(c.shape, c.strides);
        List<String> visited = new ArrayList<>();
        walk.forEachRow(c.offsets, (o, n) -> {
            for (int i = 0; i < n; i++) {
                int[] tuple = new int[o.length];
                for (int k = 0; k < o.length; k++) {
                    tuple[k] = o[k] + i * walk.innerStride(k);
                }
                visited.add(Arrays.toString(tuple));
            }
        });
        assertEquals(odometer(c), visited, c.toString());
        assertEquals(Shapes.numel(c.shape), walk.rowCount() * walk.rowLength(), c.toString());
    }

    // The merged shape and strides the walk exposes address the same elements in the same order.
    @Property(tries = 500)
    void mergedShapeAndStridesDescribeTheSameWalk(@ForAll("cases") Case c) {
        RowWalk walk = RowWalk.of(c.shape, c.strides);
        int[][] merged = new int[c.strides.length][];
        for (int k = 0; k < merged.length; k++) {
            merged[k] = walk.strides(k);
        }
        Case same = new Case(walk.shape(), merged, c.offsets);
        assertEquals(odometer(c), odometer(same), c + " merged into " + same);
        assertTrue(walk.shape().length <= c.shape.length, same.toString());
    }

    // Contiguous operands and broadcast scalars (all strides 0) coalesce into a single row.
    @Property(tries = 300)
    void contiguousAndScalarOperandsFormOneRow(@ForAll("shapes") int[] shape, @ForAll("kinds") boolean[] scalar) {
        int[][] strides = new int[scalar.length][];
        for (int k = 0; k < scalar.length; k++) {
            strides[k] = scalar[k] ? new int[shape.length] : Shapes.contiguousStrides(shape);
        }
        RowWalk walk = RowWalk.of(shape, strides);
        int numel = Shapes.numel(shape);
        assertEquals(numel == 0 ? 0 : 1, walk.rowCount(), Arrays.toString(shape));
        assertEquals(numel, walk.rowLength(), Arrays.toString(shape));
        for (int k = 0; k < scalar.length && numel > 1; k++) {
            assertEquals(scalar[k] ? 0 : 1, walk.innerStride(k), Arrays.toString(shape));
        }
    }

    // Any range of the row-major index space is the same slice of the odometer's sequence.
    @Property(tries = 300)
    void aRangeOfElementsVisitsThatSliceOfTheOdometer(@ForAll("cases") Case c, @ForAll Random random) {
        RowWalk walk = RowWalk.of(c.shape, c.strides);
        List<String> all = odometer(c);
        int from = random.nextInt(all.size() + 1);
        int to = from + random.nextInt(all.size() - from + 1);
        assertEquals(all.subList(from, to), visits(walk, c.offsets, (base, v) -> walk.forEachRow(base, from, to, v)),
                c + " range [" + from + ", " + to + ")");
    }

    // Split over the dimensions a row-major destination owns, on 3 threads: every element of the
    // destination sees the same input offsets in the same order as in one walk, within one chunk.
    @Property(tries = 300)
    void splittingOverOwnedDimensionsKeepsEachOwnersSequence(@ForAll("cases") Case c, @ForAll Random random) {
        boolean[] reduce = new boolean[c.shape.length];
        for (int d = 0; d < reduce.length; d++) {
            reduce[d] = random.nextBoolean();
        }
        int[][] strides = {c.strides[0], Shapes.reducedStrides(c.shape, reduce)};
        int[] offsets = {c.offsets[0], 0};
        RowWalk walk = RowWalk.of(c.shape, strides);
        Map<Integer, List<Integer>> expected = perOwner(List.of(visits(walk, offsets, walk::forEachRow)));
        List<List<String>> chunks = Collections.synchronizedList(new ArrayList<>());
        int threads = Parallel.threads();
        Parallel.setThreads(3);
        try {
            walk.forEachRowOwning(offsets, 1, 1, () -> {
                List<String> chunk = new ArrayList<>();
                chunks.add(chunk);
                return (o, n) -> record(walk, o, n, chunk);
            });
        } finally {
            Parallel.setThreads(threads);
        }
        assertEquals(expected, perOwner(chunks), c + " reducing " + Arrays.toString(reduce));
    }

    // Input offsets per owner (operand 1) offset; fails if two chunks wrote the same owner.
    private static Map<Integer, List<Integer>> perOwner(List<List<String>> chunks) {
        Map<Integer, List<Integer>> sequences = new TreeMap<>();
        Map<Integer, Integer> chunkOf = new HashMap<>();
        for (int k = 0; k < chunks.size(); k++) {
            for (String visit : chunks.get(k)) {
                int[] tuple = Arrays.stream(visit.substring(1, visit.length() - 1).split(", "))
                        .mapToInt(Integer::parseInt).toArray();
                Integer previous = chunkOf.putIfAbsent(tuple[1], k);
                assertTrue(previous == null || previous == k, "owner " + tuple[1] + " in chunks " + previous
                        + " and " + k);
                sequences.computeIfAbsent(tuple[1], owner -> new ArrayList<>()).add(tuple[0]);
            }
        }
        return sequences;
    }

    private interface Walker {
        void walk(int[] offsets, RowVisitor visitor);
    }

    private static List<String> visits(RowWalk walk, int[] offsets, Walker walker) {
        List<String> visited = new ArrayList<>();
        walker.walk(offsets, (o, n) -> record(walk, o, n, visited));
        return visited;
    }

    private static void record(RowWalk walk, int[] o, int n, List<String> visited) {
        for (int i = 0; i < n; i++) {
            int[] tuple = new int[o.length];
            for (int k = 0; k < o.length; k++) {
                tuple[k] = o[k] + i * walk.innerStride(k);
            }
            visited.add(Arrays.toString(tuple));
        }
    }

    // Every index of the shape in row-major order, each operand's offset computed from scratch.
    private static List<String> odometer(Case c) {
        List<String> offsets = new ArrayList<>();
        int numel = Shapes.numel(c.shape);
        int[] index = new int[c.shape.length];
        for (int flat = 0; flat < numel; flat++) {
            int[] tuple = new int[c.strides.length];
            for (int k = 0; k < tuple.length; k++) {
                tuple[k] = c.offsets[k];
                for (int d = 0; d < index.length; d++) {
                    tuple[k] += index[d] * c.strides[k][d];
                }
            }
            offsets.add(Arrays.toString(tuple));
            for (int d = index.length - 1; d >= 0 && ++index[d] == c.shape[d]; d--) {
                index[d] = 0;
            }
        }
        return offsets;
    }

    @Provide
    Arbitrary<int[]> shapes() {
        return Arbitraries.integers().between(0, 5).array(int[].class).ofMinSize(0).ofMaxSize(5)
                .map(shape -> Arrays.stream(shape).map(size -> size == 5 ? 1 : size).toArray());
    }

    @Provide
    Arbitrary<boolean[]> kinds() {
        return Arbitraries.of(true, false).array(boolean[].class).ofMinSize(1).ofMaxSize(3);
    }

    // Sizes 0 to 4 (1 is frequent), strides 0 to 5 chosen so that stride 0 and contiguous
    // neighbours (which coalesce) both come up often.
    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> shape = Arbitraries.integers().between(0, 4).array(int[].class).ofMinSize(0).ofMaxSize(4)
                .map(sizes -> Arrays.stream(sizes).map(size -> size == 3 ? 1 : size).toArray());
        Arbitrary<Integer> operands = Arbitraries.integers().between(1, 3);
        return Combinators.combine(shape, operands, Arbitraries.randoms()).as((s, count, random) -> {
            int[][] strides = new int[count][];
            int[] offsets = new int[count];
            for (int k = 0; k < count; k++) {
                strides[k] = random.nextInt(3) == 0 ? Shapes.contiguousStrides(s) : new int[s.length];
                for (int d = 0; d < s.length; d++) {
                    if (random.nextInt(3) == 0) {
                        strides[k][d] = random.nextInt(6);
                    }
                }
                offsets[k] = random.nextInt(11);
            }
            return new Case(s, strides, offsets);
        });
    }
}
