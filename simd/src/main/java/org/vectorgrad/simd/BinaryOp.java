package org.vectorgrad.simd;

/**
 * Elementwise functions of two floats. {@link #apply} is the reference definition. Comparisons
 * yield 1f for true and 0f for false (boolean tensors are stored that way).
 */
public enum BinaryOp {
    /** z = x + y */
    ADD { public float apply(float x, float y) { return x + y; } },
    /** z = x - y */
    SUB { public float apply(float x, float y) { return x - y; } },
    /** z = x * y */
    MUL { public float apply(float x, float y) { return x * y; } },
    /** z = x / y */
    DIV { public float apply(float x, float y) { return x / y; } },
    /** z = x ^ y, with PyTorch's exact forms for the exponents 2, 3, 0.5, -0.5, -1, -2. */
    POW { public float apply(float x, float y) { return pow(x, y); } },
    /** z = max(x, y); NaN if either is NaN (torch.maximum). */
    MAXIMUM { public float apply(float x, float y) { return Math.max(x, y); } },
    /** z = min(x, y); NaN if either is NaN (torch.minimum). */
    MINIMUM { public float apply(float x, float y) { return Math.min(x, y); } },
    /** z = x == y ? 1 : 0 */
    EQ { public float apply(float x, float y) { return x == y ? 1f : 0f; } },
    /** z = x != y ? 1 : 0 (true when either is NaN) */
    NE { public float apply(float x, float y) { return x != y ? 1f : 0f; } },
    /** z = x &lt; y ? 1 : 0 */
    LT { public float apply(float x, float y) { return x < y ? 1f : 0f; } },
    /** z = x &lt;= y ? 1 : 0 */
    LE { public float apply(float x, float y) { return x <= y ? 1f : 0f; } },
    /** z = x > y ? 1 : 0 */
    GT { public float apply(float x, float y) { return x > y ? 1f : 0f; } },
    /** z = x >= y ? 1 : 0 */
    GE { public float apply(float x, float y) { return x >= y ? 1f : 0f; } };

    /** The reference value of this function at {@code (x, y)}. */
    public abstract float apply(float x, float y);

    /** True when every implementation must produce bit-identical results (no rounding latitude). */
    public boolean isExact() {
        return this != POW;
    }

    /** True for the comparisons, whose results are 0f/1f. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }

    // NOTE: PyTorch's CPU pow kernel special-cases these exponents with multiplications and
    // square roots; matching it keeps x**2 and x**3 bit-identical to PyTorch (Math.pow would
    // round x*x*x once instead of twice).
    static float pow(float x, float y) {
        if (y == 2f) {
            return x * x;
        } else if (y == 3f) {
            return x * x * x;
        } else if (y == 0.5f) {
            return (float) Math.sqrt(x);
        } else if (y == -0.5f) {
            return 1f / (float) Math.sqrt(x);
        } else if (y == -1f) {
            return 1f / x;
        } else if (y == -2f) {
            return 1f / (x * x);
        }
        return (float) Math.pow(x, y);
    }
}
