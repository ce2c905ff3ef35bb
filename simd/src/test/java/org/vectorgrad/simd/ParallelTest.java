package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
    void theCallerRunsTheFirstChunkEvenWhenAWorkerIsIdle() {
        for (int threads : new int[] {2, 3, 8}) {
            Parallel.setThreads(threads);
            Thread caller = Thread.currentThread();
            // Back to back, so the workers spin and could claim any chunk the moment it is queued.
            for (int loop = 0; loop < 300; loop++) {
                Thread[] firstChunk = new Thread[1];
                Parallel.forRange(1000, 1, (from, to) -> {
                    if (from == 0) {
                        firstChunk[0] = Thread.currentThread();
                    }
                    busyFor(20_000);
                });
                assertSame(caller, firstChunk[0], "threads " + threads + ", loop " + loop);
            }
        }
    }

    private static void busyFor(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < nanos) {
            Thread.onSpinWait();
        }
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
    void workersOfARetiredTeamStopAndTheNewTeamServesLaterLoops() throws Exception {
        Parallel.setThreads(2);
        Thread worker = workerOfOneLoop();
        Parallel.setThreads(3);
        worker.join(TimeUnit.SECONDS.toMillis(10)); // parked or spinning, it must notice the shutdown
        assertTrue(!worker.isAlive(), "a worker of the retired team still runs: " + worker.getName());
        Parallel.setThreads(2);
        Thread next = workerOfOneLoop();
        assertTrue(next != worker && next.isAlive());
    }

    @Test
    void aWorkerStaysUsableAfterAChunkThrowsAndAfterParking() throws Exception {
        Parallel.setThreads(2);
        assertThrows(IllegalStateException.class, () -> Parallel.forRange(1000, 1, (from, to) -> {
            throw new IllegalStateException("chunk " + from);
        }));
        Thread first = workerOfOneLoop();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Team.SPIN_NANOS) * 5 + 20); // past the spin: parked
        assertSame(first, workerOfOneLoop(), "threads - 1 = one worker, woken from its park");
    }

    // The worker that took one chunk of a two-chunk loop (each chunk waits for the other).
    private static Thread workerOfOneLoop() {
        List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch bothStarted = new CountDownLatch(2);
        Parallel.forRange(1000, 1, (from, to) -> {
            threads.add(Thread.currentThread());
            bothStarted.countDown();
            awaitQuietly(bothStarted);
        });
        assertEquals(0, bothStarted.getCount());
        return threads.stream().filter(t -> t != Thread.currentThread()).findFirst().orElseThrow();
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
    void threadCountsOutsideOneToTheLimitAreRejectedWithTheValueAndTheLimit() {
        for (int bad : new int[] {0, -1, Parallel.MAX_THREADS + 1, 40_000}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(bad));
            assertEquals("setThreads: thread count must be between 1 and 1024, got " + bad, e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Parallel.withThreads(bad, () -> { }));
            assertEquals("withThreads: thread count must be between 1 and 1024, got " + bad, e.getMessage());
        }
        assertSame(defaultThreads, Parallel.threads());
        Parallel.setThreads(Parallel.MAX_THREADS); // the pool starts threads only when loops need them
        assertEquals(Parallel.MAX_THREADS, Parallel.threads());
    }

    @Test
    void withThreadsNestsAndRestoresTheOuterCap() {
        Parallel.setThreads(8);
        assertEquals(8, Parallel.callerThreads());
        Parallel.withThreads(3, () -> {
            assertEquals(3, Parallel.callerThreads());
            assertEquals(2, Parallel.withThreads(2, Parallel::callerThreads));
            assertEquals(8, Parallel.withThreads(100, Parallel::callerThreads), "above the pool means the pool");
            assertEquals(3, Parallel.callerThreads());
            assertEquals(3, Parallel.chunkCount(1 << 20, 1));
        });
        assertEquals(8, Parallel.callerThreads());
    }

    @Test
    void withThreadsRestoresTheCapWhenTheWorkThrows() {
        Parallel.setThreads(8);
        Parallel.withThreads(5, () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.withThreads(1, () -> {
                assertEquals(1, Parallel.callerThreads());
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom", e.getMessage());
            assertEquals(5, Parallel.callerThreads());
        });
        assertEquals(8, Parallel.callerThreads());
    }

    @Test
    void withThreadsAffectsOnlyTheCallingThread() throws Exception {
        Parallel.setThreads(4);
        CountDownLatch capped = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        AtomicInteger seenByOther = new AtomicInteger();
        Thread other = new Thread(() -> {
            awaitQuietly(capped);
            seenByOther.set(Parallel.callerThreads());
            checked.countDown();
        });
        other.start();
        Parallel.withThreads(1, () -> {
            capped.countDown();
            awaitQuietly(checked);
            assertEquals(1, Parallel.callerThreads());
        });
        other.join();
        assertEquals(4, seenByOther.get());
    }

    @Test
    void aCapOfOneRunsEveryLoopOnTheCaller() {
        Parallel.setThreads(4);
        Thread caller = Thread.currentThread();
        List<Thread> seen = Collections.synchronizedList(new ArrayList<>());
        Parallel.withThreads(1, () -> Parallel.forRange(1 << 20, 1, (from, to) -> seen.add(Thread.currentThread())));
        assertEquals(List.of(caller), seen);
    }

    @Test
    void nestedLoopsOnTheCallersOwnChunkRunInline() {
        Parallel.setThreads(2);
        List<Integer> nested = Collections.synchronizedList(new ArrayList<>());
        Parallel.forRange(2, 1, (from, to) -> nested.add(Parallel.chunkCount(1 << 20, 1)));
        assertEquals(List.of(1, 1), nested);
    }

    @Test
    void theSystemPropertyIsAnIntegerFromOneToTheLimit() {
        assertEquals(6, Parallel.parseThreads(null, 6));
        assertEquals(3, Parallel.parseThreads("3", 6));
        assertEquals(4, Parallel.parseThreads(" 4 ", 6));
        assertEquals(1024, Parallel.parseThreads("1024", 6));
        for (String bad : new String[] {"", "0", "-2", "1025", "40000", "4x", "2.5", "99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.parseThreads(bad, 6));
            assertEquals("-Dvectorgrad.threads must be an integer between 1 and 1024, got '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void theSystemPropertySetsThePoolSizeOfAFreshJvm() throws Exception {
        assertEquals("3", runWithProperty("3").strip());
        String failure = runWithProperty("many");
        assertTrue(failure.contains("-Dvectorgrad.threads must be an integer between 1 and 1024, got 'many'"), failure);
    }

    // Prints Parallel.threads() of a JVM started with -Dvectorgrad.threads=value, or its error output.
    private static String runWithProperty(String value) throws Exception {
        String classPath = System.getProperty("java.class.path");
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            classPath = classPath.isEmpty() ? modulePath : classPath + File.pathSeparator + modulePath;
        }
        Process java = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + Parallel.PROPERTY + "=" + value, "-cp", classPath, PrintThreads.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(java.waitFor(60, TimeUnit.SECONDS), "forked JVM did not finish: " + output);
        return output;
    }

    /** The forked JVM's program. */
    static final class PrintThreads {
        public static void main(String[] args) {
            System.out.println(Parallel.threads());
        }
    }
}
