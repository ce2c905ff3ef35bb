package org.vectorgrad.optim;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;

/**
 * Adam ({@code torch.optim.Adam}, PyTorch 1.13's single-tensor rule, amsgrad = False): weight decay
 * is L2, added to the gradient as wd·p before the moments.
 */
public final class Adam extends Optimizer {
    private final AdamMoments moments;
    private final double weightDecay;

    public Adam(List<Tensor> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public Adam(List<Tensor> params, float lr, float beta1, float beta2, float eps, float weightDecay) {
        super(params, lr);
        moments = new AdamMoments(beta1, beta2, eps, weightDecay);
        this.weightDecay = Hyper.decimal(weightDecay);
    }

    @Override
    void update(Tensor param, Tensor grad, Map<String, Tensor> state) {
        if (moments.fusedStep(param, grad, state, lrExact(), false, 1, weightDecay)) {
            return;
        }
        Tensor g = weightDecay != 0 ? grad.add(param.mul((float) weightDecay)) : grad;
        moments.apply(param, g, state, lrExact());
    }

    @Override
    List<String> stateNames() {
        return AdamMoments.NAMES;
    }
}
