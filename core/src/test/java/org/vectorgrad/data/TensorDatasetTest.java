package org.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Autograd;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;

class TensorDatasetTest {
    /** Row i of the features holds 100 i + j in column j; the labels are i, so every row names its sample. */
    static TensorDataset numbered(int n, int columns) {
        float[] features = new float[n * columns];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i;
            for (int j = 0; j < columns; j++) {
                features[i * columns + j] = 100f * i + j;
            }
        }
        return new TensorDataset(Tensor.fromArray(features, n, columns), Tensor.fromArray(labels, n));
    }

    /** The sample indices a batch holds, read from the label tensor, after checking the features agree. */
    static int[] samples(Tensor[] batch) {
        int[] ids = Arrays.stream(toInts(batch[1])).toArray();
        int columns = batch[0].shape()[1];
        float[] features = batch[0].toArray();
        for (int b = 0; b < ids.length; b++) {
            for (int j = 0; j < columns; j++) {
                if (features[b * columns + j] != 100f * ids[b] + j) {
                    fail("row " + b + " column " + j + " holds " + features[b * columns + j] + " for sample " + ids[b]);
                }
            }
        }
        return ids;
    }

    private static int[] toInts(Tensor t) {
        float[] values = t.toArray();
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            ints[i] = (int) values[i];
        }
        return ints;
    }

    @Test
    void getGathersRowsInTheGivenOrderIntoNewTensors() {
        TensorDataset data = numbered(9, 3);
        int[] indices = {4, 5, 6, 0, 8, 8, 1};
        Tensor[] batch = data.get(indices);
        assertEquals(2, batch.length);
        assertArrayEquals(new int[] {7, 3}, batch[0].shape());
        assertArrayEquals(new int[] {7}, batch[1].shape());
        assertArrayEquals(indices, samples(batch));
        assertTrue(batch[0].isContiguous());
        assertArrayEquals(new int[] {0, 3}, data.get(new int[0])[0].shape());
        assertEquals(9, data.size());
    }

    @Test
    void higherRankTensorsKeepTheirTrailingShape() {
        Tensor images = Tensor.arange(5 * 2 * 3).reshape(5, 2, 3);
        TensorDataset data = new TensorDataset(images);
        Tensor[] batch = data.get(new int[] {3, 1});
        assertArrayEquals(new int[] {2, 2, 3}, batch[0].shape());
        assertArrayEquals(images.select(0, 3).toArray(), batch[0].select(0, 0).toArray());
        assertArrayEquals(images.select(0, 1).toArray(), batch[0].select(0, 1).toArray());
    }

    @Test
    void holdsADetachedCopyOfNonContiguousInput() {
        Tensor source = Tensor.arange(12).reshape(3, 4).requiresGrad(true);
        TensorDataset data = new TensorDataset(source.t());
        Tensor[] batch = data.get(new int[] {1});
        assertArrayEquals(new float[] {1, 5, 9}, batch[0].toArray());
        assertFalse(batch[0].requiresGrad());
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            source.fill(-1f);
        }
        assertArrayEquals(new float[] {1, 5, 9}, data.get(new int[] {1})[0].toArray(), "a copy taken at construction");
        batch[0].fill(7f);
        assertArrayEquals(new float[] {1, 5, 9}, data.get(new int[] {1})[0].toArray(), "batches are new tensors");
    }

    @Test
    void gathersAPermutationOf200kRowsOf30() {
        int n = 200_000;
        TensorDataset data = numbered(n, 30);
        int[] permutation = new Generator(3).randperm(n);
        assertArrayEquals(permutation, samples(data.get(permutation)));
    }

    @Test
    void badTensorsAndIndicesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, TensorDataset::new);
        assertTrue(e.getMessage().contains("at least one tensor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(5, 3), Tensor.zeros(4)));
        assertEquals("Size mismatch between tensors: first dimensions [5, 4] (shapes [5, 3], [4])", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new TensorDataset(Tensor.zeros(2), Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("tensor 1 is 0-d"), e.getMessage());
        TensorDataset data = numbered(4, 2);
        e = assertThrows(IllegalArgumentException.class, () -> data.get(new int[] {0, 4}));
        assertEquals("index 4 is out of bounds for a dataset of size 4 (at position 1 of the indices)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> data.get(new int[] {-1}));
        assertTrue(e.getMessage().startsWith("index -1 is out of bounds for a dataset of size 4"), e.getMessage());
        for (double bad : new double[] {-0.1, 1.5, Double.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () -> data.randomSplit(bad, 0));
            assertTrue(e.getMessage().contains("not between 0 and 1") && e.getMessage().contains(String.valueOf(bad)),
                    e.getMessage());
        }
    }

    @Test
    void randomSplitMatchesPyTorchsRandomSplit() {
        List<String> lines = Fixtures.dataLines("/fixtures/data.txt").stream()
                .filter(l -> l.startsWith("split\t")).toList();
        assertEquals(12, lines.size());
        for (String line : lines) {
            String[] f = line.split("\t");
            TensorDataset[] parts = numbered(Integer.parseInt(f[1]), 2)
                    .randomSplit(Double.parseDouble(f[2]), Long.parseLong(f[3]));
            assertArrayEquals(indices(f[4]), samples(parts[0].get(all(parts[0]))), line);
            assertArrayEquals(indices(f[5]), samples(parts[1].get(all(parts[1]))), line);
        }
    }

    @Test
    void randomSplitOfLargeDatasetsMatchesPyTorchsCrc() {
        List<String> lines = Fixtures.dataLines("/fixtures/data.txt").stream()
                .filter(l -> l.startsWith("splitcrc\t")).toList();
        assertEquals(2, lines.size());
        for (String line : lines) {
            String[] f = line.split("\t");
            TensorDataset[] parts = new TensorDataset(Tensor.arange(Integer.parseInt(f[1])))
                    .randomSplit(Double.parseDouble(f[2]), Long.parseLong(f[3]));
            assertEquals(Integer.parseInt(f[4]), parts[0].size(), line);
            assertEquals(f[5], crc(toInts(parts[0].get(all(parts[0]))[0])), line);
            assertEquals(f[6], crc(toInts(parts[1].get(all(parts[1]))[0])), line);
        }
    }

    @Test
    void splitLengthsRoundLikePyTorch() {
        assertEquals(3, TensorDataset.firstLength(10, 0.25), "2.5 and 7.5 both floor: the spare goes first");
        assertEquals(3, TensorDataset.firstLength(10, 0.3));
        assertEquals(7, TensorDataset.firstLength(10, 0.7));
        assertEquals(0, TensorDataset.firstLength(10, 0.0));
        assertEquals(10, TensorDataset.firstLength(10, 1.0));
        assertEquals(0, TensorDataset.firstLength(0, 0.5));
        assertEquals(160_001, TensorDataset.firstLength(200_000, 0.8),
                "200000 * (1 - 0.8) is just below 40000: the spare goes first");
    }

    private static int[] all(TensorDataset data) {
        int[] all = new int[data.size()];
        Arrays.setAll(all, i -> i);
        return all;
    }

    private static int[] indices(String field) {
        return field.equals("-") ? new int[0] : Arrays.stream(field.split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static String crc(int[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
