package org.vectorgrad;

import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.constant;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks (see {@link GradCheck}) of {@code matmul} in every rank combination
 * PyTorch distinguishes (dot, mv, 1-D·2-D, mm, folded 3·2 / 2·3 / 1·3 / 3·1, broadcast bmm).
 */
final class LinalgGradTest {

    private static final GradCheck.Op MATMUL = x -> x[0].matmul(x[1]);
    private static final GradCheck.Reference REFERENCE = x -> x[0].matmul(x[1]);

    static Stream<Arguments> rankCombinations() {
        return Stream.of(
                Arguments.of(new int[] {4}, new int[] {4}),
                Arguments.of(new int[] {3, 4}, new int[] {4}),
                Arguments.of(new int[] {4}, new int[] {4, 5}),
                Arguments.of(new int[] {3, 4}, new int[] {4, 5}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {4, 5}),
                Arguments.of(new int[] {3, 4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {4}),
                Arguments.of(new int[] {2, 3, 4}, new int[] {2, 4, 5}),
                Arguments.of(new int[] {2, 1, 3, 4}, new int[] {5, 4, 2}),
                Arguments.of(new int[] {1, 3, 4}, new int[] {2, 1, 4, 1}),
                Arguments.of(new int[] {1}, new int[] {1}),
                Arguments.of(new int[] {1, 1}, new int[] {1, 7}));
    }

    @ParameterizedTest(name = "{0} @ {1}")
    @MethodSource("rankCombinations")
    void contiguousOperands(int[] a, int[] b) {
        Random random = new Random(31);
        check(Arrays.toString(a) + " @ " + Arrays.toString(b), MATMUL, REFERENCE,
                leaf(uniform(random, Ref.numel(a), -2, 2), a), leaf(uniform(random, Ref.numel(b), -2, 2), b));
    }

    @ParameterizedTest(name = "{0} @ {1}")
    @MethodSource("rankCombinations")
    void oneOperandNeedsNoGrad(int[] a, int[] b) {
        Random random = new Random(32);
        String label = Arrays.toString(a) + " @ " + Arrays.toString(b);
        check(label + " constant right", MATMUL, REFERENCE,
                leaf(uniform(random, Ref.numel(a), -2, 2), a), constant(uniform(random, Ref.numel(b), -2, 2), b));
        check(label + " constant left", MATMUL, REFERENCE,
                constant(uniform(random, Ref.numel(a), -2, 2), a), leaf(uniform(random, Ref.numel(b), -2, 2), b));
    }

    @Test
    void transposedAndNarrowedOperands() {
        Random random = new Random(33);
        check("T[3,4] @ T[4,5]", MATMUL, REFERENCE, transposedLeaf(uniform(random, 12, -2, 2), 3, 4),
                transposedLeaf(uniform(random, 20, -2, 2), 4, 5));
        check("N[3,4] @ N[4]", MATMUL, REFERENCE, narrowedLeaf(uniform(random, 12, -2, 2), 3, 4),
                narrowedLeaf(uniform(random, 4, -2, 2), 4));
        check("N[4] @ T[4,5]", MATMUL, REFERENCE, narrowedLeaf(uniform(random, 4, -2, 2), 4),
                transposedLeaf(uniform(random, 20, -2, 2), 4, 5));
        // PyTorch sends a 3-D operand whose last two dims are swapped in storage to bmm, not mm.
        check("T[2,3,4] @ [4,5]", MATMUL, REFERENCE, transposedLeaf(uniform(random, 24, -2, 2), 2, 3, 4),
                leaf(uniform(random, 20, -2, 2), 4, 5));
        check("[3,4] @ T[2,4,5]", MATMUL, REFERENCE, leaf(uniform(random, 12, -2, 2), 3, 4),
                transposedLeaf(uniform(random, 40, -2, 2), 2, 4, 5));
        check("N[2,3,4] @ N[2,4,5]", MATMUL, REFERENCE, narrowedLeaf(uniform(random, 24, -2, 2), 2, 3, 4),
                narrowedLeaf(uniform(random, 40, -2, 2), 2, 4, 5));
        check("T[2,1,3,4] @ N[5,4,2]", MATMUL, REFERENCE, transposedLeaf(uniform(random, 24, -2, 2), 2, 1, 3, 4),
                narrowedLeaf(uniform(random, 40, -2, 2), 5, 4, 2));
    }

    @Test
    void sameOperandTwice() {
        Random random = new Random(34);
        check("x @ x.t()", x -> x[0].matmul(x[0].t()), x -> x[0].matmul(x[0].transpose(0, 1)),
                leaf(uniform(random, 12, -2, 2), 3, 4));
        check("v @ v", x -> x[0].matmul(x[0]), x -> x[0].matmul(x[0]), leaf(uniform(random, 5, -2, 2), 5));
    }

    /**
     * Gradients of a product big enough for several register tiles, cache blocks and threads,
     * against the identity for L = Σ W∘(A·B): dA = W·Bᵀ and dB = Aᵀ·W, summed in double. A and B
     * are transposed views, so the backward products read transposed transposes.
     */
    @ParameterizedTest(name = "batch {0}")
    @MethodSource("largeBatches")
    void largeProductGradientsMatchTheIdentity(int batch) {
        Random random = new Random(35);
        int m = 70;
        int k = 300;
        int n = 90;
        int[] aShape = batch == 0 ? new int[] {m, k} : new int[] {batch, m, k};
        int[] bShape = batch == 0 ? new int[] {k, n} : new int[] {batch, k, n};
        Tensor a = transposedLeaf(uniform(random, Math.max(batch, 1) * m * k, -2, 2), aShape);
        Tensor b = transposedLeaf(uniform(random, Math.max(batch, 1) * k * n, -2, 2), bShape);
        int[] cShape = batch == 0 ? new int[] {m, n} : new int[] {batch, m, n};
        Tensor w = Tensor.fromArray(uniform(random, Math.max(batch, 1) * m * n, -2, 2), cShape);
        a.matmul(b).mul(w).sum().backward();
        float[] av = a.toArray();
        float[] bv = b.toArray();
        float[] wv = w.toArray();
        float[] da = a.grad().toArray();
        float[] db = b.grad().toArray();
        for (int e = 0; e < Math.max(batch, 1); e++) {
            for (int i = 0; i < m; i++) {
                for (int p = 0; p < k; p++) {
                    double sum = 0;
                    double size = 0;
                    for (int j = 0; j < n; j++) {
                        double term = (double) wv[(e * m + i) * n + j] * bv[(e * k + p) * n + j];
                        sum += term;
                        size += Math.abs(term);
                    }
                    assertNear(sum, da[(e * m + i) * k + p], (n + 3) * 0x1p-24 * size, "dA", e, i, p);
                }
            }
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double size = 0;
                    for (int i = 0; i < m; i++) {
                        double term = (double) av[(e * m + i) * k + p] * wv[(e * m + i) * n + j];
                        sum += term;
                        size += Math.abs(term);
                    }
                    assertNear(sum, db[(e * k + p) * n + j], (m + 3) * 0x1p-24 * size, "dB", e, p, j);
                }
            }
        }
    }

    static Stream<Integer> largeBatches() {
        return Stream.of(0, 3);
    }

    private static void assertNear(double expected, float actual, double tolerance, String what, int e, int r, int c) {
        if (!(Math.abs(actual - expected) <= tolerance)) {
            throw new AssertionError(what + "[" + e + "][" + r + ", " + c + "] expected " + expected + " but was "
                    + actual + " (tolerance " + tolerance + ")");
        }
    }
}
