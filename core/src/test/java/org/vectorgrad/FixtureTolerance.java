package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;

/**
 * Float32 comparison against a PyTorch value: each element within {@code ulps} of its expected
 * value plus {@code rtol} times the expected tensor's largest magnitude (at least 1), as
 * {@link OpsPyTorchTest} does: sums and matmuls accumulate in a different order, so errors scale
 * with the operands, not with a small (cancelled) result. NaN must meet NaN, infinities their sign.
 */
final class FixtureTolerance {
    private FixtureTolerance() {
    }

    static void assertClose(String label, int[] shape, float[] want, Tensor actual, int ulps, double rtol) {
        assertNotNull(actual, label + " is missing");
        assertArrayEquals(shape, actual.shape(), label + " shape");
        assertClose(label, want, actual.toArray(), ulps, rtol);
    }

    static void assertClose(String label, float[] want, float[] got, int ulps, double rtol) {
        if (want.length != got.length) {
            fail(label + ": " + got.length + " values, PyTorch " + want.length);
        }
        float scale = 1f;
        for (float w : want) {
            if (Float.isFinite(w)) {
                scale = Math.max(scale, Math.abs(w));
            }
        }
        for (int i = 0; i < got.length; i++) {
            if (!close(want[i], got[i], ulps, rtol * scale)) {
                fail(label + ": element " + i + " is " + got[i] + ", PyTorch " + want[i]
                        + (want.length <= 64 ? "\n  expected " + Arrays.toString(want) + "\n  actual   "
                        + Arrays.toString(got) : ""));
            }
        }
    }

    static boolean close(float want, float got, int ulps, double atol) {
        if (Float.isNaN(want) || Float.isInfinite(want)) {
            return Float.compare(want, got) == 0 || (Float.isNaN(want) && Float.isNaN(got));
        }
        return Math.abs((double) got - want) <= ulps * (double) Math.ulp(want) + atol;
    }
}
