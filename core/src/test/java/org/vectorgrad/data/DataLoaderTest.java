package org.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** 23 images of 2×3 pixels: image i holds the bytes 10i .. 10i+5; label i mod 4. */
    private static ImageDataset tiny() {
        int count = 23;
        byte[] pixels = new byte[count * 6];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < 6; p++) {
                pixels[i * 6 + p] = (byte) (10 * i + p);
            }
            labels[i] = (byte) (i % 4);
        }
        return new ImageDataset("tiny", pixels, labels, count, 2, 3, 4);
    }

    private static List<DataLoader.Batch> epoch(DataLoader loader, int epoch) {
        List<DataLoader.Batch> batches = new ArrayList<>();
        loader.epoch(epoch).forEachRemaining(batches::add);
        return batches;
    }

    @Test
    void batchesCoverEverySampleOnceWithAPartialLastBatch() {
        DataLoader loader = new DataLoader(tiny(), 5, true, 42, DataLoader.InputShape.FLAT, 0.25f, 0.5f);
        List<DataLoader.Batch> batches = epoch(loader, 3);
        assertEquals(5, loader.batchCount());
        assertEquals(List.of(5, 5, 5, 5, 3), batches.stream().map(DataLoader.Batch::size).toList());
        boolean[] seen = new boolean[23];
        for (DataLoader.Batch batch : batches) {
            assertArrayEquals(new int[] {batch.size(), 6}, batch.inputs().shape());
            float[] values = batch.inputs().toArray();
            for (int b = 0; b < batch.size(); b++) {
                // Undo the normalisation in double: the first pixel is 10 × the sample index.
                int sample = (int) Math.round(((values[b * 6] * 0.5 + 0.25) * 255) / 10);
                assertFalse(seen[sample], "sample " + sample + " twice");
                seen[sample] = true;
                assertEquals(sample % 4, batch.labels()[b]);
                for (int p = 0; p < 6; p++) {
                    assertEquals(((10 * sample + p) / 255.0 - 0.25) / 0.5, values[b * 6 + p], 1e-6);
                }
            }
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
    }

    @Test
    void shuffleIsSeededPerEpoch() {
        DataLoader a = new DataLoader(tiny(), 4, true, 7, DataLoader.InputShape.FLAT, 0f, 1f);
        DataLoader b = new DataLoader(tiny(), 4, true, 7, DataLoader.InputShape.FLAT, 0f, 1f);
        assertArrayEquals(a.order(2), b.order(2));
        assertFalse(Arrays.equals(a.order(1), a.order(2)));
        assertArrayEquals(a.order(3), new DataLoader(tiny(), 4, true, 6, DataLoader.InputShape.FLAT, 0f, 1f).order(4),
                "epoch e of seed s is seeded with s + e");
        int[] sorted = a.order(5).clone();
        Arrays.sort(sorted);
        assertArrayEquals(new DataLoader(tiny(), 4, false, 7, DataLoader.InputShape.FLAT, 0f, 1f).order(5), sorted);
        assertNotEquals(a.order(0)[0] + "," + a.order(0)[1], "0,1");
    }

    @Test
    void imageShapesAndRgbRepeatTheChannel() {
        ImageDataset data = tiny();
        DataLoader.Batch gray = new DataLoader(data, 8, false, 0, DataLoader.InputShape.IMAGE, 0f, 1f).iterator().next();
        assertArrayEquals(new int[] {8, 1, 2, 3}, gray.inputs().shape());
        DataLoader.Batch rgb = new DataLoader(data, 8, false, 0, DataLoader.InputShape.IMAGE_RGB, 0f, 1f).iterator().next();
        assertArrayEquals(new int[] {8, 3, 2, 3}, rgb.inputs().shape());
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(gray.inputs().select(1, 0).toArray(), rgb.inputs().select(1, c).toArray());
        }
        assertEquals(20 / 255f, gray.inputs().get(2, 0, 0, 0), 1e-7);
    }

    @Test
    void iteratorEndsAndBadArgumentsAreNamed() {
        Iterator<DataLoader.Batch> it = new DataLoader(tiny().head(3), 3, false, 0, DataLoader.InputShape.FLAT, 0f, 1f).iterator();
        it.next();
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(tiny(), 0, false, 0, DataLoader.InputShape.FLAT, 0f, 1f));
        assertTrue(e.getMessage().contains("batchSize=0"), e.getMessage());
        assertEquals(0, new DataLoader(tiny().head(0), 4, true, 0, DataLoader.InputShape.FLAT, 0f, 1f).batchCount());
    }
}
