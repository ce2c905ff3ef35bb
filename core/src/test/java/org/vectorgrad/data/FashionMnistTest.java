package org.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.data.IdxFiles.gzip;
import static org.vectorgrad.data.IdxFiles.idx;
import static org.vectorgrad.data.IdxFiles.write;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void loadsASplitAndChecksLabels() throws IOException {
        IdxFiles.fashionDir(dir, "t10k", 13);
        ImageDataset test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        assertEquals(13, test.count());
        assertEquals(784, test.imageSize());
        assertEquals(7, test.label(7));
        assertEquals((byte) 7 * 12, test.pixels()[12 * 784 + 500]);
        assertEquals(5, test.head(5).count());
        assertEquals(List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte"), FashionMnist.missingFiles(dir));
        assertFalse(FashionMnist.isPresent(dir));
    }

    @Test
    void missingFileIsNamed() throws IOException {
        IdxFiles.fashionDir(dir, "t10k", 2);
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN));
        assertTrue(e.getFile().endsWith("train-images-idx3-ubyte.gz"), e.getFile());
    }

    @Test
    void labelCountMustMatchImages() throws IOException {
        IdxFiles.fashionDir(dir, "t10k", 4);
        Path labels = write(dir, "t10k-labels-idx1-ubyte.gz", gzip(idx(new byte[3], 3)));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertEquals(labels, e.file());
        assertTrue(e.getMessage().contains("expected sizes [4]"), e.getMessage());
    }

    @Test
    void outOfRangeLabelNamesItsOffset() throws IOException {
        IdxFiles.fashionDir(dir, "t10k", 4);
        write(dir, "t10k-labels-idx1-ubyte.gz", gzip(idx(new byte[] {1, 2, 10, 3}, 4)));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertEquals(8 + 2, e.offset());
        assertTrue(e.getMessage().contains("label 10 of image 2"), e.getMessage());
    }

    @Test
    void imagesMustBe28By28() throws IOException {
        IdxFiles.fashionDir(dir, "t10k", 2);
        write(dir, "t10k-images-idx3-ubyte.gz", gzip(idx(new byte[2 * 27 * 28], 2, 27, 28)));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(e.getMessage().contains("expected sizes [N, 28, 28]"), e.getMessage());
    }

    /** The normalisation constants are the real training set's pixel statistics. */
    @Test
    void installedDatasetHasTheDocumentedSizesAndStatistics() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR), "dataset-fashion-mnist not installed");
        ImageDataset train = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TRAIN);
        ImageDataset test = FashionMnist.load(FashionMnist.DEBIAN_DIR, FashionMnist.Split.TEST);
        assertEquals(60_000, train.count());
        assertEquals(10_000, test.count());
        double sum = 0;
        double squares = 0;
        for (byte b : train.pixels()) {
            double v = (b & 0xff) / 255.0;
            sum += v;
            squares += v * v;
        }
        double n = train.pixels().length;
        double mean = sum / n;
        double std = Math.sqrt(squares / n - mean * mean);
        assertEquals(FashionMnist.MEAN, mean, 5e-5);
        assertEquals(FashionMnist.STD, std, 5e-5);
        int[] perClass = new int[10];
        for (int i = 0; i < train.count(); i++) {
            perClass[train.label(i)]++;
        }
        for (int count : perClass) {
            assertEquals(6000, count);
        }
    }
}
