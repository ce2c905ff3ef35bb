package org.vectorgrad;

import static org.vectorgrad.GradCheck.assertClose;
import static org.vectorgrad.GradCheck.checkSecondOrder;
import static org.vectorgrad.GradCheck.leaf;
import static org.vectorgrad.GradCheck.narrowedLeaf;
import static org.vectorgrad.GradCheck.transposedLeaf;
import static org.vectorgrad.GradCheck.uniform;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vectorgrad.nn.Functional;

/**
 * Double backward: the gradient graph recorded with {@code createGraph} is differentiated again,
 * both with respect to the inputs and to the upstream gradient, and compared with finite
 * differences in double (see {@link GradCheck#checkSecondOrder}).
 */
final class SecondOrderGradTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vectorgrad.OpsGradTest#unaryOps")
    void unary(OpsGradTest.Unary u) {
        Random random = new Random(51);
        GradCheck.Op op = x -> u.op().apply(x[0]);
        GradCheck.Reference reference = x -> x[0].map(u.ref());
        checkSecondOrder(u + " 0-d", op, reference, leaf(u.sample(random, 1)));
        checkSecondOrder(u + " [3,4]", op, reference, leaf(u.sample(random, 12), 3, 4));
        checkSecondOrder(u + " transposed", op, reference, transposedLeaf(u.sample(random, 12), 4, 3));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.vectorgrad.OpsGradTest#binaryOps")
    void binary(OpsGradTest.Binary b) {
        Random random = new Random(52);
        GradCheck.Op op = x -> b.op().apply(x[0], x[1]);
        GradCheck.Reference reference = x -> x[0].zip(x[1], b.ref());
        checkSecondOrder(b + " [2,3]", op, reference, leaf(b.a().sample(random, 6), 2, 3),
                leaf(b.b().sample(random, 6), 2, 3));
        checkSecondOrder(b + " [3,1] with [1,4]", op, reference, leaf(b.a().sample(random, 3), 3, 1),
                leaf(b.b().sample(random, 4), 1, 4));
        checkSecondOrder(b + " narrowed with 0-d", op, reference, narrowedLeaf(b.a().sample(random, 6), 2, 3),
                leaf(b.b().sample(random, 1)));
        // Leading and size-1 dims at once: the engine sums the [2,3,4] gradient down to [3,1].
        checkSecondOrder(b + " [2,3,4] with [3,1]", op, reference, leaf(b.a().sample(random, 24), 2, 3, 4),
                leaf(b.b().sample(random, 3), 3, 1));
    }

    @Test
    void scalarOperands() {
        Random random = new Random(53);
        float[] values = uniform(random, 6, -2, 2);
        checkSecondOrder("add(2)", x -> x[0].add(2f), x -> x[0].map(v -> v + 2), leaf(values, 2, 3));
        checkSecondOrder("sub(2)", x -> x[0].sub(2f), x -> x[0].map(v -> v - 2), leaf(values, 2, 3));
        checkSecondOrder("rsub(2)", x -> x[0].rsub(2f), x -> x[0].map(v -> 2 - v), leaf(values, 2, 3));
        checkSecondOrder("mul(3)", x -> x[0].mul(3f), x -> x[0].map(v -> 3 * v), leaf(values, 2, 3));
        checkSecondOrder("div(4)", x -> x[0].div(4f), x -> x[0].map(v -> v / 4), leaf(values, 2, 3));
    }

    @ParameterizedTest(name = "pow({0})")
    @ValueSource(floats = {2f, 3f, 0.5f, -1f, 2.5f, 0f})
    void powScalarExponent(float p) {
        Random random = new Random(54);
        checkSecondOrder("pow " + p, x -> x[0].pow(p), x -> x[0].map(v -> Math.pow(v, p)),
                leaf(OpsGradTest.powerBase(random, p, 6), 2, 3));
    }

    @Test
    void reductions() {
        Random random = new Random(55);
        Tensor x = leaf(uniform(random, 12, -2, 2), 3, 4);
        checkSecondOrder("sum", t -> t[0].sum(), t -> Ref.scalar(t[0].sumAll()), x);
        checkSecondOrder("sum(1, false)", t -> t[0].sum(1, false), t -> t[0].sum(new int[] {1}, false), x);
        checkSecondOrder("mean", t -> t[0].mean(), t -> Ref.scalar(t[0].sumAll() / 12), x);
        checkSecondOrder("mean(0, true)", t -> t[0].mean(0, true), t -> t[0].mean(0, true), x);
        checkSecondOrder("mean(-1, false)", t -> t[0].mean(-1, false), t -> t[0].mean(-1, false), x);
        checkSecondOrder("norm", t -> t[0].norm(), t -> Ref.scalar(Math.sqrt(t[0].mul(t[0]).sumAll())), x);
        Tensor unique = leaf(ReductionsGradTest.distinct(random, 12), 3, 4);
        checkSecondOrder("max", t -> t[0].max(), t -> Ref.scalar(t[0].maxAll()), unique);
        checkSecondOrder("max(1, false)", t -> t[0].max(1, false), t -> t[0].max(1, false), unique);
        checkSecondOrder("sumToSize", t -> t[0].sumToSize(1, 4), t -> t[0].sum(new int[] {0}, true), x);
    }

    @Test
    void softmaxAndLogSoftmax() {
        Random random = new Random(56);
        for (int dim : new int[] {0, 1, -1}) {
            Tensor x = leaf(uniform(random, 12, -3, 3), 3, 4);
            checkSecondOrder("softmax " + dim, t -> t[0].softmax(dim), t -> t[0].softmax(dim), x);
            checkSecondOrder("logSoftmax " + dim, t -> t[0].logSoftmax(dim), t -> t[0].logSoftmax(dim), x);
        }
        checkSecondOrder("softmax 0-d", t -> t[0].softmax(0), t -> t[0].softmax(0), leaf(new float[] {0.3f}));
    }

    @Test
    void matmul() {
        Random random = new Random(57);
        int[][][] pairs = {{{4}, {4}}, {{3, 4}, {4}}, {{4}, {4, 2}}, {{3, 4}, {4, 2}}, {{2, 3, 4}, {4, 2}},
            {{3, 4}, {2, 4, 2}}, {{4}, {2, 4, 3}}, {{2, 3, 4}, {4}}, {{2, 1, 3, 4}, {5, 4, 2}}};
        for (int[][] p : pairs) {
            checkSecondOrder(Arrays.toString(p[0]) + " @ " + Arrays.toString(p[1]), x -> x[0].matmul(x[1]),
                    x -> x[0].matmul(x[1]), leaf(uniform(random, Ref.numel(p[0]), -2, 2), p[0]),
                    leaf(uniform(random, Ref.numel(p[1]), -2, 2), p[1]));
        }
        checkSecondOrder("T[2,3,4] @ T[4,2]", x -> x[0].matmul(x[1]), x -> x[0].matmul(x[1]),
                transposedLeaf(uniform(random, 24, -2, 2), 2, 3, 4), transposedLeaf(uniform(random, 8, -2, 2), 4, 2));
    }

    @Test
    void views() {
        Random random = new Random(58);
        Tensor x = leaf(uniform(random, 24, -2, 2), 2, 3, 4);
        checkSecondOrder("select", t -> t[0].select(1, -1), t -> t[0].select(1, -1), x);
        checkSecondOrder("narrow", t -> t[0].narrow(2, 1, 2), t -> t[0].narrow(2, 1, 2), x);
        checkSecondOrder("permute", t -> t[0].permute(1, 2, 0), t -> t[0].permute(1, 2, 0), x);
        checkSecondOrder("transpose + reshape", t -> t[0].transpose(0, 2).reshape(6, 4),
                t -> t[0].transpose(0, 2).reshape(6, 4), x);
        checkSecondOrder("unsqueeze + expand", t -> t[0].unsqueeze(1).expand(2, 5, 3, 4),
                t -> t[0].unsqueeze(1).expand(2, 5, 3, 4), x);
        checkSecondOrder("flatten + view", t -> t[0].flatten().view(4, 6), t -> t[0].reshape(4, 6), x);
        checkSecondOrder("squeeze + t + contiguous", t -> t[0].narrow(0, 1, 1).squeeze(0).t().contiguous(),
                t -> t[0].select(0, 1).transpose(0, 1), x);
    }

    @Test
    void whereAndLosses() {
        Random random = new Random(59);
        float[] c = {0, 1, 1};
        checkSecondOrder("where", x -> Tensor.where(Tensor.fromArray(c, 3, 1).gt(Tensor.scalar(0.5f)), x[0], x[1]),
                x -> Ref.where(Ref.of(c, 3, 1), x[0], x[1]), leaf(uniform(random, 4, -2, 2), 4),
                leaf(uniform(random, 3, -2, 2), 3, 1));
        checkSecondOrder("bce", x -> Functional.binaryCrossEntropyWithLogits(x[0], x[1]),
                x -> OpsGradTest.bceReference(x[0], x[1]), leaf(uniform(random, 6, -3, 3), 2, 3),
                leaf(uniform(random, 6, 0, 1), 2, 3));
        checkSecondOrder("mse", x -> Functional.mseLoss(x[0], x[1]), x -> OpsGradTest.mseReference(x[0], x[1]),
                leaf(uniform(random, 6, -2, 2), 2, 3), leaf(uniform(random, 6, -2, 2), 2, 3));
        checkSecondOrder("mse broadcast target", x -> Functional.mseLoss(x[0], x[1]),
                x -> OpsGradTest.mseReference(x[0], x[1]), leaf(uniform(random, 6, -2, 2), 2, 3),
                leaf(uniform(random, 3, -2, 2), 3));
    }

    @Test
    void compositeFunction() {
        Random random = new Random(60);
        GradCheck.Op op = x -> x[1].matmul(x[0]).tanh().mul(x[1].sum(1, true).sigmoid()).logSoftmax(1).mean();
        GradCheck.Reference reference = x -> Ref.scalar(x[1].matmul(x[0]).map(Math::tanh)
                .mul(x[1].sum(new int[] {1}, true).map(v -> 1 / (1 + Math.exp(-v)))).logSoftmax(1).sumAll() / 6);
        checkSecondOrder("mean(logSoftmax(tanh(x@w) * sigmoid(sum x)))", op, reference,
                leaf(uniform(random, 12, -1, 1), 4, 3), leaf(uniform(random, 8, -1, 1), 2, 4));
    }

    @Test
    void hessianVectorProductHasTheClosedForm() {
        // f(x) = Σx³/3 + (a·x)²: ∇f = x² + 2(a·x)a, H = diag(2x) + 2aaᵀ, so Hv = 2x∘v + 2(a·v)a.
        double[] x = {0.5, -1.25, 2, 0.75};
        double[] a = {1, -2, 0.5, 3};
        double[] v = {-1, 0.25, 2, 0.5};
        Tensor xt = leaf(GradCheck.toFloats(x), 4);
        Tensor at = Tensor.fromArray(GradCheck.toFloats(a), 4);
        Tensor f = xt.pow(3f).sum().div(3f).add(at.matmul(xt).pow(2f));
        Tensor grad = Autograd.grad(new Tensor[] {f}, new Tensor[] {xt}, null, true, true)[0];
        Tensor hv = Autograd.grad(new Tensor[] {grad.mul(Tensor.fromArray(GradCheck.toFloats(v), 4)).sum()},
                new Tensor[] {xt}, null, false, false)[0];
        double av = 0;
        for (int i = 0; i < 4; i++) {
            av += a[i] * v[i];
        }
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = 2 * x[i] * v[i] + 2 * av * a[i];
        }
        assertClose("Hv", new Ref(new int[] {4}, expected), hv, GradCheck.RTOL, GradCheck.ATOL);
    }
}
