package org.vectorgrad.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vectorgrad.data.IdxFiles.gzip;
import static org.vectorgrad.data.IdxFiles.idx;
import static org.vectorgrad.data.IdxFiles.ramp;
import static org.vectorgrad.data.IdxFiles.write;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        byte[] data = ramp(3 * 5 * 7);
        for (Path file : new Path[] {write(dir, "a-idx3-ubyte", idx(data, 3, 5, 7)),
                                     write(dir, "a-idx3-ubyte.gz", gzip(idx(data, 3, 5, 7)))}) {
            IdxReader.IdxArray array = IdxReader.read(file);
            assertArrayEquals(new int[] {3, 5, 7}, array.dims(), file.toString());
            assertArrayEquals(data, array.data(), file.toString());
        }
    }

    @Test
    void readsEmptyAndOneElementArrays() throws IOException {
        assertEquals(0, IdxReader.read(write(dir, "empty", idx(new byte[0], 0, 28))).data().length);
        assertArrayEquals(new byte[] {(byte) 200}, IdxReader.read(write(dir, "one", idx(new byte[] {(byte) 200}, 1))).data());
    }

    @Test
    void badMagicNamesFileAndOffsetZero() throws IOException {
        byte[] bytes = idx(ramp(4), 4);
        bytes[1] = 0x12;
        Path file = write(dir, "bad-magic", bytes);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().startsWith(file + ": not an IDX file"), e.getMessage());
        assertTrue(e.getMessage().contains("at byte offset 0"), e.getMessage());
    }

    @Test
    void unsupportedElementTypeIsNamed() throws IOException {
        byte[] bytes = idx(ramp(4), 4);
        bytes[2] = 0x0D;
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(write(dir, "floats", bytes)));
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("0x0d is not supported"), e.getMessage());
    }

    @Test
    void truncatedDataGivesTheOffsetWhereItEnds() throws IOException {
        byte[] whole = idx(ramp(100), 10, 10);
        Path plain = write(dir, "cut", Arrays.copyOf(whole, whole.length - 30));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(plain));
        assertEquals(whole.length - 30, e.offset());
        assertTrue(e.getMessage().contains("truncated: the file ends after 70 of the 100 bytes"), e.getMessage());

        Path header = write(dir, "cut-header", Arrays.copyOf(whole, 6));
        assertEquals(6, assertThrows(IdxFormatException.class, () -> IdxReader.read(header)).offset());
    }

    @Test
    void truncatedGzipIsReportedWithFileAndOffset() throws IOException {
        byte[] compressed = gzip(idx(ramp(50_000), 50_000));
        Path file = write(dir, "cut.gz", Arrays.copyOf(compressed, compressed.length / 2));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("of the decompressed content"), e.getMessage());
        assertTrue(e.offset() > 0 && e.offset() < 50_008, "offset " + e.offset());
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        byte[] compressed = gzip(idx(ramp(50_000), 50_000));
        for (int i = 20; i < compressed.length - 20; i += 7) {
            compressed[i] ^= 0x5a;
        }
        Path file = write(dir, "garbled.gz", compressed);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
        assertTrue(e.getMessage().contains("corrupt or truncated gzip data"), e.getMessage());
    }

    @Test
    void corruptGzipTrailerIsReported() throws IOException {
        byte[] compressed = gzip(idx(ramp(1000), 1000));
        compressed[compressed.length - 6] ^= 1;
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxReader.read(write(dir, "crc.gz", compressed)));
        assertEquals(1008, e.offset());
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] bytes = Arrays.copyOf(idx(ramp(12), 3, 4), 4 + 8 + 12 + 1);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(write(dir, "long", bytes)));
        assertEquals(24, e.offset());
        assertTrue(e.getMessage().contains("trailing bytes"), e.getMessage());
    }

    @Test
    void badDimensionCountAndNegativeSizes() throws IOException {
        byte[] noDims = {0, 0, 8, 0};
        assertEquals(3, assertThrows(IdxFormatException.class, () -> IdxReader.read(write(dir, "rank0", noDims))).offset());
        byte[] negative = idx(new byte[0], 2, 3);
        negative[8] = (byte) 0xff;
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(write(dir, "neg", negative)));
        assertEquals(8, e.offset());
        assertTrue(e.getMessage().contains("negative dimension size"), e.getMessage());
    }

    /** 8 bytes whose header claims 2 GB: the reader must find the truncation, not allocate 2 GB first. */
    @Test
    void aHeaderClaimingGigabytesInATinyFileIsTruncationNotOutOfMemory() throws Exception {
        byte[] bytes = {0, 0, 8, 1, 0x7f, (byte) 0xff, (byte) 0xff, 0};
        Path file = write(dir, "huge-claim", bytes);
        assertEquals(IdxFormatException.class.getName() + ": " + file + ": truncated: the file ends after 0 of the"
                + " 2147483392 bytes of the data of sizes [2147483392] (at byte offset 8)", SmallHeap.read("idx", file, dir));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file));
        assertEquals(8, e.offset());
        Path gz = write(dir, "huge-claim.gz", gzip(bytes));
        assertTrue(SmallHeap.read("idx", gz, dir).startsWith(IdxFormatException.class.getName() + ": " + gz
                + ": truncated: the file ends after 0 of the 2147483392 bytes"));
    }

    /** Sizes whose product wraps a long to 0 used to load "successfully" as an empty array. */
    @Test
    void sizesBeyondOneArrayAreRejectedNamingFileAndSizes() throws IOException {
        for (int[] dims : new int[][] {{65536, 65536, 65536, 65536}, {65536, 65536}, {65536, 65536, 0}}) {
            Path file = write(dir, "dims" + dims.length, idx(new byte[0], dims));
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.read(file), Arrays.toString(dims));
            assertEquals(4, e.offset());
            assertTrue(e.getMessage().startsWith(file + ": IDX sizes " + Arrays.toString(dims) + " multiply to "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("more than the 2147483639 elements one array can hold"), e.getMessage());
        }
        assertTrue(assertThrows(IdxFormatException.class, () -> IdxReader.read(write(dir, "wrap",
                idx(new byte[0], 65536, 65536, 65536, 65536)))).getMessage().contains("more than 2^63"));
        assertEquals(0, IdxReader.read(write(dir, "empty3", idx(new byte[0], 1000, 0, 28))).data().length);
    }

    @Test
    void missingFileIsNamed() {
        Path file = dir.resolve("nowhere.gz");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxReader.read(file));
        assertEquals(file.toString(), e.getFile());
    }
}
