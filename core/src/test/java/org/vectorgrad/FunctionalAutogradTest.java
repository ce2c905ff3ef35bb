package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code Autograd.jacobian/hessian/vjp/jvp} against {@code torch.autograd.functional} (fixture
 * {@code functional.txt}, written by {@code tools/pytorch/gen_functional_fixtures.py}) and against
 * identities that need no PyTorch: central finite differences of the forward function, vjp and jvp
 * equal to vᵀ·J and J·v of the computed Jacobian, symmetric Hessians.
 *
 * <p>NOTE: tolerance. Jacobian rows and vjp are first-order gradients (4 ulp + 1e-6 of the largest
 * magnitude, as OpsPyTorchTest). Hessians and jvp go through a second backward pass whose formulas
 * are associated differently from PyTorch's: 1e-5.
 */
final class FunctionalAutogradTest {
    private static final String FIXTURE = "/fixtures/functional.txt";

    /** The generator's FUNCTIONS table: f(x, c). */
    static final Map<String, BiFunction<Tensor, Tensor, Tensor>> FUNCTIONS = Map.ofEntries(
            Map.entry("seed_q", (x, c) -> x.pow(3).mul(3).sub(c.pow(2))),
            Map.entry("exp", (x, c) -> x.exp()),
            Map.entry("tanh_mul", (x, c) -> x.tanh().mul(c)),
            Map.entry("sigmoid_sq", (x, c) -> x.sigmoid().mul(x)),
            Map.entry("sin_plus_cos", (x, c) -> x.sin().add(x.cos().mul(x))),
            Map.entry("matmul", (x, c) -> x.matmul(c)),
            Map.entry("matmul_tanh_sum", (x, c) -> x.matmul(c).tanh().sum()),
            Map.entry("softmax", (x, c) -> x.softmax(-1)),
            Map.entry("log_softmax0", (x, c) -> x.logSoftmax(0)),
            Map.entry("sum", (x, c) -> x.sum()),
            Map.entry("sum_dim_keep", (x, c) -> x.sum(1, true)),
            Map.entry("mean0", (x, c) -> x.mean(0, false)),
            Map.entry("cube_sum", (x, c) -> x.pow(3).sum()),
            Map.entry("norm", (x, c) -> x.norm()),
            Map.entry("pow3", (x, c) -> x.pow(3)),
            Map.entry("expand", (x, c) -> x.expand(3).mul(c)),
            Map.entry("select_mul", (x, c) -> x.select(0, 1).mul(x.select(0, 0))),
            Map.entry("constant", (x, c) -> c.mul(2)),
            Map.entry("softmax_first", (x, c) -> x.softmax(0).select(0, 0)),
            Map.entry("log_sum_exp", (x, c) -> x.exp().sum().log()),
            Map.entry("quad_form", (x, c) -> x.matmul(c).matmul(x)),
            Map.entry("rows_dot", (x, c) -> x.mul(c).sum(1, false)));

    record Value(int[] shape, float[] values) {
        Tensor tensor() {
            return Tensor.fromArray(values, shape);
        }
    }

    record Case(String name, String kind, String fn, Value x, Value c, Value v, Value out, Value res, String error) {
    }

