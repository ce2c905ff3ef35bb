package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vectorgrad.GradCheck.awayFromZero;
import static org.vectorgrad.GradCheck.check;
import static org.vectorgrad.GradCheck.constant;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vectorgrad.nn.Functional;

/**
 * Finite-difference checks (see {@link GradCheck}) of the elementwise operations, {@code where}
 * and the losses of {@link Functional}, on 0-d, size-1, odd, broadcast and non-contiguous
 * inputs, plus the subgradients PyTorch picks at kinks.
 */
final class OpsGradTest {

    /** A unary op, its double reference and an input domain away from kinks and poles. */
    record Unary(String name, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double lo, double hi,
                 boolean signed) {
        float[] sample(Random random, int n) {
            return signed ? awayFromZero(random, n, lo, hi) : uniform(random, n, lo, hi);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Unary> UNARY = List.of(
            new Unary("neg", Tensor::neg, x -> -x, -2, 2, false),
            new Unary("exp", Tensor::exp, Math::exp, -2, 2, false),
            new Unary("log", Tensor::log, Math::log, 0.5, 3, false),
            new Unary("sin", Tensor::sin, Math::sin, -3, 3, false),
            new Unary("cos", Tensor::cos, Math::cos, -3, 3, false),
            new Unary("tanh", Tensor::tanh, Math::tanh, -2, 2, false),
            new Unary("sigmoid", Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), -3, 3, false),
            new Unary("relu", Tensor::relu, x -> Math.max(x, 0), 0.1, 2, true),
            new Unary("sqrt", Tensor::sqrt, Math::sqrt, 0.5, 3, false),
            new Unary("abs", Tensor::abs, Math::abs, 0.1, 2, true));

    /** A broadcasting binary op and its reference; {@code b} is drawn from its own domain. */
    record Binary(String name, BinaryOperator<Tensor> op, DoubleBinaryOperator ref, Domain a, Domain b) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** How to draw operand values (maximum gets interleaved grids so no pair ties). */
    @FunctionalInterface
    interface Domain {
        float[] sample(Random random, int n);

        static Domain range(double lo, double hi) {
            return (random, n) -> uniform(random, n, lo, hi);
        }

        static Domain grid(double shift) {
            return (random, n) -> {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) {
                    out[i] = (float) (random.nextInt(7) - 3 + shift + 0.05 * random.nextDouble());
                }
                return out;
            };
        }
    }

    static final List<Binary> BINARY = List.of(
            new Binary("add", Tensor::add, Double::sum, Domain.range(-2, 2), Domain.range(-2, 2)),
            new Binary("sub", Tensor::sub, (x, y) -> x - y, Domain.range(-2, 2), Domain.range(-2, 2)),
            new Binary("mul", Tensor::mul, (x, y) -> x * y, Domain.range(-2, 2), Domain.range(-2, 2)),
            new Binary("div", Tensor::div, (x, y) -> x / y, Domain.range(-2, 2), Domain.range(0.5, 2)),
            new Binary("pow", Tensor::pow, Math::pow, Domain.range(0.5, 2), Domain.range(-2, 2.5)),
            new Binary("maximum", Tensor::maximum, Math::max, Domain.grid(0.25), Domain.grid(0.75)));

    static Stream<Unary> unaryOps() {
        return UNARY.stream();
    }

    static Stream<Binary> binaryOps() {
        return BINARY.stream();
    }

    private static Ref ref(DoubleUnaryOperator f, Ref x) {
        return x.map(f);
    }

    // ---- unary ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("unaryOps")
    void unaryOnEveryLayout(Unary u) {
        Random random = new Random(11);
        GradCheck.Op op = x -> u.op().apply(x[0]);
        GradCheck.Reference reference = x -> ref(u.ref(), x[0]);
        check(u + " 0-d", op, reference, leaf(u.sample(random, 1)));
        check(u + " [1]", op, reference, leaf(u.sample(random, 1), 1));
        check(u + " [3,5]", op, reference, leaf(u.sample(random, 15), 3, 5));
        check(u + " [2,1,7]", op, reference, leaf(u.sample(random, 14), 2, 1, 7));
        check(u + " transposed [5,3]", op, reference, transposedLeaf(u.sample(random, 15), 5, 3));
        check(u + " narrowed [3,7]", op, reference, narrowedLeaf(u.sample(random, 21), 3, 7));
    }

