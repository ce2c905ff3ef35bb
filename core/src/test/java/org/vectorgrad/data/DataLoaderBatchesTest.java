package org.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

class DataLoaderBatchesTest {
    /** Epoch orders from PyTorch: torch.randperm(n, generator=Generator().manual_seed(seed + k)). */
    private static int[] pytorchOrder(int n, long seed, int k) {
        String prefix = "epoch\t" + n + "\t" + seed + "\t" + k + "\t";
        String line = Fixtures.dataLines("/fixtures/data.txt").stream().filter(l -> l.startsWith(prefix))
                .findFirst().orElseThrow();
        return Arrays.stream(line.substring(prefix.length()).split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    /** One epoch: the batches' sample indices concatenated, after checking each batch's size. */
    private static int[] epoch(Iterator<Tensor[]> batches, int batchSize, int n) {
        List<Integer> order = new ArrayList<>();
        int seen = 0;
        while (batches.hasNext()) {
            Tensor[] batch = batches.next();
            int expected = Math.min(batchSize, n - seen);
            assertEquals(expected, batch[0].shape()[0]);
            assertEquals(expected, batch[1].shape()[0]);
            for (int id : TensorDatasetTest.samples(batch)) {
                order.add(id);
            }
            seen += expected;
        }
        assertEquals(n, seen);
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void everyIterationIsTheNextEpochSeededWithSeedPlusK() {
        Iterable<Tensor[]> loader = DataLoader.batches(TensorDatasetTest.numbered(23, 4), 5, true, 7);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(pytorchOrder(23, 7, k), epoch(loader.iterator(), 5, 23), "epoch " + k);
        }
        Iterable<Tensor[]> again = DataLoader.batches(TensorDatasetTest.numbered(23, 4), 5, true, 7);
        for (int e = 0; e < 2; e++) {
            // Each for-each loop asks for a new iterator: the second loop is epoch 1.
            List<Integer> order = new ArrayList<>();
            for (Tensor[] batch : again) {
                Arrays.stream(TensorDatasetTest.samples(batch)).forEach(order::add);
            }
            assertEquals(Arrays.stream(pytorchOrder(23, 7, e)).boxed().toList(), order, "for-each epoch " + e);
        }
    }

    @Test
    void unshuffledBatchesKeepTheOrderAndTheLastPartialBatch() {
        Iterable<Tensor[]> loader = DataLoader.batches(TensorDatasetTest.numbered(10, 2), 4, false, 99);
        int[] identity = IntStream.range(0, 10).toArray();
        assertArrayEquals(identity, epoch(loader.iterator(), 4, 10));
        assertArrayEquals(identity, epoch(loader.iterator(), 4, 10));
        Iterator<Tensor[]> single = DataLoader.batches(TensorDatasetTest.numbered(3, 2), 8, true, 0).iterator();
        assertEquals(3, single.next()[0].shape()[0]);
        assertFalse(single.hasNext());
        assertThrows(NoSuchElementException.class, single::next);
        assertFalse(DataLoader.batches(new TensorDataset(Tensor.zeros(0, 3)), 2, true, 0).iterator().hasNext());
    }

    @Test
    void theImageLoaderSharesTheOrdering() {
        ImageDataset images = new ImageDataset("blank", new byte[23], new byte[23], 23, 1, 1, 1);
        DataLoader loader = new DataLoader(images, 5, true, 7, DataLoader.InputShape.FLAT, 0f, 1f);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(pytorchOrder(23, 7, k), loader.order(k));
        }
        assertArrayEquals(pytorchOrder(10, 0, 1), Batching.order(10, true, 0, 1));
    }

    @Test
    void badArgumentsAreNamed() {
        TensorDataset data = TensorDatasetTest.numbered(3, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.batches(data, 0, true, 0));
        assertEquals("batch size should be a positive integer, but got batchSize=0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DataLoader.batches(null, 2, true, 0));
        assertTrue(e.getMessage().contains("data"), e.getMessage());
    }
}
