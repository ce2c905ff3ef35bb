package org.vectorgrad.nn;

import org.vectorgrad.Tensor;

/**
 * In training, zeroes each element with probability p (drawn from the default generator, so
 * {@code Tensor.manualSeed} makes it repeatable) and scales the rest by 1/(1-p); identity in eval.
 */
public final class Dropout extends Module {
    private final float p;

    public Dropout(float p) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining());
    }

    @Override
    protected String extraRepr() {
        return "p=" + pyFloat(p) + ", inplace=False";
    }
}
