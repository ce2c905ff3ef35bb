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
}
