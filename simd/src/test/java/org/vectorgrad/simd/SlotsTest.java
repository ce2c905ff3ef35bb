package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Admission control of {@link Parallel#forRange}: at most {@link Parallel#threads()} threads run
 * large loops at once JVM-wide; a caller waits for its own slot, borrows only free ones, and runs
 * the same chunks whoever helps.
 */
class SlotsTest {
    private static final long TIMEOUT_SECONDS = 30;
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(defaultThreads);
        assertEquals(0, Slots.held(), "every loop gives its slots back");
    }

    /** A loop on its own thread in {@code slots} chunks, all running at once until {@link #release}. */
    private static final class Occupier {
        final CountDownLatch started;
        final CountDownLatch release = new CountDownLatch(1);
        final Thread thread;

        Occupier(int slots) {
            started = new CountDownLatch(slots);
            thread = new Thread(() -> Parallel.withThreads(slots, () -> Parallel.forRange(Math.max(2, slots), 1,
                    (from, to) -> {
                        started.countDown();
                        await(release);
                    })));
            thread.start();
            await(started);
            assertEquals(0, started.getCount(), "the occupier's chunks did not all start");
        }

        void release() throws InterruptedException {
            release.countDown();
            thread.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        }
    }

    @Test
    void aCallerThatGetsNoWorkerRunsTheSameChunksItself() throws Exception {
        Parallel.setThreads(3);
        List<String> alone = chunks(Parallel::forRange);
        Occupier occupier = new Occupier(2); // its caller and one worker: one slot left
        Thread caller = Thread.currentThread();
        List<Thread> runners = Collections.synchronizedList(new ArrayList<>());
        List<String> crowded;
        try {
            crowded = chunks((n, minChunk, body) -> Parallel.forRange(n, minChunk, (from, to) -> {
                runners.add(Thread.currentThread());
                body.run(from, to);
            }));
        } finally {
            occupier.release();
        }
        assertEquals(List.of(caller, caller, caller), runners);
        assertEquals(alone, crowded);
    }

    private interface Loop {
        void run(int n, int minChunk, Parallel.Range body);
    }

    // The chunks of a 3000-index loop (three at three threads), sorted.
    private static List<String> chunks(Loop loop) {
        List<String> chunks = Collections.synchronizedList(new ArrayList<>());
        loop.run(3000, 1000, (from, to) -> chunks.add(from + ".." + to));
        Collections.sort(chunks);
        return List.copyOf(chunks);
    }

    @Test
    void aCallerWaitsForASlotWhileEveryThreadRunsALoop() throws Exception {
        Parallel.setThreads(2);
        Occupier occupier = new Occupier(2);
        AtomicInteger visited = new AtomicInteger();
        Thread waiting = new Thread(() -> Parallel.forRange(4000, 1000, (from, to) -> visited.addAndGet(to - from)));
        try {
            waiting.start();
            awaitState(waiting, Thread.State.WAITING);
            assertEquals(0, visited.get());
        } finally {
            occupier.release();
        }
        waiting.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
        assertEquals(4000, visited.get());
    }

    @Test
    void raisingTheThreadCountLetsWaitingCallersIn() throws Exception {
        Parallel.setThreads(1);
        Occupier occupier = new Occupier(1);
        AtomicInteger visited = new AtomicInteger();
        Thread waiting = new Thread(() -> Parallel.forRange(4000, 1000, (from, to) -> visited.addAndGet(to - from)));
        try {
            waiting.start();
            awaitState(waiting, Thread.State.WAITING);
            Parallel.setThreads(2);
            waiting.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
            assertEquals(4000, visited.get(), "finished while the occupier still holds its slot");
        } finally {
            occupier.release();
        }
    }

    @Test
    void manyCallersNeverRunMoreLoopThreadsThanTheThreadCount() throws Exception {
        Parallel.setThreads(2);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger visited = new AtomicInteger();
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int cap = t % 2 == 0 ? 1 : 8; // capped callers take a slot too
                done.add(callers.submit(() -> Parallel.withThreads(cap, () -> {
                    for (int rep = 0; rep < 20; rep++) {
                        Parallel.forRange(400, 100, (from, to) -> {
                            most.accumulateAndGet(running.incrementAndGet(), Math::max);
                            sleepQuietly();
                            visited.addAndGet(to - from);
                            running.decrementAndGet();
                        });
                    }
                })));
            }
            for (Future<?> d : done) {
                d.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
        assertEquals(8 * 20 * 400, visited.get());
        assertTrue(most.get() <= 2, "at most 2 threads in loops at once, saw " + most.get());
    }

    private static void awaitState(Thread thread, Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (thread.getState() != state && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertEquals(state, thread.getState());
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
