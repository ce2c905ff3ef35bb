package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector matmul against {@link ScalarKernels} for every combination of plain and transposed
 * A and B, accumulate, C offsets and row strides wider than n.
 *
 * <p>NOTE (tolerance, u = 2^-24): each C element is a float sum of k products, by FMA or by
 * partial sums; a float sum of k terms errs by at most (k + 1)·u·Σ|terms|, plus u·|c| and one
 * more rounding when accumulating into C. So |vector - reference| &lt;= (k + 3)·u·(Σ_p |a_ip·b_pj|
 * + |c_ij|) — the design's "k·eps·max|a|·max|b|", per element.
 */
final class VectorMatmulTest {
    private static final Kernels SCALAR = VectorKernelsTest.SCALAR;
    private static final Kernels VECTOR = VectorKernelsTest.VECTOR;

    static Stream<Arguments> shapes() {
        int[][] mnk = {
            {1, 1, 1}, {0, 5, 3}, {5, 0, 3}, {5, 3, 0}, {0, 0, 0}, {17, 33, 9}, {33, 17, 9}, {9, 17, 33},
            {1, 10, 784}, {64, 256, 784}, {4, 32, 16}, {5, 31, 65}, {3, 1, 100}, {1, 7, 1000}, {1, 1, 4099},
            {8, 16, 1}, {2, 65, 3}, {7, 1, 1}, {1, 100, 1}, {13, 2, 127},
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
                check(m, n, k, a, b, 2, cRowStride, accumulate, random);
            }
        }
    }

    private static void check(int m, int n, int k, Operand a, Operand b, int cOffset, int cRowStride,
                              boolean accumulate, Random random) {
        int length = cOffset + Math.max(m - 1, 0) * cRowStride + n + 3;
        float[] initial = Values.GAUSSIAN.fill(random, new float[length]);
        float[] expected = initial.clone();
        float[] actual = initial.clone();
        SCALAR.matmul(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride,
                b.colStride, expected, cOffset, cRowStride, accumulate);
        VECTOR.matmul(m, n, k, a.data, a.offset, a.rowStride, a.colStride, b.data, b.offset, b.rowStride,
                b.colStride, actual, cOffset, cRowStride, accumulate);
        String context = m + "x" + k + " · " + k + "x" + n + " accumulate " + accumulate + " cRowStride " + cRowStride;
        for (int at = 0; at < length; at++) {
            int i = (at - cOffset) / cRowStride;
            int j = (at - cOffset) % cRowStride;
            boolean inC = at >= cOffset && i < m && j < n;
            if (!inC) {
                if (!Floats.same(initial[at], actual[at])) {
                    fail(context + ": wrote outside C at " + at);
                }
                continue;
            }
            double magnitude = accumulate ? Math.abs(initial[at]) : 0;
            for (int p = 0; p < k; p++) {
                magnitude += Math.abs((double) a.get(i, p) * b.get(p, j));
            }
            double tolerance = (k + 3) * 0x1p-24 * magnitude;
            if (!(Math.abs(actual[at] - expected[at]) <= tolerance)) {
                fail(context + ": C[" + i + ", " + j + "] expected " + expected[at] + " but was " + actual[at]
                        + " (tolerance " + tolerance + ")");
            }
        }
    }

    /** A rows×cols matrix at an offset, row-major or stored transposed (column-major). */
    private record Operand(float[] data, int offset, int rowStride, int colStride) {
        static Operand random(int rows, int cols, boolean transposed, Random random) {
            int offset = 3;
            float[] data = Values.GAUSSIAN.fill(random, new float[offset + rows * cols + 2]);
            return transposed ? new Operand(data, offset, 1, rows) : new Operand(data, offset, cols, 1);
        }

        float get(int row, int col) {
            return data[offset + row * rowStride + col * colStride];
        }
    }
}
