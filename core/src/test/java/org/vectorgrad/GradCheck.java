package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

/**
 * Finite-difference gradient checks against an independent double-precision reference.
 *
 * <p>With a random upstream gradient g, autograd's input gradient is the gradient of the scalar
 * L(x) = ⟨g, f(x)⟩, so it is compared element by element with the central difference
 * (L(x + h·e_j) − L(x − h·e_j)) / 2h of the {@link Ref} implementation of f, evaluated in
 * double. Second derivatives: with φ = Σ_i ⟨∂L/∂x_i, v_i⟩ (what autograd differentiates after
 * {@code createGraph}), ∂φ/∂x_j = ∂²L/∂x_j∂v is the mixed difference
 * (L(x+hv+he_j) − L(x+hv−he_j) − L(x−hv+he_j) + L(x−hv−he_j)) / 4h², and ∂φ/∂g = J·v is
 * (f(x+hv) − f(x−hv)) / 2h.
 *
 * <p>NOTE: the tolerance. The differences are exact to ~1e-8 here: in double, truncation is
 * O(h²) = 1e-8 (inputs and their derivatives are O(1), kept ≥ 0.1 from kinks and poles) and
 * round-off is ε_double·|L|/h² ≈ 2e-8·|L| at worst (second order). Autograd computes in float32:
 * every forward and backward value carries a relative error of a few ε_float (6e-8) per
 * operation, amplified by cancellation in sums (softmax, matmul, broadcast reductions) to about
 * n·ε_float·max|term|. A relative 1e-4 plus an absolute 1e-5 scaled by the largest expected
 * element leaves a 10–100× margin over that, while any wrong formula (a missing factor, a
 * transposed or misplaced element, a dropped broadcast term) is off by O(1). Measured with the
 * scalar kernels over every check here: the largest error is 1e-6 of max(|expected|, 0.1·scale).
 */
final class GradCheck {
    /** The operation under test, built from library calls. */
    @FunctionalInterface
    interface Op {
        Tensor apply(Tensor... x);
    }

    /** The same operation on the double reference. */
    @FunctionalInterface
    interface Reference {
        Ref apply(Ref... x);
    }

    static final double STEP = 1e-4;
    static final double RTOL = 1e-4;
    static final double ATOL = 1e-5;
    /** Forward values: a few float32 roundings, so a 10× tighter bound than gradients. */
    static final double FORWARD_RTOL = 1e-5;
    static final double FORWARD_ATOL = 1e-6;

    private GradCheck() {
    }

    // ---- inputs -----------------------------------------------------------------------------

