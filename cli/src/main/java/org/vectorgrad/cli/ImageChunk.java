package org.vectorgrad.cli;

import java.io.Serializable;
import java.util.Arrays;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.data.ImageDataset;
import org.vectorgrad.spark.SampleBlock;

/**
 * Images {@code first .. first+count-1} of the training set as raw bytes (a quarter of the floats'
 * size): broadcast whole to the executors, where each partition takes its {@link #range} and
 * turns it into a {@link SampleBlock} through the same {@link DataLoader} normalisation and shape
 * as single-process training.
 */
record ImageChunk(long first, byte[] pixels, byte[] labels, int rows, int cols, DataLoader.InputShape shape)
        implements Serializable {

    static ImageChunk of(ImageDataset data, int from, int to, DataLoader.InputShape shape) {
        int size = data.imageSize();
        return new ImageChunk(from, Arrays.copyOfRange(data.pixels(), from * size, to * size),
                Arrays.copyOfRange(data.labels(), from, to), data.rows(), data.cols(), shape);
    }

    /** Images {@code from .. to-1} (global indices) of this chunk. */
    ImageChunk range(int from, int to) {
        int size = rows * cols;
        int at = (int) (from - first);
        return new ImageChunk(from, Arrays.copyOfRange(pixels, at * size, (at + to - from) * size),
                Arrays.copyOfRange(labels, at, at + to - from), rows, cols, shape);
    }

    SampleBlock toBlock() {
        int count = labels.length;
        if (count == 0) {
            int channels = shape == DataLoader.InputShape.IMAGE_RGB ? 3 : 1;
            return new SampleBlock(first, channels * rows * cols, new float[0], new int[0]);
        }
        ImageDataset images = new ImageDataset("chunk", pixels, labels, count, rows, cols, FashionMnist.CLASSES);
        DataLoader.Batch batch = DataLoader.fashionMnist(images, count, false, 0, shape).iterator().next();
        return new SampleBlock(first, batch.inputs().numel() / count, batch.inputs().toArray(), batch.labels());
    }
}
