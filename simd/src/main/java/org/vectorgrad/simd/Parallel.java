package org.vectorgrad.simd;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kernels' scheduler: one library-owned {@link ForkJoinPool} (never the common pool, so user
 * code on the common pool neither starves nor is starved by tensor work) with {@link #threads()}
 * workers. {@link #forRange} splits an index range into contiguous chunks, runs the first chunk on
 * the calling thread and the others on the pool.
 *
 * <p>Determinism is the kernels' job, not the scheduler's: a kernel must compute the same value
 * for an element whatever chunk it falls into (reductions combine fixed-size partials in a fixed
 * order), so results are bit-identical for every thread count.
 */
public final class Parallel {
    /** The body of a parallel loop: processes indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static final Object LOCK = new Object();
    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    private static volatile ForkJoinPool pool;

    private Parallel() {
    }

    /** The number of threads kernels use (default: available processors). */
    public static int threads() {
        return threads;
    }

    /**
     * Sets the number of kernel threads. The old pool finishes the work it has and then stops;
     * calls already running keep the chunking they started with.
     */
    public static void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("setThreads: thread count must be positive, got " + n);
        }
        synchronized (LOCK) {
            if (n == threads) {
                return;
            }
            threads = n;
            ForkJoinPool old = pool;
            pool = null;
            if (old != null) {
                old.shutdown();
            }
        }
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks of at least {@code minChunk}
     * indices, one chunk per thread at most. Runs inline, with no task overhead, when the range
     * is below two chunks, when one thread is configured, or when called from a pool worker
     * (a nested parallel loop must not wait on the workers it occupies). Exceptions thrown by
     * the body propagate to the caller after every chunk has finished.
     */
    public static void forRange(int n, int minChunk, Range body) {
        int chunks = chunkCount(n, minChunk);
        if (chunks <= 1) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        ForkJoinPool workers = pool();
        // NOTE: ForkJoinTask rethrows a copy of a worker's exception; keep the original instead.
        Throwable[] thrown = new Throwable[chunks];
        ForkJoinTask<?>[] forked = new ForkJoinTask<?>[chunks];
        for (int c = 1; c < chunks; c++) {
            forked[c] = submitOrRun(workers, chunk(body, n, chunks, c, thrown));
        }
        chunk(body, n, chunks, 0, thrown).run();
        for (int c = 1; c < chunks; c++) {
            forked[c].quietlyJoin();
        }
        for (Throwable t : thrown) {
            if (t instanceof RuntimeException e) {
                throw e;
            } else if (t instanceof Error e) {
                throw e;
            }
        }
    }

    private static Runnable chunk(Range body, int n, int chunks, int c, Throwable[] thrown) {
        int from = bound(n, chunks, c);
        int to = bound(n, chunks, c + 1);
        return () -> {
            try {
                body.run(from, to);
            } catch (RuntimeException | Error e) {
                thrown[c] = e;
            }
        };
    }

    // A pool retired by setThreads on another thread rejects new tasks: run the chunk here.
    private static ForkJoinTask<?> submitOrRun(ForkJoinPool workers, Runnable chunk) {
        ForkJoinTask<?> task = ForkJoinTask.adapt(chunk);
        try {
            return workers.submit(task);
        } catch (RejectedExecutionException e) {
            task.quietlyInvoke();
            return task;
        }
    }

    /** How many chunks {@link #forRange} would use for this range on this thread (1 = inline). */
    public static int chunkCount(int n, int minChunk) {
        int t = threads;
        if (t <= 1 || n < 2 * Math.max(1, minChunk) || inWorker()) {
            return 1;
        }
        return (int) Math.min(t, n / Math.max(1, minChunk));
    }

    // Chunk c starts at floor(c·n / chunks): sizes differ by at most one.
    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static boolean inWorker() {
        return Thread.currentThread() instanceof Worker;
    }

    private static ForkJoinPool pool() {
        ForkJoinPool p = pool;
        if (p != null) {
            return p;
        }
        synchronized (LOCK) {
            if (pool == null) {
                pool = new ForkJoinPool(threads, Worker::new, null, false);
            }
            return pool;
        }
    }

    /** A daemon worker with a recognisable name, so thread dumps show whose threads these are. */
    private static final class Worker extends ForkJoinWorkerThread {
        private static final AtomicInteger COUNT = new AtomicInteger();

        Worker(ForkJoinPool pool) {
            super(pool);
            setName("vectorgrad-kernel-" + COUNT.incrementAndGet());
            setDaemon(true);
        }
    }
}
