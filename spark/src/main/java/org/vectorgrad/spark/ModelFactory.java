package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.function.Supplier;
import org.vectorgrad.nn.Module;

/**
 * Builds the model's architecture on an executor. A {@link Module} is not serialisable; this
 * factory is (a lambda or a small class), and the weights travel separately as safetensors bytes,
 * so whatever initial values the factory gives are overwritten.
 */
@FunctionalInterface
public interface ModelFactory extends Supplier<Module>, Serializable {
}
