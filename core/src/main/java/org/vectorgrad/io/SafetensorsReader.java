package org.vectorgrad.io;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vectorgrad.Tensor;

/**
 * Parses a safetensors file and checks everything the format promises before any tensor is
 * built: the header length against the file size, the JSON (strict, no duplicate names), each
 * entry's dtype, shape and offsets, and that the offsets tile the data section exactly.
 */
final class SafetensorsReader {
    /** The reference implementation's limit; a longer header means a corrupt length field. */
    private static final long MAX_HEADER = 100_000_000L;

    private record Entry(String name, int[] shape, long begin, long end) {
    }

    private SafetensorsReader() {
    }

    static Safetensors.Contents read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) {
            throw new SafetensorsFormatException(file, "file is " + bytes.length
                    + " bytes long, too short for the 8-byte header length of the safetensors format");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength <= 0 || headerLength > Math.min(MAX_HEADER, bytes.length - 8L)) {
            throw new SafetensorsFormatException(file, "header length " + Long.toUnsignedString(headerLength)
                    + " does not fit the file: expected 1.." + Math.min(MAX_HEADER, bytes.length - 8L)
                    + " (file size " + bytes.length + " minus the 8-byte length field)");
        }
        String header = decodeUtf8(file, bytes, (int) headerLength);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(file, header, metadata);
        long dataSize = bytes.length - 8L - headerLength;
        checkTiling(file, entries, dataSize);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int dataStart = 8 + (int) headerLength;
        for (Entry entry : entries) {
            float[] values = new float[(int) ((entry.end - entry.begin) / 4)];
            ByteBuffer.wrap(bytes, dataStart + (int) entry.begin, 4 * values.length)
                    .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            tensors.put(entry.name, Tensor.fromArray(values, entry.shape));
        }
        return new Safetensors.Contents(tensors, metadata);
    }

    private static String decodeUtf8(Path file, byte[] bytes, int length) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 8, length)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsFormatException(file, "header is not valid UTF-8 JSON", e);
        }
    }

    private static List<Entry> parseHeader(Path file, String header, Map<String, String> metadata)
            throws SafetensorsFormatException {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonReader json = new JsonReader(new StringReader(header))) {
            json.setStrictness(Strictness.STRICT);
            json.beginObject();
            while (json.hasNext()) {
                String name = json.nextName();
                if (!names.add(name)) {
                    throw new SafetensorsFormatException(file, "header names '" + name + "' twice");
                }
                if (name.equals(Safetensors.METADATA_KEY)) {
                    readMetadata(json, metadata);
                } else {
                    entries.add(readEntry(file, json, name));
                }
            }
            json.endObject();
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw new SafetensorsFormatException(file, "header has text after its JSON object");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException | JsonParseException e) {
            throw new SafetensorsFormatException(file, "header is not valid JSON: " + firstLine(e), e);
        } catch (IllegalStateException | NumberFormatException e) {
            throw new SafetensorsFormatException(file, "header does not have the safetensors structure: " + firstLine(e), e);
        }
        return entries;
    }

    /** Gson appends a troubleshooting link on a second line; the first line says what and where. */
    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void readMetadata(JsonReader json, Map<String, String> metadata) throws IOException {
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            if (json.peek() != JsonToken.STRING) {
                throw new IllegalStateException("__metadata__ value of '" + key + "' must be a string, found " + json.peek());
            }
            metadata.put(key, json.nextString());
        }
        json.endObject();
    }

    private static Entry readEntry(Path file, JsonReader json, String name) throws IOException {
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            switch (key) {
                case "dtype" -> dtype = json.nextString();
                case "shape" -> shape = readLongs(json);
                case "data_offsets" -> offsets = readLongs(json);
                default -> throw new SafetensorsFormatException(file, "tensor '" + name + "' has an unknown field '" + key + "'");
            }
        }
        json.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' lacks "
                    + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        if (!dtype.equals(Safetensors.F32)) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' has dtype " + dtype
                    + "; only F32 (float32) is supported");
        }
        return entry(file, name, shape, offsets);
    }

    private static Entry entry(Path file, String name, long[] shape, long[] offsets) throws SafetensorsFormatException {
        long numel = 1;
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw new SafetensorsFormatException(file, "tensor '" + name + "' has shape " + Arrays.toString(shape)
                        + " with an impossible size");
            }
            dims[i] = (int) shape[i];
            numel = Math.multiplyExact(numel, shape[i]);
        }
        if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' has data_offsets " + Arrays.toString(offsets)
                    + "; expected [begin, end] with 0 <= begin <= end");
        }
        if (offsets[1] - offsets[0] != 4 * numel) {
            throw new SafetensorsFormatException(file, "tensor '" + name + "' of shape " + Arrays.toString(shape)
                    + " needs " + 4 * numel + " bytes of F32 but data_offsets " + Arrays.toString(offsets)
                    + " span " + (offsets[1] - offsets[0]));
        }
        return new Entry(name, dims, offsets[0], offsets[1]);
    }

    private static long[] readLongs(JsonReader json) throws IOException {
        List<Long> values = new ArrayList<>();
        json.beginArray();
        while (json.hasNext()) {
            values.add(json.nextLong());
        }
        json.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    /** The entries' byte ranges must cover the data section exactly once, as the format requires. */
    private static void checkTiling(Path file, List<Entry> entries, long dataSize) throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry entry : byOffset) {
            if (entry.begin != expected) {
                throw new SafetensorsFormatException(file, "tensor '" + entry.name + "' data_offsets [" + entry.begin
                        + ", " + entry.end + "] " + (entry.begin < expected ? "overlap another tensor" : "leave a gap")
                        + "; expected it to start at " + expected);
            }
            expected = entry.end;
        }
        if (expected != dataSize) {
            throw new SafetensorsFormatException(file, "the tensors' data ends at byte " + expected
                    + " of the data section but the file has " + dataSize + " data bytes ("
                    + (expected > dataSize ? "truncated" : "trailing bytes") + ")");
        }
    }
}
