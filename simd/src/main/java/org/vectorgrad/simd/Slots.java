package org.vectorgrad.simd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM-wide admission control of {@link Parallel}: a slot is one thread running a large loop's
 * chunks (a caller, or a pool worker lent to it), and at most {@link Parallel#threads()} slots are
 * held at once. A caller waits for its own slot; workers are lent only from free slots, never
 * waited for. A slot holder never needs a second slot (nested loops run inline), so every holder
 * finishes and waiting always ends.
 */
final class Slots {
    private static final AtomicInteger HELD = new AtomicInteger();
    private static final AtomicInteger WAITERS = new AtomicInteger();
    private static final Object FREED = new Object();

    private Slots() {
    }

    /** Takes a slot for the calling thread, waiting while all {@link Parallel#threads()} are held. */
    static void take() {
        while (true) {
            int held = HELD.get();
            if (held < Parallel.threads()) {
                if (HELD.compareAndSet(held, held + 1)) {
                    return;
                }
            } else {
                awaitFree();
            }
        }
    }

    /** Takes up to {@code wanted} more slots, only free ones, for pool workers; returns how many. */
    static int lend(int wanted) {
        while (true) {
            int held = HELD.get();
            int lent = Math.max(0, Math.min(wanted, Parallel.threads() - held));
            if (lent == 0 || HELD.compareAndSet(held, held + lent)) {
                return lent;
            }
        }
    }

    /** Gives back {@code count} slots and wakes the threads waiting for one. */
    static void release(int count) {
        HELD.addAndGet(-count);
        wakeWaiters();
    }

    /** Wakes the waiting threads, e.g. after the limit rose. */
    static void wakeWaiters() {
        // NOTE: a waiter registers before it reads HELD and the limit, and we change them before we
        // read WAITERS; all are volatile, so either it sees the change or we see it and notify.
        if (WAITERS.get() > 0) {
            synchronized (FREED) {
                FREED.notifyAll();
            }
        }
    }

    /** Slots held now (for tests). */
    static int held() {
        return HELD.get();
    }

    // Kernel calls do not throw InterruptedException: an interrupt is kept for the caller to see.
    private static void awaitFree() {
        boolean interrupted = false;
        synchronized (FREED) {
            WAITERS.incrementAndGet();
            try {
                while (HELD.get() >= Parallel.threads()) {
                    try {
                        FREED.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            } finally {
                WAITERS.decrementAndGet();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
