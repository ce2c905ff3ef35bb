package org.vectorgrad.bench;

import java.util.Locale;
import java.util.SplittableRandom;

/** Inputs and parameter spellings shared by the benchmarks and the comparison table. */
final class BenchData {
    private BenchData() {
    }

    /** Standard normal floats from a fixed seed, so every run measures the same data. */
    static float[] gaussian(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Class labels in [0, classes) from a fixed seed. */
    static int[] labels(long seed, int n, int classes) {
        return new SplittableRandom(seed).ints(n, 0, classes).toArray();
    }

    /**
     * An element count written as a benchmark parameter: a plain integer, or an integer with the
     * binary suffix {@code K} (2^10) or {@code M} (2^20), e.g. {@code "16M"} = 16,777,216.
     */
    static int parseCount(String text) {
        String upper = text.strip().toUpperCase(Locale.ROOT);
        int shift = upper.endsWith("K") ? 10 : upper.endsWith("M") ? 20 : 0;
        String digits = shift == 0 ? upper : upper.substring(0, upper.length() - 1);
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("element count must look like 1024, 64K or 16M, got '" + text + "'");
        }
        if (value < 0 || value > (Integer.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("element count must be in [0, 2^31), got '" + text + "'");
        }
        return (int) (value << shift);
    }
}
