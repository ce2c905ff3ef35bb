package org.vectorgrad.simd;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernels' scheduler: one library-owned {@link ForkJoinPool} (never the common pool, so user
 * code on the common pool neither starves nor is starved by tensor work) with {@link #threads()}
 * workers. {@link #forRange} splits an index range into contiguous chunks that the calling thread
 * and the pool's workers claim one by one.
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
        Job job = new Job(body, n, chunks);
        ForkJoinPool workers = pool();
        for (int c = 1; c < chunks; c++) {
            try {
                workers.execute(job::work);
            } catch (RejectedExecutionException e) {
                break; // a pool retired by setThreads: the caller claims the remaining chunks itself
            }
        }
        job.work();
        job.await();
        job.rethrow();
    }

    /**
     * One parallel loop. The caller and the workers claim chunks from a shared counter, so a
     * worker that wakes late finds nothing left instead of making the caller wait for it: waking
     * a parked worker costs tens of microseconds on a busy VM, and the caller would otherwise pay
     * that on every call. Which thread runs a chunk never changes the chunk's bounds.
     */
    private static final class Job {
        private static final int SPINS = 1 << 12;
        private final Range body;
        private final int n;
        private final int chunks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unfinished;
        private final Thread caller = Thread.currentThread();
        private final Throwable[] thrown;

        Job(Range body, int n, int chunks) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.unfinished = new AtomicInteger(chunks);
            this.thrown = new Throwable[chunks];
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run(bound(n, chunks, c), bound(n, chunks, c + 1));
                } catch (RuntimeException | Error e) {
                    thrown[c] = e;
                }
                if (unfinished.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }

        // Spins briefly (the last chunk is usually microseconds from done), then parks.
        void await() {
            for (int spins = 0; unfinished.get() > 0; spins++) {
                if (spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void rethrow() {
            for (Throwable t : thrown) {
                if (t instanceof RuntimeException e) {
                    throw e;
                } else if (t instanceof Error e) {
                    throw e;
                }
            }
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
