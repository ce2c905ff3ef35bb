package org.vectorgrad.simd;

/**
 * The float constants of one SGD update, each already rounded as PyTorch 1.13's single-tensor
 * rule rounds it: {@code weightDecay} (0 for none), {@code momentum} (0 for none),
 * {@code dampeningComplement} = 1 − dampening, {@code nesterov}, {@code negativeLr} = −lr.
 */
public record SgdStep(float weightDecay, float momentum, float dampeningComplement, boolean nesterov,
                      float negativeLr) {
}
