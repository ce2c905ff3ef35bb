package org.vectorgrad.data;

/**
 * Labelled greyscale images held as the raw bytes of the files: {@code count} images of
 * {@code rows × cols} pixels (0..255) in row-major order, and one class label per image.
 */
public record ImageDataset(String name, byte[] pixels, byte[] labels, int count, int rows, int cols, int classes) {
    public ImageDataset {
        if (count < 0 || rows <= 0 || cols <= 0 || classes <= 0) {
            throw new IllegalArgumentException("ImageDataset " + name + ": bad sizes count=" + count + ", rows=" + rows
                    + ", cols=" + cols + ", classes=" + classes);
        }
        if (pixels.length < (long) count * rows * cols || labels.length < count) {
            throw new IllegalArgumentException("ImageDataset " + name + ": " + pixels.length + " pixel bytes and "
                    + labels.length + " labels cannot hold " + count + " images of " + rows + "x" + cols);
        }
    }

    /** Pixels per image. */
    public int imageSize() {
        return rows * cols;
    }

    /** The class of image {@code index}. */
    public int label(int index) {
        return labels[index] & 0xff;
    }

    /** The first {@code limit} images (all of them when {@code limit} is larger), sharing the arrays. */
    public ImageDataset head(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("ImageDataset " + name + ": limit must be >= 0, got " + limit);
        }
        return limit >= count ? this : new ImageDataset(name, pixels, labels, limit, rows, cols, classes);
    }

    @Override
    public String toString() {
        return "ImageDataset[" + name + ", " + count + " images of " + rows + "x" + cols + ", " + classes + " classes]";
    }
}
