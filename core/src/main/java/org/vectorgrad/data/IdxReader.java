package org.vectorgrad.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format), plain or gzip-compressed: a magic number {@code 00 00 08 n}
 * (unsigned bytes, n dimensions), n big-endian int32 sizes, then the bytes in row-major order.
 * Anything else, including truncated, over-long or corrupt gzip data, is an {@link IdxFormatException}.
 */
public final class IdxReader {
    static final int UNSIGNED_BYTE = 0x08;
    private static final int MAX_DIMS = 8;
    /** The largest Java array (some VMs reserve a few header words). */
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int FIRST_CHUNK = 1 << 16;

    private IdxReader() {
    }

    /** An IDX array of unsigned bytes: its sizes and its content in row-major order. */
    public record IdxArray(Path file, int[] dims, byte[] data) {
        public IdxArray {
            dims = dims.clone();
        }

        @Override
        public int[] dims() {
            return dims.clone();
        }

        @Override
        public String toString() {
            return "IdxArray[" + file + ", dims=" + Arrays.toString(dims) + "]";
        }
    }

    /** Reads {@code file}, decompressing it when it starts with the gzip magic number. */
    public static IdxArray read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such IDX file");
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            return read(file, isGzip(raw) ? gunzip(file, raw) : raw);
        }
    }

    private static boolean isGzip(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    private static InputStream gunzip(Path file, InputStream raw) throws IOException {
        try {
            return new GZIPInputStream(raw, 1 << 16);
        } catch (EOFException | ZipException e) {
            throw new IdxFormatException(file, 0, "corrupt gzip header: " + e.getMessage(), e);
        }
    }

    private static IdxArray read(Path file, InputStream in) throws IOException {
        byte[] magic = readFully(file, in, 0, 4, "the magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IdxFormatException(file, 0, String.format(
                    "not an IDX file: magic number %02x %02x %02x %02x should start with 00 00",
                    magic[0], magic[1], magic[2], magic[3]));
        }
        if ((magic[2] & 0xff) != UNSIGNED_BYTE) {
            throw new IdxFormatException(file, 2, String.format(
                    "IDX element type 0x%02x is not supported, only unsigned bytes (0x08)", magic[2] & 0xff));
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > MAX_DIMS) {
            throw new IdxFormatException(file, 3, "IDX dimension count " + rank + " is not in 1.." + MAX_DIMS);
        }
        int[] dims = readDims(file, in, rank);
        long extent = extent(dims);
        long dataStart = 4L + 4L * rank;
        if (extent > MAX_ELEMENTS) {
            throw new IdxFormatException(file, 4, "IDX sizes " + Arrays.toString(dims) + " multiply to "
                    + (extent == Long.MAX_VALUE ? "more than 2^63" : extent) + " (a size 0 counted as 1), more than"
                    + " the " + MAX_ELEMENTS + " elements one array can hold");
        }
        int size = Arrays.stream(dims).anyMatch(d -> d == 0) ? 0 : (int) extent;
        byte[] data = readFully(file, in, dataStart, size, "the data of sizes " + Arrays.toString(dims));
        if (readOrCorrupt(file, in, dataStart + size) != -1) {
            throw new IdxFormatException(file, dataStart + size, "trailing bytes after the "
                    + size + " data bytes that sizes " + Arrays.toString(dims) + " call for");
        }
        return new IdxArray(file, dims, data);
    }

    /**
     * The product of the sizes with a 0 counted as 1, saturating at Long.MAX_VALUE: eight sizes
     * below 2^31 can overflow a long (65536^4 wrapped to 0, an "empty" array), and sizes such as
     * [65536, 65536, 0] describe no data yet no tensor could hold them either.
     */
    private static long extent(int[] dims) {
        long extent = 1;
        for (int d : dims) {
            extent = d > 1 && extent > Long.MAX_VALUE / d ? Long.MAX_VALUE : extent * Math.max(d, 1);
        }
        return extent;
    }

    private static int[] readDims(Path file, InputStream in, int rank) throws IOException {
        byte[] raw = readFully(file, in, 4, 4 * rank, "the " + rank + " dimension sizes");
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = ((raw[4 * i] & 0xff) << 24) | ((raw[4 * i + 1] & 0xff) << 16)
                    | ((raw[4 * i + 2] & 0xff) << 8) | (raw[4 * i + 3] & 0xff);
            if (dims[i] < 0) {
                throw new IdxFormatException(file, 4L + 4L * i, "negative dimension size " + dims[i]);
            }
        }
        return dims;
    }

    /**
     * Reads exactly {@code n} bytes that start at {@code offset} of the content. The buffer grows
     * with the bytes that arrive, never to {@code n} up front: a header claiming 2 GB in an
     * 8-byte file must end in "truncated", not in an OutOfMemoryError.
     */
    private static byte[] readFully(Path file, InputStream in, long offset, int n, String what) throws IOException {
        byte[] buffer = new byte[Math.min(n, FIRST_CHUNK)];
        int done = 0;
        while (done < n) {
            if (done == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(n, 2L * buffer.length));
            }
            int count;
            try {
                count = in.read(buffer, done, buffer.length - done);
            } catch (EOFException | ZipException e) {
                throw corrupt(file, offset + done, e);
            }
            if (count < 0) {
                throw new IdxFormatException(file, offset + done, "truncated: the file ends after " + done
                        + " of the " + n + " bytes of " + what);
            }
            done += count;
        }
        return buffer;
    }

    private static int readOrCorrupt(Path file, InputStream in, long offset) throws IOException {
        try {
            return in.read();
        } catch (EOFException | ZipException e) {
            throw corrupt(file, offset, e);
        }
    }

    private static IdxFormatException corrupt(Path file, long offset, IOException e) {
        return new IdxFormatException(file, offset, "corrupt or truncated gzip data: " + e.getMessage(), e);
    }
}
