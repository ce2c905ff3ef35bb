package org.vectorgrad.optim;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;
import org.vectorgrad.simd.AdamStep;

/**
 * The moment update shared by Adam and AdamW (PyTorch 1.13's {@code _single_tensor_adam(w)},
 * amsgrad = False): step count, first and second moments, bias-corrected step.
 */
final class AdamMoments {
    static final List<String> NAMES = List.of("step", "exp_avg", "exp_avg_sq");

    private final double beta1;
    private final double beta2;
    private final double eps;

    AdamMoments(float beta1, float beta2, float eps, float weightDecay) {
        Hyper.check(eps >= 0f, "Invalid epsilon value: " + eps);
        Hyper.check(beta1 >= 0f && beta1 < 1f, "Invalid beta parameter at index 0: " + beta1);
        Hyper.check(beta2 >= 0f && beta2 < 1f, "Invalid beta parameter at index 1: " + beta2);
        Hyper.check(weightDecay >= 0f, "Invalid weight_decay value: " + weightDecay);
        this.beta1 = Hyper.decimal(beta1);
        this.beta2 = Hyper.decimal(beta2);
        this.eps = Hyper.decimal(eps);
    }

    /**
     * Advances the moments with {@code grad} and applies the bias-corrected step to {@code param}.
     * NOTE: PyTorch multiplies (1 - beta2)·g·g left to right and (-step_size)·m / denom likewise;
     * the same order is kept so the float roundings match.
     */
    void apply(Tensor param, Tensor grad, Map<String, Tensor> state, double lr) {
        initialise(param, state);
        Tensor expAvg = state.get("exp_avg");
        Tensor expAvgSq = state.get("exp_avg_sq");
        double step = countStep(state);
        expAvg.mulInPlace((float) beta1).addInPlace(grad, (float) (1 - beta1));
        expAvgSq.mulInPlace((float) beta2).addInPlace(grad.mul((float) (1 - beta2)).mul(grad), 1f);
        Tensor denom = expAvgSq.sqrt().div((float) biasCorrection2Root(step)).add((float) eps);
        param.addInPlace(expAvg.mul((float) -stepSize(lr, step)).div(denom), 1f);
    }

    /** Adds one to the state's step count (a float tensor, as in PyTorch) and returns it. */
    private static double countStep(Map<String, Tensor> state) {
        Tensor stepCount = state.get("step");
        stepCount.addInPlace(Tensor.scalar(1f), 1f);
        return stepCount.item();
    }

    private double stepSize(double lr, double step) {
        return lr / (1 - Math.pow(beta1, step));
    }

    private double biasCorrection2Root(double step) {
        return Math.sqrt(1 - Math.pow(beta2, step));
    }

    private static void initialise(Tensor param, Map<String, Tensor> state) {
        if (state.isEmpty()) {
            state.put("step", Tensor.scalar(0f));
            state.put("exp_avg", Tensor.zeros(param.shape()));
            state.put("exp_avg_sq", Tensor.zeros(param.shape()));
        }
    }

    /**
     * The whole update in one kernel pass, the same floats as {@code param.mul_(decay)} (AdamW's
     * decoupled decay; 1 for Adam), {@code grad + weightDecay·param} (Adam's L2 term; 0 for AdamW)
     * and {@link #apply}. Returns false, having changed nothing but the empty state's
     * initialisation, when the operands do not fit the fused kernel.
     */
    boolean fusedStep(Tensor param, Tensor grad, Map<String, Tensor> state, double lr, boolean decoupled,
                      double decay, double weightDecay) {
        initialise(param, state);
        Tensor expAvg = state.get("exp_avg");
        Tensor expAvgSq = state.get("exp_avg_sq");
        if (!FusedSteps.fits(param, grad, expAvg, expAvgSq)) {
            return false;
        }
        double step = countStep(state);
        AdamStep constants = new AdamStep((float) decay, (float) weightDecay, (float) beta1, (float) (1 - beta1),
                (float) beta2, (float) (1 - beta2), (float) -stepSize(lr, step), (float) biasCorrection2Root(step),
                (float) eps);
        FusedSteps.adam(constants, param, grad, expAvg, expAvgSq, decoupled);
        return true;
    }
}
