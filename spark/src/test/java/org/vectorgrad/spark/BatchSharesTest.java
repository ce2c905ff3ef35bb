package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Generator;

/** Equal shares: every batch dealt out whole, in order, in parts that differ by at most one sample. */
class BatchSharesTest {

    @Test
    void sharesConcatenateToEveryBatchInOrderAndDifferByAtMostOne() {
        for (int world : new int[] {1, 2, 3, 7}) {
            for (int count : new int[] {0, 1, 5, 64, 600, 601}) {
                int[] order = new Generator(count).randperm(count);
                BatchShares shares = new BatchShares(order, 64, world);
                assertEquals((count + 63) / 64, shares.steps());
                for (int step = 0; step < shares.steps(); step++) {
                    int[] joined = new int[0];
                    int smallest = Integer.MAX_VALUE;
                    int largest = 0;
                    for (int rank = 0; rank < world; rank++) {
                        int[] share = shares.of(step, rank);
                        smallest = Math.min(smallest, share.length);
                        largest = Math.max(largest, share.length);
                        joined = concat(joined, share);
                    }
                    int from = step * 64;
                    assertArrayEquals(Arrays.copyOfRange(order, from, Math.min(count, from + 64)), joined,
                            world + " workers, step " + step);
                    assertTrue(largest - smallest <= 1, "shares of " + smallest + " to " + largest);
                }
            }
        }
    }

    @Test
    void anEpochsSamplesAreItsStepsSharesAndEveryIndexHasOneWorker() {
        int[] order = new Generator(3).randperm(600);
        BatchShares shares = new BatchShares(order, 64, 3);
        int[] worker = shares.workerOfEveryIndex();
        int total = 0;
        for (int rank = 0; rank < 3; rank++) {
            int[] expected = new int[0];
            for (int step = 0; step < shares.steps(); step++) {
                expected = concat(expected, shares.of(step, rank));
            }
            int[] epoch = shares.epochOf(rank);
            assertArrayEquals(expected, epoch);
            for (int index : epoch) {
                assertEquals(rank, worker[index], "sample " + index);
            }
            total += epoch.length;
        }
        assertEquals(600, total);
    }

    @Test
    void aBatchSmallerThanTheWorkersLeavesSomeSharesEmpty() {
        BatchShares shares = new BatchShares(new int[] {4, 2}, 64, 3);
        assertArrayEquals(new int[0], shares.of(0, 0));
        assertArrayEquals(new int[] {4}, shares.of(0, 1));
        assertArrayEquals(new int[] {2}, shares.of(0, 2));
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
