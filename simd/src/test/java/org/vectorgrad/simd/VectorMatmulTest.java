package org.vectorgrad.simd;

import static org.vectorgrad.simd.MatmulCheck.check;
import static org.vectorgrad.simd.MatmulCheck.randomC;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vectorgrad.simd.MatmulCheck.Operand;

/**
 * The vector matmul against {@link ScalarKernels} (see {@link MatmulCheck} for the tolerance):
 * every combination of plain and transposed A and B, accumulate, C offsets and row strides wider
 * than n, on sizes around the register tile and vector length, skinny shapes, few outputs over a
 * long depth, general strides
 * and products large enough for several cache blocks in every dimension and for the parallel path.
 */
final class VectorMatmulTest {
    private static final int[] EDGES = {0, 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 63, 65, 127, 129};

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {0, 0, 0}, {17, 33, 9}, {33, 17, 9}, {9, 17, 33},
            {1, 10, 784}, {64, 256, 784}, {64, 10, 784}, {4, 32, 16}, {5, 31, 65}, {3, 1, 100}, {1, 7, 1000},
            {1, 1, 4099}, {8, 16, 1}, {2, 65, 3}, {7, 1, 1}, {1, 100, 1}, {13, 2, 127}, {1, 300, 70},
            {300, 1, 70}, {12, 64, 8}, {24, 32, 300}, {129, 129, 129}, {20, 64, 50}, {32, 33, 40},
            // few outputs over a long depth (blocked dot products when A runs along k and B too):
            {16, 9, 784}, {5, 7, 300}, {4, 3, 256}, {13, 16, 1000}, {2, 2, 4099},
        };
        Stream.Builder<Arguments> all = Stream.builder();
        for (int[] s : mnk) {
            for (int layout = 0; layout < 4; layout++) {
                all.add(Arguments.of(s[0], s[1], s[2], (layout & 1) != 0, (layout & 2) != 0));
            }
        }
        return all.build();
    }

    @ParameterizedTest(name = "{0}x{2} · {2}x{1}, A transposed {3}, B transposed {4}")
    @MethodSource("shapes")
    void matmulMatchesScalar(int m, int n, int k, boolean transposeA, boolean transposeB) {
        Random random = new Random(m * 31 + n * 7 + k);
        Operand a = Operand.random(m, k, transposeA, random);
        Operand b = Operand.random(k, n, transposeB, random);
        for (boolean accumulate : new boolean[] {false, true}) {
            for (int cRowStride : new int[] {Math.max(n, 1), n + 3}) {
                check(a, b, randomC(m, n, 2, cRowStride, random), 2, cRowStride, accumulate);
            }
        }
    }

    /** Every pair of edge sizes for m and n, with a layout, accumulate and C stride drawn per pair. */
    @ParameterizedTest(name = "k = {0}")
    @MethodSource("depths")
    void edgeSizes(int k) {
        Random random = new Random(k);
        for (int m : EDGES) {
            for (int n : EDGES) {
                Operand a = Operand.random(m, k, random.nextBoolean(), random);
                Operand b = Operand.random(k, n, random.nextBoolean(), random);
                int cRowStride = n + random.nextInt(3);
                check(a, b, randomC(m, n, 1, Math.max(cRowStride, 1), random), 1, Math.max(cRowStride, 1),
                        random.nextBoolean());
            }
        }
    }

    static Stream<Integer> depths() {
        return Stream.of(0, 1, 2, 7, 16, 17, 33, 129);
    }

    /** Operands with no unit stride at all (every other row and column of a larger matrix). */
    @Test
    void generalStrides() {
        Random random = new Random(5);
        int[][] mnk = {{1, 1, 1}, {1, 40, 30}, {40, 1, 30}, {17, 45, 33}, {70, 70, 300}};
        for (int[] s : mnk) {
            Operand a = Operand.strided(s[0], s[2], 4, 2 * (2 * s[2] + 1), 2, random);
            Operand b = Operand.strided(s[2], s[1], 1, 3, 3 * s[2] + 5, random);
            for (boolean accumulate : new boolean[] {false, true}) {
                check(a, b, randomC(s[0], s[1], 0, s[1] + 1, random), 0, s[1] + 1, accumulate);
            }
        }
    }

    /** Broadcast operands (stride 0 along a dimension), as an expanded tensor presents them. */
    @Test
    void zeroStrides() {
        Random random = new Random(6);
        Operand a = Operand.strided(37, 50, 2, 0, 1, random);
        Operand b = Operand.strided(50, 45, 0, 1, 0, random);
        check(a, b, randomC(37, 45, 0, 45, random), 0, 45, false);
    }

    /**
     * Column-major A whose columns lie closer than a sliver's rows (overlapping windows, as an
     * unfolded tensor presents them) in an array that ends at A's last element, and a plain
     * column-major A that does too: packing copies whole vectors, and must not read past the end.
     */
    @Test
    void columnMajorAEndingAtTheArraysEnd() {
        Random random = new Random(7);
        Operand overlapping = new Operand(37, 50, Values.GAUSSIAN.fill(random, new float[36 + 49 * 2 + 1]), 0, 1, 2);
        check(overlapping, Operand.random(50, 29, false, random), randomC(37, 29, 0, 29, random), 0, 29, false);
        Operand exact = new Operand(41, 300, Values.GAUSSIAN.fill(random, new float[41 * 300]), 0, 1, 41);
        check(exact, Operand.random(300, 33, true, random), randomC(41, 33, 0, 33, random), 0, 33, true);
    }

    /**
     * A row-major A that the micro-kernel reads in place (whole slivers from its rows, only a
     * partial last sliver packed): rows wider than the depth, in an array that ends at A's last
     * element, on both sides of {@link VectorMatmul#PLAIN_IN_PLACE_COLUMNS} and over several depth
     * blocks.
     */
    @Test
    void rowMajorAReadInPlaceEndingAtTheArraysEnd() {
        Random random = new Random(8);
        int wide = VectorMatmul.PLAIN_IN_PLACE_COLUMNS;
        for (int m : new int[] {GemmKernels.MR, 25, 257}) {
            for (int n : new int[] {1, 31, 33, wide, wide + 1}) {
                for (int k : new int[] {7, 2 * PackedGemm.KC + 3}) {
                    int rowStride = k + 5;
                    float[] data = Values.GAUSSIAN.fill(random, new float[2 + (m - 1) * rowStride + k]);
                    Operand a = new Operand(m, k, data, 2, rowStride, 1);
                    Operand b = Operand.random(k, n, random.nextBoolean(), random);
                    check(a, b, randomC(m, n, 1, n + 1, random), 1, n + 1, random.nextBoolean());
                }
            }
        }
    }

    /** Several MC, NC and KC blocks in one product, in each layout; big enough to run in parallel. */
    @ParameterizedTest(name = "A transposed {0}, B transposed {1}")
    @MethodSource("layouts")
    void manyCacheBlocks(boolean transposeA, boolean transposeB) {
        Random random = new Random(7);
        int m = 2 * PackedGemm.MC + 5;
        int n = PackedGemm.NC + 37;
        int k = 2 * PackedGemm.KC + 3;
        Operand a = Operand.random(m, k, transposeA, random);
        Operand b = Operand.random(k, n, transposeB, random);
        check(a, b, randomC(m, n, 5, n + 2, random), 5, n + 2, transposeA);
    }

    static Stream<Arguments> layouts() {
        return Stream.of(Arguments.of(false, false), Arguments.of(true, false), Arguments.of(false, true),
                Arguments.of(true, true));
    }
}
