package org.vectorgrad.simd;

import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The kernels' scheduler: one library-owned {@link Team} of {@link #threads()} − 1 workers (never
 * the common pool, so user code on the common pool neither starves nor is starved by tensor work;
 * a caller is always one of a loop's threads, so more workers could never all be lent). Idle
 * workers spin briefly before parking, so the back-to-back GEMMs of a training step find them
 * awake. {@link #forRange} splits an index range into contiguous chunks that the calling thread
 * and the workers claim one by one.
 *
 * <p>{@link #threads()} is a JVM-wide budget: at most that many threads run the chunks of large
 * loops at once, however many threads call. A caller's large loop first takes a slot for the
 * caller itself (waiting, if every slot is held, until another loop ends), then borrows pool
 * workers only for slots that are free. So an application's executor, a parallel stream or
 * several Spark tasks never run more kernel threads than {@link #threads()} (no oversubscribed
 * cores, no caller spinning for a worker that another caller's work has descheduled); with one
 * caller nothing changes. Small loops run inline without taking a slot. A thread can cap its own
 * loops with {@link #withThreads}; the system property {@value #PROPERTY} sets the initial
 * {@link #threads()}.
 *
 * <p>Determinism is the kernels' job, not the scheduler's: a kernel must compute the same value
 * for an element whatever chunk it falls into (reductions combine fixed-size partials in a fixed
 * order), so results are bit-identical for every thread count. The chunks of a loop depend only on
 * the thread count in effect for its caller, never on how busy the pool is: load decides who runs
 * a chunk, not where it starts.
 */
public final class Parallel {
    /** The body of a parallel loop: processes indices {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * The system property that sets the initial {@link #threads()}, e.g. {@code -Dvectorgrad.threads=4}
     * (the cores of a Spark executor rather than of its host). Any other value than an integer
     * from 1 to {@link #MAX_THREADS} fails the first use of this class with an
     * {@link ExceptionInInitializerError} whose cause names the property and the value.
     */
    public static final String PROPERTY = "vectorgrad.threads";

    /**
     * The largest thread count {@link #setThreads}, {@link #withThreads} and {@value #PROPERTY}
     * accept: above any machine's core count (ForkJoinPool, the earlier scheduler, failed every
     * later operation after {@code setThreads(40000)}).
     */
    public static final int MAX_THREADS = 1024;

    private static final Object LOCK = new Object();
    // The cap of the loops this thread starts (withThreads).
    private static final ScopedValue<Integer> CAP = ScopedValue.newInstance();
    // Bound while a caller runs its own loop's chunks: nested loops run inline there, without a
    // second slot, as they do on the workers.
    private static final ScopedValue<Boolean> IN_LOOP = ScopedValue.newInstance();
    private static volatile int threads = parseThreads(System.getProperty(PROPERTY),
            Math.min(MAX_THREADS, Runtime.getRuntime().availableProcessors()));
    private static volatile Team pool;

    private Parallel() {
    }

    /**
     * The kernel threads of one large loop, and the JVM-wide number of threads running loops at
     * once (default: available processors, or {@value #PROPERTY}).
     */
    public static int threads() {
        return threads;
    }

    /**
     * The threads a loop started now by the calling thread may use: {@link #threads()}, capped by
     * the innermost {@link #withThreads} around the call, and 1 on a kernel worker or inside a
     * loop's chunk (nested loops run inline). How busy the other threads are does not matter.
     */
    public static int callerThreads() {
        int t = threads;
        if (inLoop()) {
            return 1;
        }
        return Math.min(t, CAP.orElse(t));
    }

    /**
     * Sets the number of kernel threads, 1 to {@link #MAX_THREADS}. The old pool finishes the
     * work it has and then stops; calls already running keep the chunking they started with.
     */
    public static void setThreads(int n) {
        checkThreads("setThreads", n);
        synchronized (LOCK) {
            if (n == threads) {
                return;
            }
            threads = n;
            Team old = pool;
            pool = null;
            if (old != null) {
                old.shutdown();
            }
        }
        Slots.wakeWaiters(); // a higher limit frees slots
    }

    /**
     * Runs {@code work} with the loops this thread starts inside it capped to {@code n} threads
     * (1 to {@link #MAX_THREADS}; more than {@link #threads()} means {@link #threads()}; 1 runs
     * every loop on this thread alone, in its one slot). Other threads are unaffected; an inner
     * call's cap applies within it, and the outer cap is back when it returns or throws.
     */
    public static void withThreads(int n, Runnable work) {
        checkThreads("withThreads", n);
        Objects.requireNonNull(work, "withThreads: work is null");
        ScopedValue.where(CAP, n).run(work);
    }

    /** {@link #withThreads(int, Runnable)} for work that returns a value. */
    public static <T> T withThreads(int n, Supplier<T> work) {
        checkThreads("withThreads", n);
        Objects.requireNonNull(work, "withThreads: work is null");
        return ScopedValue.where(CAP, n).call(work::get);
    }

    private static void checkThreads(String method, int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException(method + ": thread count must be between 1 and " + MAX_THREADS
                    + ", got " + n);
        }
    }

    /**
     * The thread count the system property's {@code value} asks for ({@code fallback} when it
     * is not set). A value that is not an integer from 1 to {@link #MAX_THREADS} is an error
     * rather than a warning: a job that asked for a thread count and silently got another runs
     * oversubscribed (or idle) with nothing in its output to say why.
     */
    static int parseThreads(String value, int fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= MAX_THREADS) {
                return n;
            }
        } catch (NumberFormatException notAnInteger) {
            // reported below with the accepted range
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be an integer between 1 and " + MAX_THREADS
                + ", got '" + value + "'");
    }

    /**
     * Runs {@code body} over {@code [0, n)} in contiguous chunks of at least {@code minChunk}
     * indices, one chunk per thread at most ({@link #chunkCount}). A range below two chunks, or a
     * loop called from a pool worker or from a chunk (a nested loop must not wait on the threads
     * it occupies), runs inline at once. Any other loop takes a slot for its caller, waiting while
     * {@link #threads()} threads run loops JVM-wide, and borrows workers for the free slots only;
     * the caller claims whatever chunks no worker takes. Exceptions thrown by the body propagate
     * to the caller after every chunk has finished.
     */
    public static void forRange(int n, int minChunk, Range body) {
        if (n < 2 * Math.max(1, minChunk) || inLoop()) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        int chunks = chunkCount(n, minChunk);
        Job job = new Job(body, n, chunks);
        Slots.take();
        int helpers = chunks > 1 ? Slots.lend(chunks - 1) : 0;
        try {
            Team workers = helpers > 0 ? pool() : null;
            for (int h = 0; h < helpers; h++) {
                try {
                    workers.execute(job::work);
                } catch (RejectedExecutionException e) {
                    break; // a pool retired by setThreads: the caller claims the remaining chunks itself
                }
            }
            ScopedValue.where(IN_LOOP, Boolean.TRUE).run(job::callerWork);
            job.await();
        } finally {
            Slots.release(1 + helpers);
        }
        job.rethrow();
    }

    /**
     * One parallel loop. The caller runs chunk 0, then it and the workers claim the others from a
     * shared counter, so a worker that wakes late finds nothing left instead of making the caller
     * wait for it: waking a parked worker costs tens of microseconds on a busy VM, and the caller
     * would otherwise pay that on every call. Chunk 0 is the caller's because a spinning worker
     * would otherwise win it about half the time: with 2 threads, the same half of consecutive
     * ops (a layer's GEMM, its weight's optimizer update, the next forward pass) then stays on one
     * core, whose cache holds it (the MLP's 2-thread step: 0-4% faster, in-JVM A/B). Which
     * thread runs a chunk never changes the chunk's bounds.
     */
    private static final class Job {
        private static final int SPINS = 1 << 12;
        private final Range body;
        private final int n;
        private final int chunks;
        // Chunk 0 is the caller's: the counter hands out chunks from 1.
        private final AtomicInteger next = new AtomicInteger(1);
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

        void callerWork() {
            run(0);
            work();
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                run(c);
            }
        }

        private void run(int c) {
            try {
                body.run(bound(n, chunks, c), bound(n, chunks, c + 1));
            } catch (RuntimeException | Error e) {
                thrown[c] = e;
            }
            if (unfinished.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
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

    /**
     * How many chunks {@link #forRange} would use for this range on this thread (1 = inline):
     * fixed by the range, {@code minChunk} and {@link #callerThreads()}, whatever the load.
     */
    public static int chunkCount(int n, int minChunk) {
        if (n < 2 * Math.max(1, minChunk)) {
            return 1;
        }
        int t = callerThreads();
        if (t <= 1) {
            return 1;
        }
        return (int) Math.min(t, n / Math.max(1, minChunk));
    }

    // Chunk c starts at floor(c·n / chunks): sizes differ by at most one.
    private static int bound(int n, int chunks, int c) {
        return (int) ((long) n * c / chunks);
    }

    private static boolean inLoop() {
        return Thread.currentThread() instanceof Team.Worker || IN_LOOP.isBound();
    }

    private static Team pool() {
        Team p = pool;
        if (p != null) {
            return p;
        }
        synchronized (LOCK) {
            if (pool == null) {
                pool = new Team(threads - 1);
            }
            return pool;
        }
    }
}
