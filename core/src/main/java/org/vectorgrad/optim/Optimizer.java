package org.vectorgrad.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;

/**
 * The base of the optimizers, as in {@code torch.optim.Optimizer} with one parameter group.
 * Subclasses keep per-parameter state tensors under names ({@code momentum_buffer}, {@code exp_avg},
 * ...) so that {@link #stateDict()} can save and {@link #loadStateDict(Map)} restore a run exactly.
 * NOTE: the learning rate is a double, as PyTorch's Python float: schedulers compute it in double
 * and every update rounds it to float, exactly where PyTorch's kernels do.
 */
public abstract class Optimizer {
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();
    private static final String LR_KEY = "lr";
    private static final String LR_BITS_KEY = "lr_bits";

    private final List<Tensor> params;
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    private double lr;

    protected Optimizer(List<Tensor> params) {
        this(params, 1e-3f);
    }

    protected Optimizer(List<Tensor> params, float lr) {
        if (params == null || params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : params) {
            if (p == null || !p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException("optimizer can only optimize leaf Tensors that require grad"
                        + " (parameter " + seen.size() + ")");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("optimizer contains a parameter group with duplicate parameters");
            }
            state.add(new LinkedHashMap<>());
        }
        this.params = List.copyOf(params);
        this.lr = Hyper.decimal(lr);
        checkLr(this.lr, "");
    }

    /** One update of every parameter that has a gradient; parameters whose grad is null are skipped. */
    public final void step() {
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                // Not p.grad(), which hands the gradient out and so keeps zeroGrad from recycling it.
                Tensor grad = INTERNALS.gradForStep(p);
                if (grad != null) {
                    update(p, grad.detach(), state.get(i));
                }
            }
        }
    }

    /**
     * Updates one parameter in place from its gradient, under no-grad; {@code state} is this
     * parameter's state, empty before its first update.
     */
    abstract void update(Tensor param, Tensor grad, Map<String, Tensor> state);

    /** The names of the per-parameter state entries, in the order a full state holds them. */
    abstract List<String> stateNames();

    /** Drops every parameter's gradient ({@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        params.forEach(Tensor::zeroGrad);
    }

    public List<Tensor> params() {
        return params;
    }

    /** The learning rate the next step uses, rounded to float as the update kernels use it. */
    public float lr() {
        return (float) lr;
    }

    /** The learning rate in full (double) precision, as PyTorch's {@code param_groups[0]['lr']}. */
    public double lrExact() {
        return lr;
    }

    /** Sets the learning rate; a float is read as the decimal it prints as (0.1f means 0.1). */
    public void setLr(float lr) {
        setLr(Hyper.decimal(lr));
    }

    public void setLr(double lr) {
        checkLr(lr, "");
        this.lr = lr;
    }

    /** PyTorch's rule ({@code 0.0 <= lr}), which also refuses NaN; {@code context} prefixes the message. */
    private static void checkLr(double lr, String context) {
        Hyper.check(lr >= 0, context + "Invalid learning rate: " + lr);
    }

    /**
     * The optimizer's state: {@code lr} (0-d), {@code lr_bits} (the exact double, four 16-bit
     * chunks) and {@code state.<i>.<name>} for parameter i's state tensors (shared, not copied).
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(LR_KEY, Tensor.scalar((float) lr));
        out.put(LR_BITS_KEY, Hyper.encode(lr));
        for (int i = 0; i < state.size(); i++) {
            for (Map.Entry<String, Tensor> entry : state.get(i).entrySet()) {
                out.put("state." + i + "." + entry.getKey(), entry.getValue().detach());
            }
        }
        return out;
    }

    /**
     * Restores {@link #stateDict()} output (copies it). Everything is checked first: on error
     * (unknown or missing keys, wrong shapes, an lr that {@link #setLr(double)} would refuse) nothing changes.
     */
    public void loadStateDict(Map<String, Tensor> saved) {
        String owner = getClass().getSimpleName();
        List<Map<String, Tensor>> restored = OptimizerState.parse(owner, saved, params, stateNames());
        double savedLr = saved.containsKey(LR_BITS_KEY) ? Hyper.decode(saved.get(LR_BITS_KEY)) : saved.get(LR_KEY).item();
        checkLr(savedLr, "Error(s) in loading state_dict for " + owner + ": ");
        lr = savedLr;
        for (int i = 0; i < state.size(); i++) {
            state.get(i).clear();
            state.get(i).putAll(restored.get(i));
        }
    }

    /** A detached copy with its own storage. */
    static Tensor copyOf(Tensor t) {
        return Tensor.fromArray(t.toArray(), t.shape());
    }
}
