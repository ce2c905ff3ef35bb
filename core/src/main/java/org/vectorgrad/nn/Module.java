package org.vectorgrad.nn;

import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;

/** STUB (issue 4): the base of every layer, as in torch.nn.Module. */
public abstract class Module {
    public abstract Tensor forward(Tensor x);

    public List<Tensor> parameters() {
        throw new UnsupportedOperationException("issue 4");
    }

    public Map<String, Tensor> namedParameters() {
        throw new UnsupportedOperationException("issue 4");
    }

    public Module train() {
        throw new UnsupportedOperationException("issue 4");
    }

    public Module eval() {
        throw new UnsupportedOperationException("issue 4");
    }

    public void zeroGrad() {
        throw new UnsupportedOperationException("issue 4");
    }

    public Map<String, Tensor> stateDict() {
        throw new UnsupportedOperationException("issue 4");
    }

    public void loadStateDict(Map<String, Tensor> state) {
        throw new UnsupportedOperationException("issue 4");
    }
}
