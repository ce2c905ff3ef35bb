package org.vectorgrad.optim;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;

/**
 * AdamW ({@code torch.optim.AdamW}, PyTorch 1.13's single-tensor rule, amsgrad = False): decoupled
 * weight decay, p *= 1 - lr·wd, before the Adam step.
 */
public final class AdamW extends Optimizer {
    private final AdamMoments moments;
    private final double weightDecay;

    public AdamW(List<Tensor> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 1e-2f);
    }

    public AdamW(List<Tensor> params, float lr, float weightDecay) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    public AdamW(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr);
        moments = new AdamMoments(beta1, beta2, eps, weightDecay);
        this.weightDecay = Hyper.decimal(weightDecay);
    }

    @Override
    void update(Tensor param, Tensor grad, Map<String, Tensor> state) {
        if (moments.fusedStep(param, grad, state, lrExact(), true, 1 - lrExact() * weightDecay, 0)) {
            return;
        }
        param.mulInPlace((float) (1 - lrExact() * weightDecay));
        moments.apply(param, grad, state, lrExact());
    }

    @Override
    List<String> stateNames() {
        return AdamMoments.NAMES;
    }
}
