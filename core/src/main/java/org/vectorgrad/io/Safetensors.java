package org.vectorgrad.io;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
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
 */
public final class Safetensors {
    static final String METADATA_KEY = "__metadata__";
    static final String F32 = "F32";

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
        for (String name : tensors.keySet()) {
            if (name.equals(METADATA_KEY) || name.isEmpty()) {
                throw new IllegalArgumentException("safetensors: a tensor cannot be named '" + name + "'");
            }
        }
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            out.write(header);
            for (Tensor tensor : tensors.values()) {
                out.write(littleEndian(tensor.toArray()));
            }
        });
    }

    /** Reads and validates a whole file; see {@link SafetensorsReader} for what is checked. */
    public static Contents read(Path file) throws IOException {
        return SafetensorsReader.read(file);
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

    private static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }
}
