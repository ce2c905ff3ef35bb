package org.vectorgrad.nn;

import java.util.ArrayList;
import java.util.List;
import org.vectorgrad.Tensor;

/** Applies its layers in order ({@code torch.nn.Sequential}); they are named "0", "1", .... */
public final class Sequential extends Module {
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

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = x;
        for (Module layer : layers) {
            out = layer.call(out);
        }
        return out;
    }
}
