package org.vectorgrad.optim;

import java.util.Arrays;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;
import org.vectorgrad.simd.AdamStep;
import org.vectorgrad.simd.KernelProvider;
import org.vectorgrad.simd.Kernels;
import org.vectorgrad.simd.SgdStep;

/**
 * The optimizers' fused updates: one kernel pass per parameter over param, grad and state instead
 * of a chain of tensor ops (each a pass and, for the out-of-place ones, an allocation). They apply
 * when every operand is contiguous, of the parameter's shape and in its own storage; otherwise the
 * optimizers take their tensor-op path, which computes the same floats. Each state tensor's
 * version counter advances as often as the tensor-op chain would advance it.
 */
final class FusedSteps {
    private static final Kernels K = KernelProvider.kernels();
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();

    private FusedSteps() {
    }

    /** True when the fused kernels can update param from these operands (null operands are ignored). */
    static boolean fits(Tensor param, Tensor... others) {
        int[] shape = INTERNALS.shape(param);
        if (!param.isContiguous()) {
            return false;
        }
        for (Tensor t : others) {
            if (t != null && (!t.isContiguous() || !Arrays.equals(shape, INTERNALS.shape(t))
                    || INTERNALS.data(t) == INTERNALS.data(param))) {
                return false;
            }
        }
        return true;
    }

    static void sgd(SgdStep step, Tensor param, Tensor grad, Tensor buffer, boolean firstStep) {
        int n = param.numel();
        K.sgdStep(n, step, INTERNALS.data(param), INTERNALS.offset(param), INTERNALS.data(grad),
                INTERNALS.offset(grad), buffer == null ? null : INTERNALS.data(buffer),
                buffer == null ? 0 : INTERNALS.offset(buffer), firstStep);
        INTERNALS.bumpVersion(param);
        if (buffer != null && !firstStep) {
            bump(buffer, 2);
        }
    }

    static void adam(AdamStep step, Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, boolean decoupled) {
        int n = param.numel();
        K.adamStep(n, step, INTERNALS.data(param), INTERNALS.offset(param), INTERNALS.data(grad),
                INTERNALS.offset(grad), INTERNALS.data(expAvg), INTERNALS.offset(expAvg), INTERNALS.data(expAvgSq),
                INTERNALS.offset(expAvgSq));
        bump(param, decoupled ? 2 : 1);
        bump(expAvg, 2);
        bump(expAvgSq, 2);
    }

    private static void bump(Tensor t, int times) {
        for (int i = 0; i < times; i++) {
            INTERNALS.bumpVersion(t);
        }
    }
}
