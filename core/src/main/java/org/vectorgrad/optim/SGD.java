package org.vectorgrad.optim;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;
import org.vectorgrad.simd.SgdStep;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay:
 * PyTorch 1.13's single-tensor rule ({@code torch.optim.SGD}, maximize = False).
 */
public final class SGD extends Optimizer {
    private static final String BUFFER = "momentum_buffer";

    private final double momentum;
    private final double dampening;
    private final double weightDecay;
    private final boolean nesterov;

    public SGD(List<Tensor> params, float lr) {
        this(params, lr, 0f, 0f, 0f, false);
    }

    public SGD(List<Tensor> params, float lr, float momentum) {
        this(params, lr, momentum, 0f, 0f, false);
    }

    public SGD(List<Tensor> params, float lr, float momentum, float dampening, float weightDecay, boolean nesterov) {
        super(params, lr);
        Hyper.check(momentum >= 0f, "Invalid momentum value: " + momentum);
        Hyper.check(weightDecay >= 0f, "Invalid weight_decay value: " + weightDecay);
        Hyper.check(!nesterov || (momentum > 0f && dampening == 0f),
                "Nesterov momentum requires a momentum and zero dampening");
        this.momentum = Hyper.decimal(momentum);
        this.dampening = Hyper.decimal(dampening);
        this.weightDecay = Hyper.decimal(weightDecay);
        this.nesterov = nesterov;
    }

    @Override
    void update(Tensor param, Tensor grad, Map<String, Tensor> state) {
        Tensor buffer = state.get(BUFFER);
        if (FusedSteps.fits(param, grad, buffer)) {
            boolean firstStep = momentum != 0 && buffer == null;
            if (firstStep) {
                buffer = Tensor.zeros(param.shape());
                state.put(BUFFER, buffer);
            }
            SgdStep step = new SgdStep((float) weightDecay, (float) momentum, (float) (1 - dampening), nesterov,
                    (float) -lrExact());
            FusedSteps.sgd(step, param, grad, momentum != 0 ? buffer : null, firstStep);
            return;
        }
        tensorOpUpdate(param, grad, state);
    }

    /** The same update as a chain of tensor ops, for operands the fused kernel does not take. */
    private void tensorOpUpdate(Tensor param, Tensor grad, Map<String, Tensor> state) {
        Tensor direction = weightDecay != 0 ? grad.add(param.mul((float) weightDecay)) : grad;
        if (momentum != 0) {
            Tensor buffer = state.get(BUFFER);
            if (buffer == null) {
                buffer = copyOf(direction);
                state.put(BUFFER, buffer);
            } else {
                buffer.mulInPlace((float) momentum).addInPlace(direction, (float) (1 - dampening));
            }
            direction = nesterov ? direction.add(buffer.mul((float) momentum)) : buffer;
        }
        param.addInPlace(direction, (float) -lrExact());
    }

    @Override
    List<String> stateNames() {
        return momentum != 0 ? List.of(BUFFER) : List.of();
    }
}