    static List<Case> loadCases() {
        List<Case> cases = new ArrayList<>();
        Map<String, Object> fields = new java.util.HashMap<>();
        String[] head = null;
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] f = line.split("\t", -1);
            switch (f[0]) {
                case "case" -> {
                    head = f;
                    fields.clear();
                }
                case "error" -> fields.put("error", Fixtures.unescape(f[1]));
                case "end" -> cases.add(new Case(head[1], head[2], head[3], (Value) fields.get("x"),
                        (Value) fields.get("c"), (Value) fields.get("v"), (Value) fields.get("out"),
                        (Value) fields.get("res"), (String) fields.get("error")));
                default -> fields.put(f[0], new Value(Fixtures.shape(f[1]), Fixtures.floats(f[2])));
            }
        }
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return loadCases().stream().map(c -> dynamicTest(c.name(), () -> replay(c)));
    }

    private static void replay(Case c) {
        Tensor constant = c.c() == null ? null : c.c().tensor();
        UnaryOperator<Tensor> fn = x -> FUNCTIONS.get(c.fn()).apply(x, constant);
        Tensor x = c.x().tensor();
        Tensor v = c.v() == null ? null : c.v().tensor();
        if (c.error() != null) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(c.kind(), fn, x, v));
            assertTrue(e.getMessage().contains(c.error()), () -> "message '" + e.getMessage()
                    + "' lacks PyTorch's '" + c.error() + "'");
            return;
        }
        Tensor[] result = run(c.kind(), fn, x, v);
        boolean second = c.kind().equals("hessian") || c.kind().equals("jvp");
        FixtureTolerance.assertClose(c.kind(), c.res().shape(), c.res().values(), result[1], 4, second ? 1e-5 : 1e-6);
        if (c.out() != null) {
            FixtureTolerance.assertClose("output", c.out().shape(), c.out().values(), result[0], 4, 1e-6);
            assertNull(result[0].gradFn(), "output must be detached");
            assertFalse(result[0].requiresGrad(), "output must be detached");
        }
        assertFalse(result[1].requiresGrad(), "result must be detached");
        assertArrayEquals(c.x().values(), x.toArray(), "x must not change");
        assertFalse(x.requiresGrad(), "x.requiresGrad must not change");
    }

    private static Tensor[] run(String kind, UnaryOperator<Tensor> fn, Tensor x, Tensor v) {
        return switch (kind) {
            case "jacobian" -> new Tensor[] {null, Autograd.jacobian(fn, x)};
            case "hessian" -> new Tensor[] {null, Autograd.hessian(fn, x)};
            case "vjp" -> Autograd.vjp(fn, x, v);
            case "jvp" -> Autograd.jvp(fn, x, v);
            default -> throw new IllegalStateException(kind);
        };
    }

    @Test
    void everyFixtureFunctionIsDefinedAndEveryKindCovered() {
        List<Case> cases = loadCases();
        assertEquals(new TreeSet<>(FUNCTIONS.keySet()),
                new TreeSet<>(cases.stream().map(Case::fn).toList()), "functions in the fixture vs FUNCTIONS");
        for (String kind : new String[] {"jacobian", "hessian", "vjp", "jvp"}) {
            assertTrue(cases.stream().filter(c -> c.kind().equals(kind) && c.error() == null).count() >= 5, kind);
        }
    }

    // ---- identities without PyTorch --------------------------------------------------------------

    private static final float[] X = {0.3f, -1.2f, 0.8f, 2.0f, -0.4f, 1.1f};

    private static final List<UnaryOperator<Tensor>> SMOOTH = List.of(
            x -> x.tanh().mul(x.sum()),
            x -> x.softmax(1),
            x -> x.matmul(x.t()),
            x -> x.sin().mean(0, true),
            x -> x.exp().sum(1, false).log());

    @Test
    void jacobianMatchesCentralDifferences() {
        Tensor x = Tensor.fromArray(X, 2, 3);
        for (UnaryOperator<Tensor> fn : SMOOTH) {
            Tensor jacobian = Autograd.jacobian(fn, x);
            int outs = fn.apply(x).numel();
            float[] j = jacobian.toArray();
            for (int k = 0; k < X.length; k++) {
                float[] plus = fn.apply(bumped(k, 1e-2f)).toArray();
                float[] minus = fn.apply(bumped(k, -1e-2f)).toArray();
                for (int i = 0; i < outs; i++) {
                    double numeric = ((double) plus[i] - minus[i]) / 2e-2;
                    // NOTE: float32 forward with h = 1e-2: truncation O(h²) and rounding O(ulp/h) both ≲ 2e-3.
                    assertEquals(numeric, j[i * X.length + k], 5e-3 * Math.max(1, Math.abs(numeric)),
                            "d out[" + i + "] / d x[" + k + "]");
                }
            }
        }
    }

    private static Tensor bumped(int k, float h) {
        float[] values = X.clone();
        values[k] += h;
        return Tensor.fromArray(values, 2, 3);
    }

    @Test
    void vjpAndJvpAreProductsWithTheJacobian() {
        Tensor x = Tensor.fromArray(X, 2, 3);
        for (UnaryOperator<Tensor> fn : SMOOTH) {
            Tensor out = fn.apply(x);
            Tensor jacobian = Autograd.jacobian(fn, x).reshape(out.numel(), X.length);
            Tensor u = Tensor.arange(out.numel()).mul(0.25f).sub(0.5f).reshape(out.shape());
            Tensor w = Tensor.of(1f, -2f, 0.5f, 0.25f, 3f, -1f).reshape(2, 3);
            Tensor vjp = Autograd.vjp(fn, x, u)[1];
            Tensor jvp = Autograd.jvp(fn, x, w)[1];
            FixtureTolerance.assertClose("vjp", u.reshape(1, -1).matmul(jacobian).reshape(2, 3).toArray(),
                    vjp.toArray(), 8, 1e-5);
            FixtureTolerance.assertClose("jvp", jacobian.matmul(w.reshape(-1)).reshape(out.shape()).toArray(),
                    jvp.toArray(), 8, 1e-5);
        }
    }

    @Test
    void hessianIsSymmetricAndMatchesDifferencesOfTheGradient() {
        Tensor x = Tensor.fromArray(X, 2, 3);
        UnaryOperator<Tensor> fn = t -> t.tanh().mul(t).sum().add(t.pow(2).sum().sqrt());
        Tensor hessian = Autograd.hessian(fn, x);
        assertArrayEquals(new int[] {2, 3, 2, 3}, hessian.shape());
        Tensor square = hessian.reshape(6, 6);
        FixtureTolerance.assertClose("symmetry", square.t().contiguous().toArray(), square.toArray(), 8, 1e-6);
        // The gradient (a detached jacobian of the scalar) differenced in each input direction.
        float[] h = hessian.toArray();
        for (int k = 0; k < X.length; k++) {
            float[] plus = Autograd.jacobian(fn, bumped(k, 1e-2f)).toArray();
            float[] minus = Autograd.jacobian(fn, bumped(k, -1e-2f)).toArray();
            for (int i = 0; i < X.length; i++) {
                double numeric = ((double) plus[i] - minus[i]) / 2e-2;
                assertEquals(numeric, h[i * X.length + k], 5e-3 * Math.max(1, Math.abs(numeric)),
                        "d² f / d x[" + i + "] d x[" + k + "]");
            }
        }
    }

    @Test
    void inputKeepsItsGraphAndFlags() {
        Tensor leaf = Tensor.of(1f, 2f, 3f).requiresGrad(true);
        Tensor x = leaf.mul(2);
        Tensor jacobian = Autograd.jacobian(t -> t.pow(2), x);
        assertNull(jacobian.gradFn());
        assertNotNull(x.gradFn(), "x keeps its history");
        assertNull(leaf.grad(), "no .grad accumulated");
        assertArrayEquals(new float[] {4, 0, 0, 0, 8, 0, 0, 0, 12}, jacobian.toArray());
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            assertArrayEquals(new float[] {2, 4, 6}, Autograd.vjp(t -> t.pow(2), Tensor.of(1f, 2f, 3f),
                    Tensor.ones(3))[1].toArray(), "runs in grad mode even under noGrad, as PyTorch's enable_grad");
            assertFalse(Autograd.isGradEnabled(), "grad mode restored");
        }
    }
}