    static float[] uniform(Random random, int n, double lo, double hi) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return out;
    }

    /** Random sign, magnitude in [min, max]: keeps inputs away from the kinks at zero. */
    static float[] awayFromZero(Random random, int n, double min, double max) {
        float[] out = uniform(random, n, min, max);
        for (int i = 0; i < n; i++) {
            out[i] = random.nextBoolean() ? out[i] : -out[i];
        }
        return out;
    }

    static Tensor leaf(float[] values, int... shape) {
        return Tensor.fromArray(values, shape).requiresGrad(true);
    }

    /** A leaf that needs no gradient (its node edge is null). */
    static Tensor constant(float[] values, int... shape) {
        return Tensor.fromArray(values, shape);
    }

    /** A non-contiguous leaf whose last two dimensions are transposed in storage. */
    static Tensor transposedLeaf(float[] values, int... shape) {
        int rank = shape.length;
        int[] stored = shape.clone();
        stored[rank - 2] = shape[rank - 1];
        stored[rank - 1] = shape[rank - 2];
        Ref swapped = Ref.of(values, shape).transpose(-1, -2);
        Tensor base = Tensor.fromArray(toFloats(swapped.v()), stored);
        return checked(base.transpose(-1, -2).detach().requiresGrad(true), values, true);
    }

    /**
     * A non-contiguous leaf: a narrow of the last dimension of a larger storage filled with NaN
     * outside the view, so a kernel that reads past the view poisons the result. The storage
     * offset is nonzero.
     */
    static Tensor narrowedLeaf(float[] values, int... shape) {
        int rank = shape.length;
        int[] stored = shape.clone();
        stored[rank - 1] = shape[rank - 1] + 3;
        float[] storage = new float[Ref.numel(stored)];
        Arrays.fill(storage, Float.NaN);
        int rows = values.length / shape[rank - 1];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * shape[rank - 1], storage, r * stored[rank - 1] + 1, shape[rank - 1]);
        }
        Tensor base = Tensor.fromArray(storage, stored);
        Tensor leaf = base.narrow(-1, 1, shape[rank - 1]).detach().requiresGrad(true);
        // With a single row the narrow is contiguous (only its offset moves); still worth testing.
        return checked(leaf, values, rows > 1);
    }

    private static Tensor checked(Tensor leaf, float[] values, boolean strided) {
        assertArrayEquals(values, leaf.toArray(), "test setup: the non-contiguous leaf holds other values");
        if (strided && leaf.isContiguous()) {
            fail("test setup: leaf " + Arrays.toString(leaf.shape()) + " should be non-contiguous");
        }
        return leaf;
    }

    static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    // ---- first order ------------------------------------------------------------------------

    /** Checks the forward values and the vector-Jacobian product of every input needing grad. */
    static void check(String label, Op op, Reference reference, Tensor... inputs) {
        Ref[] x = refs(inputs);
        Tensor y = op.apply(inputs);
        Ref expected = reference.apply(x);
        assertForward(label, y, expected);
        Random random = new Random(label.hashCode());
        Ref g = Ref.of(uniform(random, expected.v().length, -1, 1), expected.shape());
        y.backward(Tensor.fromArray(toFloats(g.v()), g.shape()));
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) {
                assertNull(inputs[i].grad(), label + ": input " + i + " needs no grad but got one");
                continue;
            }
            assertNotNull(inputs[i].grad(), label + ": no gradient reached input " + i);
            assertClose(label + ": d/d input " + i, numericGradient(reference, x, g, i),
                    inputs[i].grad(), RTOL, ATOL);
        }
    }

    static void assertForward(String label, Tensor y, Ref expected) {
        assertArrayEquals(expected.shape(), y.shape(), label + ": output shape");
        assertClose(label + ": forward", expected, y, FORWARD_RTOL, FORWARD_ATOL);
    }

    /** Central differences of L(x) = ⟨g, f(x)⟩ with respect to every element of input i. */
    static Ref numericGradient(Reference reference, Ref[] x, Ref g, int i) {
        double[] out = new double[x[i].v().length];
        for (int j = 0; j < out.length; j++) {
            double plus = loss(reference, bumped(x, i, j, STEP), g);
            double minus = loss(reference, bumped(x, i, j, -STEP), g);
            out[j] = (plus - minus) / (2 * STEP);
        }
        return new Ref(x[i].shape(), out);
    }

    // ---- second order -----------------------------------------------------------------------

    /**
     * Differentiates the createGraph gradient again: checks ∂φ/∂x_i against mixed differences and
     * ∂φ/∂g against the directional derivative J·v (see the class comment). Every input must
     * require grad.
     */
    static void checkSecondOrder(String label, Op op, Reference reference, Tensor... inputs) {
        Random random = new Random(label.hashCode() * 31L + 7);
        Ref[] x = refs(inputs);
        Tensor y = op.apply(inputs);
        Ref expected = reference.apply(x);
        assertForward(label, y, expected);
        Ref g = Ref.of(uniform(random, expected.v().length, -1, 1), expected.shape());
        Tensor gLeaf = leaf(toFloats(g.v()), g.shape());
        Tensor[] first = Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {gLeaf}, true, true);
        Ref[] v = new Ref[inputs.length];
        Tensor phi = gLeaf.sum().mul(0f);
        for (int i = 0; i < inputs.length; i++) {
            assertClose(label + ": first-order d/d input " + i, numericGradient(reference, x, g, i),
                    first[i], RTOL, ATOL);
            v[i] = Ref.of(uniform(random, x[i].v().length, -1, 1), x[i].shape());
            // NOTE: + 0·Σx_i keeps every input in φ's graph: Autograd.grad has no allow_unused,
            // and φ is independent of x for linear ops (its x-gradient is then exactly zero).
            phi = phi.add(first[i].mul(Tensor.fromArray(toFloats(v[i].v()), v[i].shape())).sum())
                    .add(inputs[i].sum().mul(0f));
        }
        Tensor[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = gLeaf;
        Tensor[] second = Autograd.grad(new Tensor[] {phi}, all, null, false, false);
        for (int i = 0; i < inputs.length; i++) {
            assertClose(label + ": second-order d/d input " + i, mixedDifference(reference, x, v, g, i),
                    second[i], RTOL, ATOL);
        }
        assertClose(label + ": second-order d/d grad_output", directionalDerivative(reference, x, v),
                second[inputs.length], RTOL, ATOL);
    }

    private static Ref mixedDifference(Reference reference, Ref[] x, Ref[] v, Ref g, int i) {
        double[] out = new double[x[i].v().length];
        Ref[] up = shifted(x, v, STEP);
        Ref[] down = shifted(x, v, -STEP);
        for (int j = 0; j < out.length; j++) {
            double pp = loss(reference, bumped(up, i, j, STEP), g);
            double pm = loss(reference, bumped(up, i, j, -STEP), g);
            double mp = loss(reference, bumped(down, i, j, STEP), g);
            double mm = loss(reference, bumped(down, i, j, -STEP), g);
            out[j] = (pp - pm - mp + mm) / (4 * STEP * STEP);
        }
        return new Ref(x[i].shape(), out);
    }

    private static Ref directionalDerivative(Reference reference, Ref[] x, Ref[] v) {
        Ref plus = reference.apply(shifted(x, v, STEP));
        Ref minus = reference.apply(shifted(x, v, -STEP));
        return plus.sub(minus).scale(1 / (2 * STEP));
    }

    // ---- helpers ----------------------------------------------------------------------------

    static Ref[] refs(Tensor[] inputs) {
        Ref[] x = new Ref[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            x[i] = Ref.of(inputs[i].toArray(), inputs[i].shape());
        }
        return x;
    }

    private static double loss(Reference reference, Ref[] x, Ref g) {
        Ref y = reference.apply(x);
        if (!Arrays.equals(y.shape(), g.shape())) {
            throw new IllegalStateException("reference shape " + Arrays.toString(y.shape()));
        }
        double total = 0;
        for (int k = 0; k < y.v().length; k++) {
            total += g.v()[k] * y.v()[k];
        }
        return total;
    }

    private static Ref[] bumped(Ref[] x, int i, int j, double h) {
        Ref[] out = x.clone();
        double[] values = x[i].v().clone();
        values[j] += h;
        out[i] = new Ref(x[i].shape(), values);
        return out;
    }

    private static Ref[] shifted(Ref[] x, Ref[] direction, double h) {
        Ref[] out = new Ref[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i].add(direction[i].scale(h));
        }
        return out;
    }

    /** |actual − expected| ≤ rtol·|expected| + atol·max(1, max|expected|), element by element. */
    static void assertClose(String label, Ref expected, Tensor actual, double rtol, double atol) {
        assertNotNull(actual, label + ": missing tensor");
        assertArrayEquals(expected.shape(), actual.shape(), label + ": shape");
        float[] got = actual.toArray();
        double scale = 1;
        for (double e : expected.v()) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int k = 0; k < got.length; k++) {
            double e = expected.v()[k];
            double bound = rtol * Math.abs(e) + atol * scale;
            if (!(Math.abs(got[k] - e) <= bound)) {
                fail(label + ": element " + Arrays.toString(Ref.unravel(k, expected.shape())) + " is " + got[k]
                        + ", expected " + e + " (bound " + bound + ")\n  actual   " + Arrays.toString(got)
                        + "\n  expected " + Arrays.toString(expected.v()));
            }
        }
    }
}
