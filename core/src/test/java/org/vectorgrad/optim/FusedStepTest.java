package org.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;

/**
 * The fused one-pass updates give exactly the floats of the tensor-op chains they replace: the
 * same optimizer runs on a contiguous parameter (fused kernel) and on a transposed one with the
 * same values (the tensor ops, which the fused kernel refuses), step for step, bit for bit.
 */
class FusedStepTest {

    /** A 37×29 parameter (tails at any vector width) with a few NaN-free awkward values. */
    private static float[] values() {
        Tensor.manualSeed(11);
        float[] v = Tensor.randn(37 * 29).toArray();
        v[0] = 0f;
        v[1] = -0f;
        v[2] = 1e-40f;
        return v;
    }

    private static Tensor contiguousParam() {
        return Tensor.fromArray(values(), 29, 37).requiresGrad(true);
    }

    /** The same logical 29×37 values, stored transposed. */
    private static Tensor transposedParam() {
        float[] logical = values();
        float[] stored = new float[logical.length];
        for (int r = 0; r < 29; r++) {
            for (int c = 0; c < 37; c++) {
                stored[c * 29 + r] = logical[r * 37 + c];
            }
        }
        return Tensor.fromArray(stored, 37, 29).transpose(0, 1).detach().requiresGrad(true);
    }

    private static void check(String label, Function<List<Tensor>, Optimizer> make) {
        Tensor fused = contiguousParam();
        Tensor chained = transposedParam();
        assertTrue(fused.isContiguous(), label);
        assertFalse(chained.isContiguous(), label);
        Optimizer a = make.apply(List.of(fused));
        Optimizer b = make.apply(List.of(chained));
        for (int step = 0; step < 5; step++) {
            for (Object[] run : new Object[][] {{a, fused}, {b, chained}}) {
                Optimizer o = (Optimizer) run[0];
                Tensor p = (Tensor) run[1];
                o.zeroGrad();
                p.mul(p).sin().sum().add(p.sum().mul(0.5f)).backward();
                o.step();
            }
            assertArrayEquals(fused.contiguous().toArray(), chained.contiguous().toArray(), label + " step " + step);
        }
    }

    @Test
    void sgdMatchesTheTensorOpUpdate() {
        check("plain", p -> new SGD(p, 0.1f));
        check("momentum", p -> new SGD(p, 0.05f, 0.9f));
        check("dampening and decay", p -> new SGD(p, 0.05f, 0.9f, 0.3f, 1e-2f, false));
        check("nesterov", p -> new SGD(p, 0.05f, 0.8f, 0f, 5e-4f, true));
        check("decay only", p -> new SGD(p, 0.05f, 0f, 0f, 0.1f, false));
    }

    @Test
    void adamAndAdamWMatchTheTensorOpUpdate() {
        check("adam", p -> new Adam(p, 1e-2f));
        check("adam l2", p -> new Adam(p, 1e-2f, 0.8f, 0.99f, 1e-6f, 0.05f));
        check("adamw", p -> new AdamW(p, 1e-2f));
        check("adamw no decay", p -> new AdamW(p, 1e-2f, 0f));
    }
}