    // ---- binary, tensor operands --------------------------------------------------------------

    static final int[][][] BROADCAST_PAIRS = {
        {{3, 5}, {3, 5}}, {{3, 1}, {1, 4}}, {{2, 3}, {}}, {{}, {2, 3}}, {{4}, {2, 3, 4}},
        {{2, 1, 5}, {3, 1}}, {{}, {}}, {{1}, {5}}, {{7, 1}, {7}},
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryOps")
    void binaryBroadcasts(Binary b) {
        Random random = new Random(12);
        GradCheck.Op op = x -> b.op().apply(x[0], x[1]);
        GradCheck.Reference reference = x -> x[0].zip(x[1], b.ref());
        for (int[][] pair : BROADCAST_PAIRS) {
            String label = b + " " + Arrays.toString(pair[0]) + " with " + Arrays.toString(pair[1]);
            check(label, op, reference, leaf(b.a().sample(random, Ref.numel(pair[0])), pair[0]),
                    leaf(b.b().sample(random, Ref.numel(pair[1])), pair[1]));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("binaryOps")
    void binaryOnNonContiguousAndConstantOperands(Binary b) {
        Random random = new Random(13);
        GradCheck.Op op = x -> b.op().apply(x[0], x[1]);
        GradCheck.Reference reference = x -> x[0].zip(x[1], b.ref());
        check(b + " transposed with narrowed", op, reference,
                transposedLeaf(b.a().sample(random, 12), 3, 4), narrowedLeaf(b.b().sample(random, 12), 3, 4));
        check(b + " narrowed with transposed broadcast", op, reference,
                narrowedLeaf(b.a().sample(random, 10), 2, 5), transposedLeaf(b.b().sample(random, 30), 3, 2, 5));
        check(b + " constant left", op, reference,
                constant(b.a().sample(random, 3), 3, 1), leaf(b.b().sample(random, 4), 4));
        check(b + " constant right", op, reference,
                leaf(b.a().sample(random, 6), 2, 3), constant(b.b().sample(random, 1)));
    }

    @Test
    void sameTensorOnBothSides() {
        Random random = new Random(14);
        check("x*x", x -> x[0].mul(x[0]), x -> x[0].mul(x[0]), leaf(uniform(random, 6, -2, 2), 2, 3));
        check("x/x", x -> x[0].div(x[0]), x -> x[0].div(x[0]), leaf(uniform(random, 6, 0.5, 2), 2, 3));
        check("x-x.t()", x -> x[0].sub(x[0].t()), x -> x[0].sub(x[0].transpose(0, 1)),
                leaf(uniform(random, 9, -2, 2), 3, 3));
    }

    // ---- binary, float operand ----------------------------------------------------------------

    @Test
    void scalarOperands() {
        Random random = new Random(15);
        float[] values = uniform(random, 15, -2, 2);
        check("add(2.5)", x -> x[0].add(2.5f), x -> x[0].map(v -> v + 2.5), leaf(values, 3, 5));
        check("sub(2.5)", x -> x[0].sub(2.5f), x -> x[0].map(v -> v - 2.5), leaf(values, 3, 5));
        check("rsub(10)", x -> x[0].rsub(10f), x -> x[0].map(v -> 10 - v), leaf(values, 3, 5));
        check("mul(-1.5)", x -> x[0].mul(-1.5f), x -> x[0].map(v -> v * -1.5), leaf(values, 3, 5));
        check("div(0.75)", x -> x[0].div(0.75f), x -> x[0].map(v -> v / 0.75f), leaf(values, 3, 5));
        check("rsub 0-d", x -> x[0].rsub(3f), x -> x[0].map(v -> 3 - v), leaf(new float[] {values[0]}));
        check("mul transposed", x -> x[0].mul(3f), x -> x[0].map(v -> v * 3),
                transposedLeaf(values, 5, 3));
    }

    static float[] powerBase(Random random, float exponent, int n) {
        boolean integral = exponent == Math.rint(exponent) && exponent > 0;
        return integral ? uniform(random, n, -2, 2) : uniform(random, n, 0.5, 2);
    }

    @ParameterizedTest(name = "pow({0})")
    @ValueSource(floats = {2f, 3f, 0.5f, -1f, 2.5f, -0.5f, -2f, 1f, 0f})
    void powScalarExponent(float p) {
        Random random = new Random(16);
        GradCheck.Op op = x -> x[0].pow(p);
        GradCheck.Reference reference = x -> x[0].map(v -> Math.pow(v, p));
        check("pow " + p + " 0-d", op, reference, leaf(powerBase(random, p, 1)));
        check("pow " + p + " [3,5]", op, reference, leaf(powerBase(random, p, 15), 3, 5));
        check("pow " + p + " transposed", op, reference, transposedLeaf(powerBase(random, p, 12), 4, 3));
    }

    // ---- where ----------------------------------------------------------------------------------

    @Test
    void whereRoutesGradientsByCondition() {
        Random random = new Random(17);
        float[] c = {1, 0, 1};
        GradCheck.Op op = x -> Tensor.where(Tensor.fromArray(c, 3, 1).gt(Tensor.scalar(0.5f)), x[0], x[1]);
        GradCheck.Reference reference = x -> Ref.where(Ref.of(c, 3, 1), x[0], x[1]);
        check("where [3,1] ? [1,4] : []", op, reference, leaf(uniform(random, 4, -2, 2), 1, 4),
                leaf(uniform(random, 1, -2, 2)));
        check("where [3,1] ? [3,4] transposed : [4] narrowed", op, reference,
                transposedLeaf(uniform(random, 12, -2, 2), 3, 4), narrowedLeaf(uniform(random, 4, -2, 2), 4));
        check("where [3,1] ? constant : [3,4]", op, reference, constant(uniform(random, 4, -2, 2), 4),
                leaf(uniform(random, 12, -2, 2), 3, 4));
    }

    // ---- losses ---------------------------------------------------------------------------------

    static Ref bceReference(Ref x, Ref y) {
        Ref pointwise = x.zip(y, (v, t) -> (1 - t) * v + Math.log1p(Math.exp(-v)));
        return Ref.scalar(pointwise.sumAll() / pointwise.v().length);
    }

    static Ref mseReference(Ref x, Ref y) {
        Ref squares = x.zip(y, (v, t) -> (v - t) * (v - t));
        return Ref.scalar(squares.sumAll() / squares.v().length);
    }

    @Test
    void binaryCrossEntropyWithLogitsBothInputs() {
        Random random = new Random(18);
        GradCheck.Op op = x -> Functional.binaryCrossEntropyWithLogits(x[0], x[1]);
        GradCheck.Reference reference = x -> bceReference(x[0], x[1]);
        check("bce [3,4]", op, reference, leaf(uniform(random, 12, -3, 3), 3, 4),
                leaf(uniform(random, 12, 0, 1), 3, 4));
        check("bce 0-d", op, reference, leaf(uniform(random, 1, -3, 3)), leaf(uniform(random, 1, 0, 1)));
        check("bce transposed, constant target", op, reference, transposedLeaf(uniform(random, 15, -3, 3), 5, 3),
                constant(uniform(random, 15, 0, 1), 5, 3));
    }

    @Test
    void mseLossIncludingBroadcastTarget() {
        Random random = new Random(19);
        GradCheck.Op op = x -> Functional.mseLoss(x[0], x[1]);
        GradCheck.Reference reference = x -> mseReference(x[0], x[1]);
        check("mse [3,4]", op, reference, leaf(uniform(random, 12, -2, 2), 3, 4),
                leaf(uniform(random, 12, -2, 2), 3, 4));
        check("mse broadcast target [4]", op, reference, leaf(uniform(random, 12, -2, 2), 3, 4),
                leaf(uniform(random, 4, -2, 2), 4));
        check("mse broadcast input [3,1]", op, reference, leaf(uniform(random, 3, -2, 2), 3, 1),
                leaf(uniform(random, 12, -2, 2), 3, 4));
        check("mse narrowed, constant target", op, reference, narrowedLeaf(uniform(random, 10, -2, 2), 2, 5),
                constant(uniform(random, 10, -2, 2), 2, 5));
    }

    // ---- kinks: PyTorch's chosen subgradients -------------------------------------------------

    private static float[] gradientOf(UnaryOperator<Tensor> f, float[] values, float[] upstream) {
        Tensor x = leaf(values, values.length);
        f.apply(x).backward(Tensor.of(upstream));
        return x.grad().toArray();
    }

    @Test
    void reluAndAbsHaveZeroGradientAtZero() {
        float[] at = {-1f, 0f, 2f};
        float[] g = {3f, 5f, 11f};
        assertArrayEquals(new float[] {0f, 0f, 11f}, gradientOf(Tensor::relu, at, g), "relu'(0) = 0");
        assertArrayEquals(new float[] {-3f, 0f, 11f}, gradientOf(Tensor::abs, at, g), "abs'(0) = 0");
    }

    @Test
    void absGradientAtNegativeZeroIsPositiveZeroAsInPyTorch() {
        // PyTorch: sgn(-0.) = +0., so x.grad prints 0. where Vectorgrad would print -0.
        float[] grad = gradientOf(Tensor::abs, new float[] {-0f}, new float[] {7f});
        assertEquals(0, Float.floatToRawIntBits(grad[0]), "abs'(-0.) must be +0., got " + grad[0]);
    }

    @Test
    void maximumSplitsTiesEvenly() {
        Tensor a = leaf(new float[] {1f, 2f, 3f}, 3);
        Tensor b = leaf(new float[] {1f, 5f, 3f}, 3);
        a.maximum(b).backward(Tensor.of(4f, 6f, 8f));
        assertArrayEquals(new float[] {2f, 0f, 4f}, a.grad().toArray(), "a gets half at ties");
        assertArrayEquals(new float[] {2f, 6f, 4f}, b.grad().toArray(), "b gets half at ties");
    }

    @Test
    void maximumTieAgainstBroadcastOperandAccumulatesHalves() {
        Tensor a = leaf(new float[] {2f, 2f, 1f}, 3);
        Tensor b = leaf(new float[] {2f});
        a.maximum(b).backward(Tensor.of(4f, 6f, 8f));
        assertArrayEquals(new float[] {2f, 3f, 0f}, a.grad().toArray());
        assertArrayEquals(new float[] {2f + 3f + 8f}, b.grad().toArray());
    }

    @Test
    void powTensorMasksMatchPyTorchAtZeroBase() {
        // d/dx x^0 = 0 even at x = 0 (not 0·0^-1 = NaN); d/de 0^e = 0 for e ≥ 0 (limit of x^e·ln x).
        Tensor x = leaf(new float[] {0f, 0f, 2f}, 3);
        Tensor e = leaf(new float[] {0f, 2f, 3f}, 3);
        x.pow(e).backward(Tensor.of(1f, 1f, 1f));
        assertArrayEquals(new float[] {0f, 0f, 12f}, x.grad().toArray());
        assertArrayEquals(new float[] {0f, 0f, (float) (8 * Math.log(2))}, e.grad().toArray(), 1e-6f);
    }

    @Test
    void powScalarZeroExponentHasZeroGradientEverywhere() {
        assertArrayEquals(new float[] {0f, 0f, 0f},
                gradientOf(x -> x.pow(0f), new float[] {0f, -1f, 2f}, new float[] {1f, 2f, 3f}));
    }
}
