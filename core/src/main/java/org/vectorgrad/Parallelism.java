package org.vectorgrad;

import org.vectorgrad.simd.Parallel;

/**
 * How many threads the kernels use, forward and backward. Results are bit-identical for every
 * thread count; small tensors run on the calling thread whatever the setting.
 */
public final class Parallelism {
    private Parallelism() {
    }

    /** Sets the kernel thread count (default: available processors); {@code n} must be positive. */
    public static void setThreads(int n) {
        Parallel.setThreads(n);
    }

    /** The kernel thread count. */
    public static int threads() {
        return Parallel.threads();
    }
}
