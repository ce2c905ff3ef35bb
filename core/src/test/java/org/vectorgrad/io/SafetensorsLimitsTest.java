package org.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.data.SmallHeap;

/**
 * Safetensors input at the edges of what can be held: duplicate JSON keys, sizes that overflow,
 * special files, and files whose tensors are larger than the heap. Each is an IOException that
 * names the file (and the tensor or key), never an ArithmeticException, an IllegalArgumentException
 * without the file, or an OutOfMemoryError.
 */
class SafetensorsLimitsTest {
    @TempDir
    Path dir;

    private Path fileWith(String name, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).put(data);
        return Files.write(dir.resolve(name), bytes.array());
    }

    private static void assertRejected(Path file, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertEquals(file, e.file());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    /** JSON objects may repeat a key (Gson keeps the last): a header that does is corrupt or forged. */
    @Test
    void duplicateKeysAnywhereInTheHeaderAreRejectedNamingTheKey() throws IOException {
        assertRejected(fileWith("field.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"shape\":[0],"
                + "\"data_offsets\":[0,0]}}", new byte[0]), "tensor 'w' has field 'shape' twice");
        assertRejected(fileWith("offsets.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
                + "\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'w' has field 'data_offsets' twice");
        assertRejected(fileWith("meta.safetensors", "{\"__metadata__\":{\"epoch\":\"1\",\"epoch\":\"2\"}}", new byte[0]),
                "__metadata__ names 'epoch' twice");
        assertRejected(fileWith("twice.safetensors", "{\"__metadata__\":{},\"__metadata__\":{}}", new byte[0]),
                "'__metadata__' twice");
    }

    @Test
    void shapesWhoseSizeOverflowsNameTheFileAndTheTensor() throws IOException {
        int max = Integer.MAX_VALUE;
        assertRejected(fileWith("empty.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,0],"
                + "\"data_offsets\":[0,0]}}", new byte[0]), "tensor 'w' has shape [65536, 65536, 0]", "a size 0 counted as 1");
        assertRejected(fileWith("cube.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + max + "," + max + "," + max
                + "],\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'w' has shape [2147483647, 2147483647, 2147483647]");
        assertRejected(fileWith("long.safetensors", "{\"w\":{\"dtype\":\"F32\",\"shape\":[9223372036854775807],"
                + "\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'w' has shape [9223372036854775807]");
        SafetensorsFormatException bytes = assertThrows(SafetensorsFormatException.class, () -> Safetensors.fromBytes(
                Files.readAllBytes(dir.resolve("empty.safetensors"))));
        assertTrue(bytes.getMessage().startsWith("<bytes>: tensor 'w' has shape [65536, 65536, 0]"), bytes.getMessage());
    }

    @Test
    void directoriesDevicesAndMissingFilesAreNamedIOExceptions() {
        FileSystemException directory = assertThrows(FileSystemException.class, () -> Safetensors.read(dir));
        assertEquals(dir + ": is a directory, not a safetensors file", directory.getMessage());
        Path missing = dir.resolve("nowhere.safetensors");
        NoSuchFileException none = assertThrows(NoSuchFileException.class, () -> Safetensors.read(missing));
        assertEquals(missing + ": no such safetensors file", none.getMessage());
        Path zero = Path.of("/dev/zero");
        Assumptions.assumeTrue(Files.exists(zero), "no /dev/zero here");
        FileSystemException device = assertThrows(FileSystemException.class, () -> Checkpoint.load(zero));
        assertEquals("/dev/zero: not a regular file (a device, pipe or socket), so not a safetensors file",
                device.getMessage());
    }

    /**
     * Valid files (sparse, so they take no disk) whose tensors outgrow a 64 MB heap: 100 MB, and
     * 3 GB (more than a Java array's 2 GB). They used to end in an OutOfMemoryError; now in an
     * IOException naming the file, before any tensor memory is allocated.
     */
    @Test
    void tensorsLargerThanTheHeapAreAnIOExceptionNotAnOutOfMemoryError() throws Exception {
        for (long floats : new long[] {25_000_000L, 750_000_000L}) {
            Path file = sparseFile("big" + floats + ".safetensors", floats);
            String result = SmallHeap.read("safetensors", file, dir);
            assertTrue(result.startsWith(SafetensorsFormatException.class.getName() + ": " + file + ": file holds "
                    + 4 * floats + " bytes of tensor data, more than this JVM's maximum heap of "), result);
            assertTrue(result.endsWith("bytes; run it with a larger -Xmx"), result);
        }
    }

    private Path sparseFile(String name, long floats) throws IOException {
        Path file = fileWith(name, "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + floats + "],\"data_offsets\":[0,"
                + 4 * floats + "]}}", new byte[0]);
        long size = Files.size(file) + 4 * floats;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        return file;
    }
}
