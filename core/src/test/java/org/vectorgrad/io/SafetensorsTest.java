package org.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("layer.0.weight", Tensor.fromArray(new float[] {1f, -2f, 3.5f, Float.MIN_VALUE, -0f, Float.NaN}, 2, 3));
        tensors.put("scalar", Tensor.scalar(42f));
        tensors.put("empty", Tensor.zeros(0, 5));
        tensors.put("view", Tensor.arange(12).reshape(3, 4).t());
        return tensors;
    }

    @Test
    void roundTripKeepsNamesShapesBitsAndMetadata() throws IOException {
        Path file = dir.resolve("a.safetensors");
        Safetensors.write(file, sample(), Map.of("epoch", "3", "note", "ünïcödé \"quoted\"\n"));
        Safetensors.Contents back = Safetensors.read(file);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(back.tensors().keySet()));
        for (Map.Entry<String, Tensor> entry : sample().entrySet()) {
            Tensor read = back.tensors().get(entry.getKey());
            assertArrayEquals(entry.getValue().shape(), read.shape(), entry.getKey());
            assertArrayEquals(bits(entry.getValue().toArray()), bits(read.toArray()), entry.getKey());
        }
        assertEquals(Map.of("epoch", "3", "note", "ünïcödé \"quoted\"\n"), back.metadata());
    }

    /** The bytes on disk follow the published layout, checked by hand rather than by our reader. */
    @Test
    void layoutIsTheSafetensorsLayout() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("b", Tensor.of(1f, -2f));
        tensors.put("a", Tensor.scalar(0.5f));
        Safetensors.write(file, tensors, Map.of());
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong(0);
        assertEquals(0, headerLength % 8, "data must start 8-byte aligned");
        String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
        assertEquals("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}}", header.stripTrailing());
        int data = 8 + (int) headerLength;
        assertEquals(data + 12, bytes.capacity());
        assertEquals(1f, bytes.getFloat(data));
        assertEquals(-2f, bytes.getFloat(data + 4));
        assertEquals(0.5f, bytes.getFloat(data + 8));
    }

    /** A file written by PyTorch with an independent writer (tools/pytorch/gen_safetensors_fixture.py). */
    @Test
    void readsAFileWrittenByPyTorch() throws IOException {
        Path file = dir.resolve("torch.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/safetensors/pytorch-written.safetensors")) {
            Files.write(file, in.readAllBytes());
        }
        Safetensors.Contents contents = Safetensors.read(file);
        assertEquals(List.of("conv.bias", "conv.weight", "empty", "fc.weight", "scale"), List.copyOf(contents.tensors().keySet()));
        float[] expected = new float[18];
        for (int i = 0; i < 18; i++) {
            expected[i] = i / 8f - 1;
        }
        Tensor weight = contents.tensors().get("conv.weight");
        assertArrayEquals(new int[] {2, 1, 3, 3}, weight.shape());
        assertArrayEquals(expected, weight.toArray());
        assertArrayEquals(new float[] {0.5f, -0.25f}, contents.tensors().get("conv.bias").toArray());
        assertArrayEquals(new int[0], contents.tensors().get("scale").shape());
        assertEquals(3f, contents.tensors().get("scale").item());
        assertArrayEquals(new int[] {0, 4}, contents.tensors().get("empty").shape());
        assertArrayEquals(bits(new float[] {1e-30f, -2.5e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f}),
                bits(contents.tensors().get("fc.weight").toArray()));
        assertEquals(Map.of("written_by", "torch", "note", "ünïcödé ✓"), contents.metadata());
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("ckpt.safetensors");
        Safetensors.write(file, Map.of("x", Tensor.of(1f)), Map.of());
        Safetensors.write(file, Map.of("x", Tensor.of(2f, 3f)), Map.of());
        assertArrayEquals(new float[] {2f, 3f}, Safetensors.read(file).tensors().get("x").toArray());
        byte[] before = Files.readAllBytes(file);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", Tensor.of(5f));
        bad.put("__metadata__", Tensor.of(1f));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(file, bad, Map.of()));
        assertArrayEquals(before, Files.readAllBytes(file), "a failed write must not touch the existing file");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    // ---- corruption: every malformed file is rejected with a message naming the file and the problem

    private Path fileWith(String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(json.length).put(json).put(data);
        return Files.write(dir.resolve("bad.safetensors"), bytes.array());
    }

    private void assertRejected(Path file, String... fragments) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    @Test
    void rejectsBadLengths() throws IOException {
        assertRejected(Files.write(dir.resolve("short"), new byte[5]), "5 bytes long");
        Path good = dir.resolve("good.safetensors");
        Safetensors.write(good, sample(), Map.of());
        byte[] bytes = Files.readAllBytes(good);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length);
        assertRejected(Files.write(dir.resolve("long-header"), bytes), "header length " + bytes.length, "does not fit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertRejected(Files.write(dir.resolve("huge-header"), bytes), "18446744073709551615");
        byte[] original = Files.readAllBytes(good);
        assertRejected(Files.write(dir.resolve("truncated"), Arrays.copyOf(original, original.length - 4)), "truncated");
        assertRejected(Files.write(dir.resolve("trailing"), Arrays.copyOf(original, original.length + 4)), "trailing bytes");
    }

    @Test
    void rejectsBadJson() throws IOException {
        assertRejected(fileWith("{\"x\":{\"dtype\":\"F32\",", new byte[0]), "not valid JSON");
        assertRejected(fileWith("{\"x\":{\"dtype\":\"F32\" \"shape\":[1]}}", new byte[0]), "not valid JSON", "line 1 column");
        assertRejected(fileWith("[1,2]", new byte[0]), "does not have the safetensors structure", "BEGIN_OBJECT");
        assertRejected(fileWith("{} {}", new byte[0]), "not valid JSON");
        assertRejected(fileWith("{\"__metadata__\":{\"epoch\":3}}", new byte[0]), "must be a string");
        assertRejected(fileWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]), "'x' twice");
        assertRejected(fileWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[0]), "'x' lacks data_offsets");
        assertRejected(fileWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"y\":1}}", new byte[4]),
                "unknown field 'y'");
        byte[] invalidUtf8 = {'{', (byte) 0xff, '}'};
        ByteBuffer raw = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN).putLong(3).put(invalidUtf8);
        assertRejected(Files.write(dir.resolve("utf8"), raw.array()), "not valid UTF-8");
    }

    @Test
    void rejectsBadEntries() throws IOException {
        assertRejected(fileWith("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'w' has dtype F16", "only F32");
        assertRejected(fileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[20]),
                "tensor 'w' of shape [2, 3] needs 24 bytes", "span 20");
        assertRejected(fileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,0]}}", new byte[0]),
                "tensor 'w' has shape [-2]");
        assertRejected(fileWith("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]),
                "tensor 'w' has data_offsets [4, 0]");
        assertRejected(fileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "'b'", "overlap");
        assertRejected(fileWith("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
                "'a'", "leave a gap");
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
