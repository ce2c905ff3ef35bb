package org.vectorgrad.simd;

import java.util.Random;

/** Random float generators for kernel tests. */
enum Values {
    /** Mostly moderate values, with special and extreme values mixed in. */
    MIXED {
        @Override
        float next(Random random) {
            int kind = random.nextInt(100);
            if (kind < 6) {
                return SPECIALS[random.nextInt(SPECIALS.length)];
            } else if (kind < 20) {
                return wide(random);
            } else if (kind < 30) {
                return random.nextFloat() * 200f - 100f;
            }
            return (float) random.nextGaussian() * 3f;
        }
    },
    /**
     * Like MIXED but without the extremes whose float sums overflow where a double sum does not:
     * NaN, infinities, signed zeros and subnormals among moderate values.
     */
    TAME {
        @Override
        float next(Random random) {
            int kind = random.nextInt(100);
            if (kind < 3) {
                return TAME_SPECIALS[random.nextInt(TAME_SPECIALS.length)];
            }
            return (float) random.nextGaussian() * 3f;
        }
    },
    /** Finite moderate values only (normal distribution, sigma 3). */
    GAUSSIAN {
        @Override
        float next(Random random) {
            return (float) random.nextGaussian() * 3f;
        }
    },
    /** Uniform in [0, 1): sums without cancellation. */
    UNIT {
        @Override
        float next(Random random) {
            return random.nextFloat();
        }
    };

    /** NaN, infinities, signed zeros, subnormals, extremes and the special POW exponents. */
    static final float[] SPECIALS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -3e-39f, Float.MIN_NORMAL,
        Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e30f, 1f, -1f, 2f, 3f, 0.5f, -0.5f, -2f,
        88.7f, 89f, -87.4f, -100f, 100f, -104f,
    };

    private static final float[] TAME_SPECIALS = {
        Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -1e-40f,
    };

    abstract float next(Random random);

    /** Fills {@code array} with values from this generator and returns it. */
    float[] fill(Random random, float[] array) {
        for (int i = 0; i < array.length; i++) {
            array[i] = next(random);
        }
        return array;
    }

    // Any sign, any exponent from subnormal to huge.
    private static float wide(Random random) {
        float magnitude = (float) Math.scalb(1.0 + random.nextDouble(), random.nextInt(270) - 145);
        return random.nextBoolean() ? magnitude : -magnitude;
    }
}
