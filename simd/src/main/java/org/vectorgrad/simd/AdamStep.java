package org.vectorgrad.simd;

/**
 * The float constants of one Adam/AdamW update, rounded as PyTorch 1.13's single-tensor rule
 * rounds them: {@code decay} multiplies the parameter first (AdamW's 1 − lr·wd; 1 for Adam),
 * {@code weightDecay} adds wd·p to the gradient (Adam's L2 term; 0 for AdamW), the betas and
 * their complements, {@code negativeStepSize} = −lr / (1 − β1^t), {@code biasCorrection2Sqrt} =
 * √(1 − β2^t) and {@code eps}.
 */
public record AdamStep(float decay, float weightDecay, float beta1, float beta1Complement, float beta2,
                       float beta2Complement, float negativeStepSize, float biasCorrection2Sqrt, float eps) {
}
