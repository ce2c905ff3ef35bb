package org.vectorgrad.simd;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The kernel threads of {@link Parallel}: a fixed team of daemon workers that take tasks from one
 * queue. A worker that runs out of tasks keeps polling for {@link #SPIN_NANOS} before it parks
 * (OpenMP's active wait): a training step calls one parallel GEMM after another with tens of
 * microseconds of inline work between them, and waking a parked thread costs 30-60 µs on a busy
 * VM, as much as a small GEMM's share of work. A spinning worker holds no {@link Slots} slot; it
 * parks early when every slot is held, so concurrent callers that use the whole budget do not
 * share their cores with it.
 */
final class Team {
    /** How long an idle worker polls before parking; beyond a step's gaps, far below a human's notice. */
    static final long SPIN_NANOS = 200_000;
    /** How long an idle worker spins at least, while its last loop's caller gives back the slots. */
    private static final long GRACE_NANOS = 20_000;

    private static final int BUSY = 0;
    private static final int SPINNING = 1;
    private static final int PARKED = 2;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Worker[] workers;
    private volatile boolean shutdown;

    Team(int size) {
        workers = new Worker[size];
        for (int i = 0; i < size; i++) {
            workers[i] = new Worker(this);
        }
        for (Worker w : workers) {
            w.start();
        }
    }

    /** Queues a task for a spinning worker, else a parked one; fails once {@link #shutdown} was called. */
    void execute(Runnable task) {
        if (shutdown) {
            throw new RejectedExecutionException("kernel team retired by setThreads");
        }
        tasks.add(task);
        // A spinning worker is claimed before a parked one is woken: a second thread woken for
        // nothing would spin on a core the caller needs. A claimed worker polls the queue next.
        for (Worker w : workers) {
            if (w.state.compareAndSet(SPINNING, BUSY)) {
                return;
            }
        }
        for (Worker w : workers) {
            if (w.state.compareAndSet(PARKED, BUSY)) {
                LockSupport.unpark(w);
                return;
            }
        }
    }

    /** Lets the workers finish the queued tasks, then stop. */
    void shutdown() {
        shutdown = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    /** A daemon worker with a recognisable name, so thread dumps show whose threads these are. */
    static final class Worker extends Thread {
        private static final AtomicInteger COUNT = new AtomicInteger();
        private final Team team;
        private final AtomicInteger state = new AtomicInteger(BUSY);

        Worker(Team team) {
            super("vectorgrad-kernel-" + COUNT.incrementAndGet());
            this.team = team;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (true) {
                Runnable task = team.tasks.poll();
                if (task != null) {
                    runQuietly(task);
                } else if (team.shutdown) {
                    return;
                } else {
                    idle();
                }
            }
        }

        // Tasks record their own exceptions (Parallel's Job); anything else must not kill the worker.
        private static void runQuietly(Runnable task) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }

        // Polls for SPIN_NANOS, then parks until execute claims it or shutdown. NOTE: the queue
        // is re-checked after every state change, and execute adds before it claims, so a task
        // is never left behind by a worker going to sleep.
        private void idle() {
            state.set(SPINNING);
            long start = System.nanoTime();
            while (state.get() == SPINNING && team.tasks.isEmpty() && !team.shutdown) {
                if (spinLongEnough(System.nanoTime() - start) && state.compareAndSet(SPINNING, PARKED)) {
                    sleep();
                    break;
                }
                Thread.onSpinWait();
            }
            state.set(BUSY);
        }

        // Past the spin time; or, after a short grace (the caller that lent us is releasing its
        // slots), while every slot is held: no loop can borrow us then, and the core we would burn
        // belongs to the callers that hold the JVM-wide budget (8 concurrent callers, say).
        private static boolean spinLongEnough(long spun) {
            return spun > SPIN_NANOS || spun > GRACE_NANOS && Slots.held() >= Parallel.threads();
        }

        private void sleep() {
            while (state.get() == PARKED && team.tasks.isEmpty() && !team.shutdown) {
                LockSupport.park(this);
            }
        }
    }
}
