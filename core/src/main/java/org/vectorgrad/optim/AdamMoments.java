package org.vectorgrad.optim;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;

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
        if (state.isEmpty()) {
            state.put("step", Tensor.scalar(0f));
            state.put("exp_avg", Tensor.zeros(param.shape()));
            state.put("exp_avg_sq", Tensor.zeros(param.shape()));
        }
        Tensor stepCount = state.get("step");
        Tensor expAvg = state.get("exp_avg");
        Tensor expAvgSq = state.get("exp_avg_sq");
        stepCount.addInPlace(Tensor.scalar(1f), 1f);
        expAvg.mulInPlace((float) beta1).addInPlace(grad, (float) (1 - beta1));
        expAvgSq.mulInPlace((float) beta2).addInPlace(grad.mul((float) (1 - beta2)).mul(grad), 1f);
        double step = stepCount.item();
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        Tensor denom = expAvgSq.sqrt().div((float) Math.sqrt(biasCorrection2)).add((float) eps);
        param.addInPlace(expAvg.mul((float) -stepSize).div(denom), 1f);
    }
}
