package org.vectorgrad.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vectorgrad.Tensor;

/**
 * Hugging Face's safetensors format for float32 tensors, as {@code safetensors.torch} reads and
 * writes it: an unsigned little-endian 64-bit header length, a JSON header
 * {@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__":
 * {string: string}}} padded with spaces to a multiple of 8 bytes, then the tensors' bytes
 * (little-endian, row-major, back to back in header order).
 *
 * <p>Files, byte arrays and streams share one writer and one reader, so all three produce the same
 * bytes and apply the same checks. Byte arrays are what a Spark broadcast or closure carries:
 * {@code Safetensors.fromBytes(Safetensors.toBytes(model.stateDict(), Map.of())).tensors()}.
 */
public final class Safetensors {
    static final String METADATA_KEY = "__metadata__";
    static final String F32 = "F32";
    private static final int CHUNK_FLOATS = 1 << 14;

    private Safetensors() {
    }

    /** The tensors of a file, in file order, and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }
    }

    /**
     * Writes {@code tensors} and {@code metadata} to {@code file} atomically ({@link AtomicFiles}):
     * a crash or a full disk never leaves a half-written file under that name.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Encoded encoded = encode(tensors, metadata);
        AtomicFiles.write(file, encoded::writeTo);
    }

    /**
     * Writes {@code tensors} and {@code metadata} to {@code out}, then flushes it; the stream is not
     * closed (the caller owns it). Names are checked before the first byte is written.
     */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        encode(tensors, metadata).writeTo(out);
        out.flush();
    }

    /**
     * The bytes a file written by {@link #write(Path, Map, Map)} would hold; an
     * IllegalArgumentException if they exceed a Java array (about 2 GB: use a stream then).
     */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Encoded encoded = encode(tensors, metadata);
        long size = encoded.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("safetensors of " + size + " bytes does not fit in a byte array"
                    + " (at most " + (Integer.MAX_VALUE - 8) + "); write it to a stream or a file instead");
        }
        FixedArrayOutput out = new FixedArrayOutput((int) size);
        try {
            encoded.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array cannot fail to write", e);
        }
        return out.full();
    }

    /** Reads and validates a whole file; see {@link SafetensorsReader} for what is checked. */
    public static Contents read(Path file) throws IOException {
        return SafetensorsReader.read(file);
    }

    /**
     * Reads and validates bytes written by {@link #toBytes} (or any safetensors writer); errors
     * name the source {@code <bytes>}.
     */
    public static Contents fromBytes(byte[] bytes) throws SafetensorsFormatException {
        return SafetensorsReader.read(bytes);
    }

    /**
     * Reads one safetensors object from {@code in} and leaves the stream just after its last data
     * byte, unclosed (several can follow each other in one stream; bytes after the object are not
     * checked). A header length above the format's 100 MB limit, or a stream that ends early, is
     * rejected with a message naming {@code <stream ClassName>}; memory grows only with the bytes
     * that actually arrive. Reads are unbuffered ({@code readNBytes}) so nothing past the object is consumed.
     */
    public static Contents read(InputStream in) throws IOException {
        return SafetensorsReader.read(in);
    }

    /** A checked header and the tensors it describes, ready to write anywhere. */
    private record Encoded(byte[] header, Map<String, Tensor> tensors, long dataBytes) {
        long size() {
            return 8L + header.length + dataBytes;
        }

        void writeTo(OutputStream out) throws IOException {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor tensor : tensors.values()) {
                float[] values = tensor.toArray();
                for (int start = 0; start < values.length; start += CHUNK_FLOATS) {
                    int count = Math.min(CHUNK_FLOATS, values.length - start);
                    chunk.clear();
                    chunk.asFloatBuffer().put(values, start, count);
                    out.write(chunk.array(), 0, 4 * count);
                }
            }
        }
    }

    private static Encoded encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        long dataBytes = 0;
        for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.equals(METADATA_KEY) || name.isEmpty()) {
                throw new IllegalArgumentException("safetensors: a tensor cannot be named '" + name + "'");
            }
            if (entry.getValue() == null) {
                throw new IllegalArgumentException("safetensors: tensor '" + name + "' is null");
            }
            dataBytes += 4L * entry.getValue().numel();
        }
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("safetensors: metadata needs string keys and values, got "
                        + key + " = " + value);
            }
        });
        try {
            return new Encoded(header(tensors, metadata), new LinkedHashMap<>(tensors), dataBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
    }

    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringWriter text = new StringWriter();
        try (JsonWriter json = new JsonWriter(text)) {
            json.beginObject();
            if (!metadata.isEmpty()) {
                json.name(METADATA_KEY).beginObject();
                for (Map.Entry<String, String> entry : metadata.entrySet()) {
                    json.name(entry.getKey()).value(entry.getValue());
                }
                json.endObject();
            }
            long offset = 0;
            for (Map.Entry<String, Tensor> entry : tensors.entrySet()) {
                Tensor tensor = entry.getValue();
                long end = offset + 4L * tensor.numel();
                json.name(entry.getKey()).beginObject().name("dtype").value(F32).name("shape").beginArray();
                for (int size : tensor.shape()) {
                    json.value(size);
                }
                json.endArray().name("data_offsets").beginArray().value(offset).value(end).endArray().endObject();
                offset = end;
            }
            json.endObject();
        }
        byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
        // The reference implementation pads with spaces so the data starts 8-byte aligned.
        int padded = (utf8.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(utf8, 0, header, 0, utf8.length);
        Arrays.fill(header, utf8.length, padded, (byte) ' ');
        return header;
    }

    /** An output stream into an array of the exact final size (no copy at the end, unlike ByteArrayOutputStream). */
    private static final class FixedArrayOutput extends OutputStream {
        private final byte[] bytes;
        private int position;

        FixedArrayOutput(int size) {
            bytes = new byte[size];
        }

        @Override
        public void write(int b) {
            bytes[position++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int length) {
            System.arraycopy(source, offset, bytes, position, length);
            position += length;
        }

        byte[] full() {
            if (position != bytes.length) {
                throw new IllegalStateException("wrote " + position + " of " + bytes.length + " bytes");
            }
            return bytes;
        }
    }
}
