package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int defaultThreads = Parallel.threads();

    @AfterEach
    void restore() {
        Parallel.setThreads(defaultThreads);
    }

    @Test
    void everyIndexIsVisitedExactlyOnceForAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3, 8}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 7, 100, 1001, 65_537}) {
                int[] visits = new int[n];
                Parallel.forRange(n, 10, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        visits[i]++;
                    }
                });
                int[] once = new int[n];
                java.util.Arrays.fill(once, 1);
                assertArrayEquals(once, visits, "threads " + threads + ", n " + n);
            }
        }
    }

    @Test
    void smallRangesRunInlineOnTheCaller() {
        Parallel.setThreads(4);
        Thread caller = Thread.currentThread();
        List<Thread> seen = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(15, 8, (from, to) -> seen.add(Thread.currentThread()));
        assertEquals(List.of(caller), seen);
        assertEquals(1, Parallel.chunkCount(15, 8));
        assertEquals(4, Parallel.chunkCount(1 << 20, 8));
    }

    @Test
    void largeRangesUseThePoolNotTheCommonPool() {
        Parallel.setThreads(2);
        List<String> names = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bothStarted = new CountDownLatch(2);
        // Each chunk waits for the other, so the caller cannot run both: a worker must take one.
        Parallel.forRange(1000, 1, (from, to) -> {
            names.add(Thread.currentThread().getName());
            bothStarted.countDown();
            awaitQuietly(bothStarted);
        });
        assertEquals(2, names.size());
        assertEquals(0, bothStarted.getCount());
        assertEquals(1, names.stream().filter(n -> n.startsWith("vectorgrad-kernel-")).count());
        assertEquals(1, names.stream().filter(n -> n.equals(Thread.currentThread().getName())).count());
    }

    @Test
    void theCallerFinishesTheLoopWhenNoWorkerIsFree() {
        Parallel.setThreads(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch occupied = new CountDownLatch(2);
        AtomicInteger visited = new AtomicInteger();
        // Occupy the only pool worker; a loop from this thread must still complete, on this thread.
        Thread busy = new Thread(() -> Parallel.forRange(2, 1, (from, to) -> {
            occupied.countDown();
            awaitQuietly(release);
        }));
        busy.start();
        awaitQuietly(occupied);
        Parallel.forRange(4000, 1000, (from, to) -> visited.addAndGet(to - from));
        release.countDown();
        assertEquals(4000, visited.get());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void nestedLoopsFromWorkersDoNotDeadlock() {
        Parallel.setThreads(2);
        AtomicInteger total = new AtomicInteger();
        Parallel.forRange(64, 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                Parallel.forRange(1000, 1, (f, t) -> total.addAndGet(t - f));
            }
        });
        assertEquals(64_000, total.get());
    }

    @Test
    void anExceptionInAnyChunkReachesTheCallerAfterAllChunksFinish() {
        Parallel.setThreads(3);
        AtomicInteger finished = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () ->
                Parallel.forRange(300, 1, (from, to) -> {
                    finished.incrementAndGet();
                    if (from > 0) {
                        throw new IllegalStateException("chunk " + from);
                    }
                }));
        assertEquals(3, finished.get());
        assertEquals("chunk 100", e.getMessage().substring(0, 9));
    }

    @Test
    void threadCountMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertEquals("setThreads: thread count must be positive, got 0", e.getMessage());
        assertSame(defaultThreads, Parallel.threads());
    }
}
