package org.vectorgrad.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds IDX files byte by byte, from the format's description, for the data tests. */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** The IDX bytes of an unsigned-byte array with the given sizes. */
    public static byte[] idx(byte[] data, int... dims) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buffer.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            buffer.putInt(d);
        }
        return buffer.put(data).array();
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    /** Bytes 0, 1, 2, ... wrapping at 256. */
    public static byte[] ramp(int n) {
        byte[] data = new byte[n];
        for (int i = 0; i < n; i++) {
            data[i] = (byte) i;
        }
        return data;
    }

    /** A Fashion-MNIST directory of {@code count} images: image i's pixels are all (7i mod 256), label i mod 10. */
    public static void fashionDir(Path dir, String prefix, int count) throws IOException {
        byte[] pixels = new byte[count * 784];
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            java.util.Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) (7 * i));
            labels[i] = (byte) (i % 10);
        }
        write(dir, prefix + "-images-idx3-ubyte.gz", gzip(idx(pixels, count, 28, 28)));
        write(dir, prefix + "-labels-idx1-ubyte.gz", gzip(idx(labels, count)));
    }
}
