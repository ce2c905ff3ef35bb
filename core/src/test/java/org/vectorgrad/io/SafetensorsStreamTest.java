package org.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
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
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.BatchNorm2d;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/**
 * Safetensors through byte arrays and streams (what a Spark broadcast or closure carries): model
 * state dicts round-trip bit for bit, the bytes are the file's bytes, and truncated or corrupted
 * input is rejected with a message naming {@code <bytes>} or the stream, never another exception.
 */
class SafetensorsStreamTest {
    private static final Supplier<Module> MLP = () -> new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3));
    private static final Supplier<Module> CNN = () -> new Sequential(new Conv2d(2, 3, 3, 1, 1), new BatchNorm2d(3),
            new ReLU(), new MaxPool2d(2, 2), new Flatten(), new Linear(3 * 2 * 2, 4));

    @TempDir
    Path dir;

    /** A CNN whose BatchNorm buffers moved away from their initial values (two training batches). */
    private static Module trainedCnn() {
        Tensor.manualSeed(7);
        Module cnn = CNN.get();
        cnn.forward(Tensor.randn(3, 2, 4, 4));
        cnn.forward(Tensor.randn(3, 2, 4, 4).mul(2f));
        return cnn.eval();
    }

    /** A trained model, how to build an untrained one like it, and an input shape for it. */
    private record Case(Module model, Supplier<Module> fresh, int... inputShape) {
    }

    private static List<Case> cases() {
        return List.of(new Case(MLP.get(), MLP, 2, 6), new Case(trainedCnn(), CNN, 2, 2, 4, 4));
    }

    @Test
    void modelStateRoundTripsThroughBytesBitForBit() throws IOException {
        for (Case c : cases()) {
            byte[] bytes = Safetensors.toBytes(c.model.stateDict(), Map.of("arch", "Sequential"));
            Safetensors.Contents back = Safetensors.fromBytes(bytes);
            assertSameState(c.model.stateDict(), back.tensors());
            assertEquals(Map.of("arch", "Sequential"), back.metadata());
            assertLoadsIntoAFreshModel(c, back.tensors());
        }
    }

    @Test
    void modelStateRoundTripsThroughStreamsBitForBit() throws IOException {
        for (Case c : cases()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Safetensors.write(out, c.model.stateDict(), Map.of());
            Safetensors.Contents back = Safetensors.read(new ByteArrayInputStream(out.toByteArray()));
            assertSameState(c.model.stateDict(), back.tensors());
            assertLoadsIntoAFreshModel(c, back.tensors());
        }
    }

    private static void assertSameState(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((key, tensor) -> {
            assertArrayEquals(tensor.shape(), actual.get(key).shape(), key);
            assertArrayEquals(bits(tensor.toArray()), bits(actual.get(key).toArray()), key);
        });
    }

    /** The read state, loaded into a new model, computes exactly what the original computes. */
    private static void assertLoadsIntoAFreshModel(Case c, Map<String, Tensor> state) {
        Module fresh = c.fresh.get().eval();
        assertEquals(new Module.LoadResult(List.of(), List.of()), fresh.loadStateDict(state, true));
        Tensor x = Tensor.randn(c.inputShape);
        assertArrayEquals(bits(c.model.eval().forward(x).toArray()), bits(fresh.forward(x).toArray()));
    }

    @Test
    void bytesStreamAndFileHoldTheSameBytes() throws IOException {
        Map<String, Tensor> state = trainedCnn().stateDict();
        Map<String, String> metadata = Map.of("epoch", "2");
        Path file = dir.resolve("cnn.safetensors");
        Safetensors.write(file, state, metadata);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, state, metadata);
        byte[] bytes = Safetensors.toBytes(state, metadata);
        assertArrayEquals(Files.readAllBytes(file), bytes);
        assertArrayEquals(bytes, out.toByteArray());
    }

    /** The fixture written by PyTorch (tools/pytorch/gen_safetensors_fixture.py) reads the same from bytes. */
    @Test
    void readsPyTorchWrittenBytes() throws IOException {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/safetensors/pytorch-written.safetensors")) {
            bytes = in.readAllBytes();
        }
        Safetensors.Contents contents = Safetensors.fromBytes(bytes);
        assertEquals(List.of("conv.bias", "conv.weight", "empty", "fc.weight", "scale"), List.copyOf(contents.tensors().keySet()));
        assertArrayEquals(new float[] {0.5f, -0.25f}, contents.tensors().get("conv.bias").toArray());
        assertArrayEquals(new int[] {2, 1, 3, 3}, contents.tensors().get("conv.weight").shape());
        assertEquals(-1f + 17 / 8f, contents.tensors().get("conv.weight").get(1, 0, 2, 2));
        assertArrayEquals(new int[] {0, 4}, contents.tensors().get("empty").shape());
        assertArrayEquals(bits(new float[] {1e-30f, -2.5e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f}),
                bits(contents.tensors().get("fc.weight").toArray()));
        assertEquals(3f, contents.tensors().get("scale").item());
        assertEquals(Map.of("written_by", "torch", "note", "ünïcödé ✓"), contents.metadata());
        Path file = Files.write(dir.resolve("torch.safetensors"), bytes);
        assertSameState(Safetensors.read(file).tensors(), contents.tensors());
        assertSameState(Safetensors.read(new ByteArrayInputStream(bytes)).tensors(), contents.tensors());
    }

    @Test
    void streamsAreLeftOpenAndPositionedAfterTheObject() throws IOException {
        CloseCounting out = new CloseCounting(new ByteArrayOutputStream());
        Safetensors.write(out, Map.of("a", Tensor.of(1f, 2f)), Map.of());
        Safetensors.write(out, Map.of("b", Tensor.scalar(3f)), Map.of("n", "2"));
        Safetensors.write(out, Map.of(), Map.of());
        out.write(new byte[] {42});
        assertEquals(0, out.closes);
        CloseCountingInput in = new CloseCountingInput(((ByteArrayOutputStream) out.target()).toByteArray());
        assertArrayEquals(new float[] {1f, 2f}, Safetensors.read(in).tensors().get("a").toArray());
        Safetensors.Contents second = Safetensors.read(in);
        assertEquals(3f, second.tensors().get("b").item());
        assertEquals(Map.of("n", "2"), second.metadata());
        Safetensors.Contents empty = Safetensors.read(in);
        assertTrue(empty.tensors().isEmpty() && empty.metadata().isEmpty());
        assertEquals(42, in.read(), "the byte after the last object is still in the stream");
        assertEquals(0, in.closes);
    }

    // ---- truncation and corruption

    private static byte[] sample() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.fromArray(new float[] {1f, -2f, 3f, 4f, 5f, 6f}, 2, 3));
        tensors.put("s", Tensor.scalar(0.25f));
        tensors.put("e", Tensor.zeros(0));
        return Safetensors.toBytes(tensors, Map.of("k", "v"));
    }

    @Test
    void everyTruncationIsRejectedWithAMessage() {
        byte[] full = sample();
        for (int length = 0; length < full.length; length++) {
            byte[] prefix = Arrays.copyOf(full, length);
            SafetensorsFormatException fromBytes = assertThrows(SafetensorsFormatException.class,
                    () -> Safetensors.fromBytes(prefix), "length " + length);
            assertTrue(fromBytes.getMessage().startsWith("<bytes>: "), fromBytes.getMessage());
            assertNull(fromBytes.file());
            SafetensorsFormatException fromStream = assertThrows(SafetensorsFormatException.class,
                    () -> Safetensors.read(new ByteArrayInputStream(prefix)), "length " + length);
            assertTrue(fromStream.getMessage().startsWith("<stream ByteArrayInputStream>: "), fromStream.getMessage());
        }
        assertMessage(Arrays.copyOf(full, 5), "<bytes>: input is 5 bytes long, too short for the 8-byte header length");
        assertStreamMessage(Arrays.copyOf(full, 5), "<stream ByteArrayInputStream>: stream ended after 5 bytes");
        assertMessage(Arrays.copyOf(full, full.length - 1), "<bytes>: the tensors' data ends at byte 28 of the data"
                + " section but the input has 27 data bytes (truncated)");
        assertStreamMessage(Arrays.copyOf(full, full.length - 1), "<stream ByteArrayInputStream>: stream ended 27 bytes"
                + " into the data section, inside tensor 's' whose data_offsets end at 28 (truncated)");
        assertStreamMessage(Arrays.copyOf(full, 20), "stream ended 12 bytes into the", "-byte header (truncated)");
        assertMessage(Arrays.copyOf(full, full.length + 3), "<bytes>: ", "(trailing bytes)");
    }

    /** Any single corrupted byte gives either valid contents or a SafetensorsFormatException, nothing else. */
    @Test
    void corruptedBytesNeverEscapeAsOtherExceptions() {
        byte[] full = sample();
        for (int position = 0; position < full.length; position++) {
            for (int value : new int[] {0x00, 0xff, 0x7f, '{', '"', '9', '-', 0x80}) {
                byte[] corrupt = full.clone();
                corrupt[position] = (byte) value;
                for (boolean stream : new boolean[] {false, true}) {
                    try {
                        Safetensors.Contents contents = stream ? Safetensors.read(new ByteArrayInputStream(corrupt))
                                : Safetensors.fromBytes(corrupt);
                        contents.tensors().values().forEach(Tensor::toArray);
                    } catch (SafetensorsFormatException e) {
                        assertTrue(e.getMessage().startsWith(stream ? "<stream " : "<bytes>: "), e.getMessage());
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError("byte " + position + " = " + value + " (stream " + stream + ")", e);
                    }
                }
            }
        }
    }

    @Test
    void hugeClaimsAreRejectedWithoutAllocatingThem() throws IOException {
        byte[] lengthOnly = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        assertStreamMessage(lengthOnly, "header length 1099511627776 does not fit the stream: expected 1..100000000"
                + " (the format's limit)");
        assertMessage(lengthOnly, "<bytes>: header length 1099511627776 does not fit the input: expected 1..0"
                + " (input size 8 minus the 8-byte length field)");
        byte[] bigHeader = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(99_999_999L).put("{\"a\"".getBytes(StandardCharsets.UTF_8)).array();
        assertStreamMessage(bigHeader, "stream ended 4 bytes into the 99999999-byte header (truncated)");
        // 2^31 - 9 floats (8 GB) claimed by the header, 8 bytes delivered.
        long claimed = 4L * (Integer.MAX_VALUE - 8);
        byte[] bigTensor = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + (Integer.MAX_VALUE - 8) + "],\"data_offsets\":[0,"
                + claimed + "]}}", new byte[8]);
        assertStreamMessage(bigTensor, "stream ended 8 bytes into the data section, inside tensor 'w' whose data_offsets"
                + " end at " + claimed + " (truncated)");
        assertMessage(bigTensor, "<bytes>: the tensors' data ends at byte " + claimed + " of the data section but the"
                + " input has 8 data bytes (truncated)");
        byte[] tooMany = withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,17179869184]}}",
                new byte[0]);
        assertStreamMessage(tooMany, "tensor 'w' has shape [65536, 65536]: more elements than a Java array holds");
    }

    @Test
    void badNamesAreRejectedBeforeAnythingIsWritten() {
        Map<String, Tensor> reserved = new LinkedHashMap<>();
        reserved.put("ok", Tensor.of(1f));
        reserved.put("__metadata__", Tensor.of(1f));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.write(out, reserved, Map.of()));
        assertEquals("safetensors: a tensor cannot be named '__metadata__'", e.getMessage());
        assertEquals(0, out.size());
        Map<String, Tensor> nullTensor = new LinkedHashMap<>();
        nullTensor.put("x", null);
        assertEquals("safetensors: tensor 'x' is null",
                assertThrows(IllegalArgumentException.class, () -> Safetensors.toBytes(nullTensor, Map.of())).getMessage());
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("k", null);
        assertEquals("safetensors: metadata needs string keys and values, got k = null",
                assertThrows(IllegalArgumentException.class, () -> Safetensors.toBytes(Map.of(), nullValue)).getMessage());
    }

    private static byte[] withHeader(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    private static void assertMessage(byte[] bytes, String... fragments) {
        assertFragments(assertThrows(SafetensorsFormatException.class, () -> Safetensors.fromBytes(bytes)), fragments);
    }

    private static void assertStreamMessage(byte[] bytes, String... fragments) {
        assertFragments(assertThrows(SafetensorsFormatException.class,
                () -> Safetensors.read(new ByteArrayInputStream(bytes))), fragments);
    }

    private static void assertFragments(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    private static final class CloseCounting extends FilterOutputStream {
        int closes;

        CloseCounting(ByteArrayOutputStream target) {
            super(target);
        }

        java.io.OutputStream target() {
            return out;
        }

        @Override
        public void close() throws IOException {
            closes++;
            super.close();
        }
    }

    private static final class CloseCountingInput extends FilterInputStream {
        int closes;

        CloseCountingInput(byte[] bytes) {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        public void close() throws IOException {
            closes++;
            super.close();
        }
    }
}
