package org.vectorgrad;

import java.util.function.Supplier;
import org.vectorgrad.simd.Parallel;

/**
 * How many threads the kernels use, forward and backward. Results are bit-identical for every
 * thread count and however many threads call at once; small tensors run on the calling thread
 * whatever the setting.
 *
 * <ul>
 * <li>{@link #threads()} (default: available processors; {@code -Dvectorgrad.threads=N} at
 *     startup, an integer from 1 to {@value #MAX_THREADS}, anything else fails the first
 *     operation with a message naming the property; {@link #setThreads} later) is a JVM-wide
 *     budget: at most that many threads run the kernels of large operations at once.
 * <li>One caller: a large operation runs on the caller and {@code threads() - 1} library workers.
 * <li>Many callers at once (an application's executor, a parallel stream, Spark tasks): each
 *     large operation first takes a slot for its calling thread, waiting while all
 *     {@link #threads()} slots are taken, and borrows library workers only for free slots. So N
 *     callers never oversubscribe the cores or wait on each other's workers; the work proceeds
 *     about as fast as the same tasks one after another.
 * <li>{@link #withThreads} caps the kernel threads of the calling thread's operations inside the
 *     given work, e.g. {@code withThreads(1, task)} so that every task of a pool runs its
 *     operations single-threaded (each still takes one slot).
 * </ul>
 */
public final class Parallelism {
    /** The largest thread count {@link #setThreads}, {@link #withThreads} and the property accept. */
    public static final int MAX_THREADS = Parallel.MAX_THREADS;

    private Parallelism() {
    }

    /**
     * Sets the kernel thread count for the whole JVM (default: available processors, or the
     * system property {@code vectorgrad.threads}); {@code n} must be from 1 to
     * {@value #MAX_THREADS}.
     */
    public static void setThreads(int n) {
        Parallel.setThreads(n);
    }

    /** The kernel thread count of the JVM (not the cap of a {@link #withThreads} around the call). */
    public static int threads() {
        return Parallel.threads();
    }

    /**
     * Runs {@code work} with the operations this thread starts inside it using at most {@code n}
     * kernel threads: 1 runs them on this thread alone, more than {@link #threads()} means
     * {@link #threads()}. Only the calling thread is affected. Calls nest (the inner cap applies
     * within the inner call) and the previous cap is back when {@code work} returns or throws.
     *
     * @throws IllegalArgumentException when {@code n} is not from 1 to {@value #MAX_THREADS}
     */
    public static void withThreads(int n, Runnable work) {
        Parallel.withThreads(n, work);
    }

    /** {@link #withThreads(int, Runnable)} for work that returns a value, which it returns. */
    public static <T> T withThreads(int n, Supplier<T> work) {
        return Parallel.withThreads(n, work);
    }
}
