package org.vectorgrad.nn;

import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

/**
 * In training, zeroes each element with probability p and scales the rest by 1/(1-p); identity in
 * eval. The mask is drawn from the default generator (so {@code Tensor.manualSeed} makes it
 * repeatable) or from the generator given to the constructor: a model with its own generator draws
 * the same masks whatever other threads do with theirs.
 */
public final class Dropout extends Module {
    private final float p;
    private final Generator generator;

    public Dropout(float p) {
        this(p, Generator.defaultGenerator());
    }

    /** Drawing its masks from {@code generator}, which it keeps using for every forward in training. */
    public Dropout(float p, Generator generator) {
        if (!(p >= 0f && p <= 1f)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.generator = Init.requireGenerator(generator);
    }

    @Override
    public Tensor forward(Tensor x) {
        return Functional.dropout(x, p, isTraining(), generator);
    }

    @Override
    protected String extraRepr() {
        return "p=" + pyFloat(p) + ", inplace=False";
    }
}
