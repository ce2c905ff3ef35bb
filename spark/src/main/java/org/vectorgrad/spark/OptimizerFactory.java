package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.List;
import java.util.function.Function;
import org.vectorgrad.Tensor;
import org.vectorgrad.optim.Optimizer;

/**
 * Builds the optimizer over a model's parameters on every worker, e.g.
 * {@code params -> new SGD(params, 0.03f, 0.9f)}, {@code params -> new AdamW(params, 1e-3f, 0.01f)}.
 * Its state (momentum, moments, learning rate) is then loaded from the driver's optimizer, so a
 * learning-rate schedule stepped on the driver reaches every worker at the next epoch.
 */
@FunctionalInterface
public interface OptimizerFactory extends Function<List<Tensor>, Optimizer>, Serializable {
}
