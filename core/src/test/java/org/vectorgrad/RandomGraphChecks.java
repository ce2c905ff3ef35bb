package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.function.Executable;

/** The result checks of {@link RandomGraphPyTorchTest}: output, grad_fn tree, first and second order. */
final class RandomGraphChecks {
    private RandomGraphChecks() {
    }

    static void assertResults(RandomGraphPyTorchTest.Case c, Tensor y, TreeMap<Integer, Tensor> inputs,
                              double rtol, double sumRtol) {
        String[] out = c.first("out");
        boolean large = out == null;
        List<Executable> checks = new ArrayList<>();
        if (large) {
            checks.add(() -> assertSummary("output", c.first("outs"), 1, y, sumRtol, rtol));
        } else {
            checks.add(() -> FixtureTolerance.assertClose("output", Fixtures.shape(out[1]), Fixtures.floats(out[2]),
                    y, 4, rtol));
        }
        String graph = OpsPyTorchTest.tree(y.gradFn());
        checks.add(() -> assertEquals(c.first("graph")[1], graph, "grad_fn tree"));
        String[] g = large ? c.first("gr") : c.first("g");
        if (g == null) {
            checks.add(() -> assertFalse(y.requiresGrad() && inputs.values().stream().anyMatch(Tensor::requiresGrad),
                    "PyTorch computed no gradient"));
            assertAll("graph " + c.id(), checks);
            return;
        }
        Tensor seed = large ? RandomGraphPyTorchTest.seededRand(Long.parseLong(g[1]), y.shape())
                : Tensor.fromArray(Fixtures.floats(g[2]), Fixtures.shape(g[1]));
        TreeMap<Integer, Tensor> first = new TreeMap<>();
        for (String[] line : c.all(large ? "grads" : "grad")) {
            int k = Integer.parseInt(line[1]);
            Tensor grad = gradOrNull(y, inputs.get(k), seed, !large);
            first.put(k, grad);
            if (line[2].equals("none")) {
                checks.add(() -> assertNull(grad, "PyTorch: input " + k + " unused"));
            } else if (large) {
                checks.add(() -> assertSummary("grad of input " + k, line, 2, grad, sumRtol, rtol));
            } else {
                checks.add(() -> FixtureTolerance.assertClose("grad of input " + k, Fixtures.shape(line[2]),
                        Fixtures.floats(line[3]), grad, 4, rtol));
            }
        }
        if (!c.all("gg").isEmpty()) {
            checks.add(() -> assertSecondOrder(c, inputs, first, rtol));
        }
        assertAll("graph " + c.id(), checks);
    }

    /** phi = Σ_k ⟨grad_k, v_k⟩ differentiated again, as the generator does (zeros where unused). */
    private static void assertSecondOrder(RandomGraphPyTorchTest.Case c, TreeMap<Integer, Tensor> inputs,
                                          TreeMap<Integer, Tensor> first, double rtol) {
        Tensor phi = null;
        for (String[] v : c.all("v")) {
            Tensor grad = first.get(Integer.parseInt(v[1]));
            if (grad != null && grad.requiresGrad()) {
                Tensor term = grad.mul(Tensor.fromArray(Fixtures.floats(v[3]), Fixtures.shape(v[2]))).sum();
                phi = phi == null ? term : phi.add(term);
            }
        }
        List<Executable> checks = new ArrayList<>();
        for (String[] gg : c.all("gg")) {
            Tensor x = inputs.get(Integer.parseInt(gg[1]));
            Tensor second = phi == null ? null : gradOrNull(phi, x, null, false);
            Tensor actual = second == null ? Tensor.zeros(x.shape()) : second;
            checks.add(() -> FixtureTolerance.assertClose("second-order grad of input " + gg[1],
                    Fixtures.shape(gg[2]), Fixtures.floats(gg[3]), actual, 4, rtol));
        }
        assertAll(checks);
    }

    /** autograd.grad with allow_unused: null when {@code output} has no graph or does not reach {@code input}. */
    static Tensor gradOrNull(Tensor output, Tensor input, Tensor seed, boolean createGraph) {
        if (!output.requiresGrad()) {
            return null;
        }
        try {
            return Autograd.grad(new Tensor[] {output}, new Tensor[] {input}, new Tensor[] {seed}, true,
                    createGraph)[0];
        } catch (IllegalStateException e) {
            if (e.getMessage() != null && e.getMessage().contains("appears to not have been used")) {
                return null;
            }
            throw e;
        }
    }

    /** {@code SHAPE SUM SAMPLES} fields starting at {@code from}: shape, float64 sum, sampled elements. */
    private static void assertSummary(String label, String[] line, int from, Tensor actual, double sumRtol,
                                      double rtol) {
        assertArrayEquals(Fixtures.shape(line[from]), actual.shape(), label + " shape");
        float[] values = actual.toArray();
        double sum = 0;
        double magnitude = 0;
        for (float value : values) {
            sum += value;
            magnitude += Math.abs(value);
        }
        double expected = Double.parseDouble(line[from + 1]);
        // NOTE: plus 1e-10 per element: an exactly-cancelling result (the gradient of a softmax's
        // sum) is rounding noise on both sides, with nothing to be relative to.
        if (!(Math.abs(sum - expected) <= sumRtol * magnitude + 1e-10 * values.length)) {
            fail(label + ": sum " + sum + ", PyTorch " + expected + " (sum of magnitudes " + magnitude + ")");
        }
        String[] samples = line[from + 2].split(",");
        float[] want = new float[samples.length];
        float[] got = new float[samples.length];
        for (int s = 0; s < samples.length; s++) {
            String[] pair = samples[s].split(":");
            want[s] = Fixtures.floats(pair[1])[0];
            got[s] = values[Integer.parseInt(pair[0])];
        }
        FixtureTolerance.assertClose(label + " samples", want, got, 4, rtol);
    }
}
