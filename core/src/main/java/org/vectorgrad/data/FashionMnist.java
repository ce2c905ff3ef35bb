package org.vectorgrad.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28×28 pixels in 10 classes,
 * stored as four IDX files, gzip-compressed or not (Debian's {@code dataset-fashion-mnist}
 * installs them under {@link #DEBIAN_DIR}).
 */
public final class FashionMnist {
    /** Where Debian's package puts the files. */
    public static final String DEBIAN_LOCATION = "/usr/share/datasets/fashion-mnist";
    public static final Path DEBIAN_DIR = Path.of(DEBIAN_LOCATION);
    public static final int CLASSES = 10;
    public static final int SIDE = 28;
    /** Pixel mean and standard deviation of the training set, after scaling to [0, 1]. */
    public static final float MEAN = 0.2860f;
    public static final float STD = 0.3530f;

    /** The two halves of the dataset and their file-name prefixes. */
    public enum Split {
        TRAIN("train"), TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }

        String imagesName() {
            return prefix + "-images-idx3-ubyte";
        }

        String labelsName() {
            return prefix + "-labels-idx1-ubyte";
        }
    }

    private FashionMnist() {
    }

    /** Loads one split from {@code dir}, checking the files against each other and the format. */
    public static ImageDataset load(Path dir, Split split) throws IOException {
        IdxReader.IdxArray images = IdxReader.read(locate(dir, split.imagesName()));
        IdxReader.IdxArray labels = IdxReader.read(locate(dir, split.labelsName()));
        int[] imageDims = images.dims();
        if (imageDims.length != 3 || imageDims[1] != SIDE || imageDims[2] != SIDE) {
            throw new IdxFormatException(images.file(), 3, "expected sizes [N, 28, 28] for Fashion-MNIST images, got "
                    + Arrays.toString(imageDims));
        }
        int[] labelDims = labels.dims();
        if (labelDims.length != 1 || labelDims[0] != imageDims[0]) {
            throw new IdxFormatException(labels.file(), 3, "expected sizes [" + imageDims[0] + "] (one label per image in "
                    + images.file().getFileName() + "), got " + Arrays.toString(labelDims));
        }
        byte[] labelBytes = labels.data();
        for (int i = 0; i < labelBytes.length; i++) {
            if ((labelBytes[i] & 0xff) >= CLASSES) {
                throw new IdxFormatException(labels.file(), 8L + i, "label " + (labelBytes[i] & 0xff) + " of image " + i
                        + " is not a class in 0.." + (CLASSES - 1));
            }
        }
        return new ImageDataset("fashion-mnist/" + split.name().toLowerCase(Locale.ROOT),
                images.data(), labelBytes, imageDims[0], SIDE, SIDE, CLASSES);
    }

    /** Whether {@code dir} holds all four files (compressed or not). */
    public static boolean isPresent(Path dir) {
        return missingFiles(dir).isEmpty();
    }

    /** The file names (without {@code .gz}) that {@code dir} lacks. */
    public static List<String> missingFiles(Path dir) {
        List<String> missing = new ArrayList<>();
        for (Split split : Split.values()) {
            for (String name : List.of(split.imagesName(), split.labelsName())) {
                if (find(dir, name) == null) {
                    missing.add(name);
                }
            }
        }
        return missing;
    }

    private static Path locate(Path dir, String name) throws NoSuchFileException {
        Path file = find(dir, name);
        if (file == null) {
            throw new NoSuchFileException(dir.resolve(name + ".gz").toString(), null,
                    "Fashion-MNIST file missing (neither " + name + ".gz nor " + name + " is in " + dir + ")");
        }
        return file;
    }

    private static Path find(Path dir, String name) {
        for (Path candidate : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
