package org.vectorgrad.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vectorgrad.Tensor;

/**
 * The base of the learning-rate schedulers ({@code torch.optim.lr_scheduler}, PyTorch 1.13, one
 * parameter group): construction records the optimizer's lr as the base and counts as epoch 0;
 * each {@link #step()} advances one epoch and writes the new lr into the optimizer.
 */
public abstract class LRScheduler {
    private final Optimizer optimizer;
    private double baseLr;
    private int lastEpoch;
    private double lastLr;

    LRScheduler(Optimizer optimizer) {
        if (optimizer == null) {
            throw new IllegalArgumentException("scheduler: optimizer is null");
        }
        this.optimizer = optimizer;
        baseLr = optimizer.lrExact();
        lastLr = baseLr;
    }

    /**
     * The lr for {@code epoch} from the current one: PyTorch's recursive {@code get_lr()}
     * (its closed forms drift from it in the last bits).
     */
    abstract double nextLr(double current, int epoch);

    /** Advances one epoch and sets the optimizer's lr. */
    public void step() {
        lastEpoch++;
        lastLr = nextLr(optimizer.lrExact(), lastEpoch);
        optimizer.setLr(lastLr);
    }

    /** The lr the last {@link #step()} (or construction) set, as float ({@code get_last_lr()[0]}). */
    public float lastLr() {
        return (float) lastLr;
    }

    public double lastLrExact() {
        return lastLr;
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    double baseLr() {
        return baseLr;
    }

    /** {@code last_epoch}, and {@code base_lr} and {@code last_lr} as exact doubles (see Optimizer.stateDict). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(lastEpoch));
        out.put("base_lr_bits", Hyper.encode(baseLr));
        out.put("last_lr_bits", Hyper.encode(lastLr));
        return out;
    }

    /** Restores {@link #stateDict()}; checks everything first, so a bad state changes nothing. */
    public void loadStateDict(Map<String, Tensor> saved) {
        Tensor epoch = saved.get("last_epoch");
        Tensor base = saved.get("base_lr_bits");
        Tensor last = saved.get("last_lr_bits");
        boolean ok = saved.size() == 3 && epoch != null && epoch.numel() == 1 && epoch.item() >= 0
                && epoch.item() == Math.rint(epoch.item()) && base != null && Hyper.isEncoded(base)
                && last != null && Hyper.isEncoded(last);
        Hyper.check(ok, "Error(s) in loading state_dict for " + getClass().getSimpleName()
                + ": expected exactly last_epoch (a non-negative integer), base_lr_bits and last_lr_bits, got "
                + saved.keySet());
        // The learning rates must pass Optimizer.setLr's check, which step() applies to them later.
        for (String key : new String[] {"base_lr_bits", "last_lr_bits"}) {
            double value = Hyper.decode(saved.get(key));
            Hyper.check(value >= 0, "Error(s) in loading state_dict for " + getClass().getSimpleName() + ": " + key
                    + " holds an invalid learning rate: " + value);
        }
        lastEpoch = (int) epoch.item();
        baseLr = Hyper.decode(base);
        lastLr = Hyper.decode(last);
    }
}
