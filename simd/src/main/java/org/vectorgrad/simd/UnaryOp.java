package org.vectorgrad.simd;

/**
 * Elementwise functions of one float. {@link #apply} is the reference definition every kernel
 * implementation must agree with (exactly for the exact ops, within a few ulp for transcendentals).
 */
public enum UnaryOp {
    /** y = -x */
    NEG { public float apply(float x) { return -x; } },
    /** y = |x| */
    ABS { public float apply(float x) { return Math.abs(x); } },
    /** y = (0 &lt; x) - (x &lt; 0) in {-1, 0, 1}: +0 for ±0 and 0 for NaN, as PyTorch 1.13's sign. */
    SIGN { public float apply(float x) { return (x > 0f ? 1f : 0f) - (x < 0f ? 1f : 0f); } },
    /** y = max(x, 0); NaN and -0. pass through unchanged, as in PyTorch. */
    RELU { public float apply(float x) { return x < 0f ? 0f : x; } },
    /** y = sqrt(x) */
    SQRT { public float apply(float x) { return (float) Math.sqrt(x); } },
    /** y = e^x */
    EXP { public float apply(float x) { return (float) Math.exp(x); } },
    /** y = ln(x) */
    LOG { public float apply(float x) { return (float) Math.log(x); } },
    /** y = ln(1 + x), accurate for small x */
    LOG1P { public float apply(float x) { return (float) Math.log1p(x); } },
    /** y = sin(x) */
    SIN { public float apply(float x) { return (float) Math.sin(x); } },
    /** y = cos(x) */
    COS { public float apply(float x) { return (float) Math.cos(x); } },
    /** y = tanh(x) */
    TANH { public float apply(float x) { return (float) Math.tanh(x); } },
    /** y = 1 / (1 + e^-x) */
    SIGMOID { public float apply(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); } };

    /** The reference value of this function at {@code x}. */
    public abstract float apply(float x);

    /** True when every implementation must produce bit-identical results (no rounding latitude). */
    public boolean isExact() {
        return switch (this) {
            case NEG, ABS, SIGN, RELU, SQRT -> true;
            default -> false;
        };
    }
}
