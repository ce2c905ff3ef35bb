package org.vectorgrad.io;

import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
 * Parses safetensors from a file, bytes or a stream (one code path: the stream) and checks
 * everything the format promises before any tensor is built: the header length against the
 * limit and the input's size, the JSON (strict, no duplicate names), each entry's dtype, shape and
 * offsets, and that the offsets tile the data section exactly. Memory grows only with the bytes
 * that actually arrive, so a corrupt length or shape cannot cause an OutOfMemoryError.
 */
final class SafetensorsReader {
    /** The reference implementation's limit; a longer header means a corrupt length field. */
    private static final long MAX_HEADER = 100_000_000L;
    /** The largest Java array (some VMs reserve a few header words). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK_BYTES = 1 << 16;
    private static final int UNKNOWN = -1;

    private record Entry(int index, String name, int[] shape, long begin, long end) {
    }

    private final String source;
    private final Path file;
    private final InputStream in;
    /** The input's size in bytes, or {@link #UNKNOWN} for a stream. */
    private final long size;

    private SafetensorsReader(String source, Path file, InputStream in, long size) {
        this.source = source;
        this.file = file;
        this.in = in;
        this.size = size;
    }

    /**
     * Only regular files: a directory fails without naming itself, and a device such as
     * {@code /dev/zero} reports size 0 (or never ends), so its header could not be checked.
     */
    static Safetensors.Contents read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, not a safetensors file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such safetensors file");
        }
        if (!Files.isRegularFile(file)) {
            throw new FileSystemException(file.toString(), null,
                    "not a regular file (a device, pipe or socket), so not a safetensors file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return new SafetensorsReader(file.toString(), file, in, Files.size(file)).read();
        }
    }

    static Safetensors.Contents read(byte[] bytes) throws SafetensorsFormatException {
        try {
            return new SafetensorsReader("<bytes>", null, new ByteArrayInputStream(bytes), bytes.length).read();
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array cannot fail to read", e);
        }
    }

    static Safetensors.Contents read(InputStream in) throws IOException {
        return new SafetensorsReader("<stream " + in.getClass().getSimpleName() + ">", null, in, UNKNOWN).read();
    }

    private SafetensorsFormatException fail(String problem) {
        return SafetensorsFormatException.of(source, file, problem, null);
    }

    private SafetensorsFormatException fail(String problem, Throwable cause) {
        return SafetensorsFormatException.of(source, file, problem, cause);
    }

    private String kind() {
        return file != null ? "file" : size == UNKNOWN ? "stream" : "input";
    }

    private Safetensors.Contents read() throws IOException {
        long headerLength = readHeaderLength();
        byte[] header = in.readNBytes((int) headerLength);
        if (header.length < headerLength) {
            throw fail(kind() + " ended " + header.length + " bytes into the " + headerLength + "-byte header (truncated)");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = parseHeader(decodeUtf8(header), metadata);
        List<Entry> byOffset = checkTiling(entries, size == UNKNOWN ? UNKNOWN : size - 8 - headerLength);
        if (size != UNKNOWN) {
            checkFitsTheHeap(size - 8 - headerLength);
        }
        float[][] values = new float[entries.size()][];
        long read = 0;
        for (Entry entry : byOffset) {
            values[entry.index] = readFloats(entry, read);
            read = entry.end;
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry entry : entries) {
            try {
                tensors.put(entry.name, Tensor.fromArray(values[entry.index], entry.shape));
            } catch (IllegalArgumentException e) {
                // entry() checks what it knows; any further rule of Tensor's still names the source.
                throw fail("tensor '" + entry.name + "': " + e.getMessage(), e);
            }
        }
        return new Safetensors.Contents(tensors, metadata);
    }

    /**
     * A file or byte array whose tiling has been checked holds exactly {@code dataBytes} of floats;
     * more than the heap can ever hold is an IOException now, not an OutOfMemoryError halfway.
     * (Streams are not checked: their memory grows only with what arrives.)
     */
    private void checkFitsTheHeap(long dataBytes) throws SafetensorsFormatException {
        long heap = Runtime.getRuntime().maxMemory();
        if (heap != Long.MAX_VALUE && dataBytes > heap) {
            throw fail(kind() + " holds " + dataBytes + " bytes of tensor data, more than this JVM's maximum heap of "
                    + heap + " bytes; run it with a larger -Xmx");
        }
    }

    private long readHeaderLength() throws IOException {
        byte[] field = in.readNBytes(8);
        if (field.length < 8) {
            throw fail(kind() + (size == UNKNOWN ? " ended after " + field.length + " bytes" : " is " + field.length
                    + " bytes long") + ", too short for the 8-byte header length of the safetensors format");
        }
        long headerLength = ByteBuffer.wrap(field).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long limit = size == UNKNOWN ? MAX_HEADER : Math.min(MAX_HEADER, size - 8);
        if (headerLength <= 0 || headerLength > limit) {
            throw fail("header length " + Long.toUnsignedString(headerLength) + " does not fit the " + kind()
                    + ": expected 1.." + limit + (size == UNKNOWN ? " (the format's limit)"
                    : " (" + kind() + " size " + size + " minus the 8-byte length field)"));
        }
        return headerLength;
    }

    /**
     * The entry's floats, read in chunks into an array that grows with what arrives, so a stream
     * that ends early costs only what it delivered ({@code dataOffset}: data bytes read so far).
     */
    private float[] readFloats(Entry entry, long dataOffset) throws IOException {
        int count = (int) ((entry.end - entry.begin) / 4);
        float[] values = new float[size == UNKNOWN ? Math.min(count, CHUNK_BYTES) : count];
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, 4L * count)];
        int filled = 0;
        while (filled < count) {
            int want = Math.min(chunk.length / 4, count - filled);
            int got = in.readNBytes(chunk, 0, 4 * want);
            if (got < 4 * want) {
                throw fail(kind() + " ended " + (dataOffset + 4L * filled + got) + " bytes into the data section, inside"
                        + " tensor '" + entry.name + "' whose data_offsets end at " + entry.end + " (truncated)");
            }
            if (filled + want > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(count, 2L * values.length + want));
            }
            ByteBuffer.wrap(chunk, 0, 4 * want).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values, filled, want);
            filled += want;
        }
        return values;
    }

    private String decodeUtf8(byte[] header) throws SafetensorsFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header)).toString();
        } catch (CharacterCodingException e) {
            throw fail("header is not valid UTF-8 JSON", e);
        }
    }

    private List<Entry> parseHeader(String header, Map<String, String> metadata) throws SafetensorsFormatException {
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        try (JsonReader json = new JsonReader(new StringReader(header))) {
            json.setStrictness(Strictness.STRICT);
            json.beginObject();
            while (json.hasNext()) {
                String name = json.nextName();
                if (!names.add(name)) {
                    throw fail("header names '" + name + "' twice");
                }
                if (name.equals(Safetensors.METADATA_KEY)) {
                    readMetadata(json, metadata);
                } else {
                    entries.add(readEntry(json, entries.size(), name));
                }
            }
            json.endObject();
            if (json.peek() != JsonToken.END_DOCUMENT) {
                throw fail("header has text after its JSON object");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (IOException | JsonParseException e) {
            throw fail("header is not valid JSON: " + firstLine(e), e);
        } catch (IllegalStateException | NumberFormatException e) {
            throw fail("header does not have the safetensors structure: " + firstLine(e), e);
        }
        return entries;
    }

    /** Gson appends a troubleshooting link on a second line; the first line says what and where. */
    private static String firstLine(Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private void readMetadata(JsonReader json, Map<String, String> metadata) throws IOException {
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            if (metadata.containsKey(key)) {
                throw fail("__metadata__ names '" + key + "' twice");
            }
            if (json.peek() != JsonToken.STRING) {
                throw new IllegalStateException("__metadata__ value of '" + key + "' must be a string, found " + json.peek());
            }
            metadata.put(key, json.nextString());
        }
        json.endObject();
    }

    private Entry readEntry(JsonReader json, int index, String name) throws IOException {
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        Set<String> fields = new HashSet<>();
        json.beginObject();
        while (json.hasNext()) {
            String key = json.nextName();
            if (!fields.add(key)) {
                throw fail("tensor '" + name + "' has field '" + key + "' twice");
            }
            switch (key) {
                case "dtype" -> dtype = json.nextString();
                case "shape" -> shape = readLongs(json);
                case "data_offsets" -> offsets = readLongs(json);
                default -> throw fail("tensor '" + name + "' has an unknown field '" + key + "'");
            }
        }
        json.endObject();
        if (dtype == null || shape == null || offsets == null) {
            throw fail("tensor '" + name + "' lacks " + (dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets"));
        }
        if (!dtype.equals(Safetensors.F32)) {
            throw fail("tensor '" + name + "' has dtype " + dtype + "; only F32 (float32) is supported");
        }
        return entry(index, name, shape, offsets);
    }

    private Entry entry(int index, String name, long[] shape, long[] offsets) throws SafetensorsFormatException {
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
                throw fail("tensor '" + name + "' has shape " + Arrays.toString(shape) + " with an impossible size");
            }
            dims[i] = (int) shape[i];
        }
        // Capped product: both factors stay below 2^31, so it never overflows. A 0 counts as 1, as
        // in Tensor's own check: the other sizes still set strides, which must fit an int.
        long extent = 1;
        for (long d : shape) {
            extent = Math.min(extent * Math.max(d, 1), MAX_ELEMENTS + 1);
        }
        if (extent > MAX_ELEMENTS) {
            throw fail("tensor '" + name + "' has shape " + Arrays.toString(shape) + ": more elements than a Java array"
                    + " holds (" + MAX_ELEMENTS + (Arrays.stream(shape).anyMatch(d -> d == 0) ? ", a size 0 counted as 1"
                    : "") + ")");
        }
        long numel = Arrays.stream(shape).anyMatch(d -> d == 0) ? 0 : extent;
        if (offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw fail("tensor '" + name + "' has data_offsets " + Arrays.toString(offsets)
                    + "; expected [begin, end] with 0 <= begin <= end");
        }
        if (offsets[1] - offsets[0] != 4 * numel) {
            throw fail("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + 4 * numel
                    + " bytes of F32 but data_offsets " + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]));
        }
        return new Entry(index, name, dims, offsets[0], offsets[1]);
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

    /**
     * The entries in data order, checked to cover the data section exactly once as the format
     * requires; {@code dataSize} is {@link #UNKNOWN} for a stream, which ends where the last tensor does.
     */
    private List<Entry> checkTiling(List<Entry> entries, long dataSize) throws SafetensorsFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        for (Entry entry : byOffset) {
            if (entry.begin != expected) {
                throw fail("tensor '" + entry.name + "' data_offsets [" + entry.begin + ", " + entry.end + "] "
                        + (entry.begin < expected ? "overlap another tensor" : "leave a gap")
                        + "; expected it to start at " + expected);
            }
            expected = entry.end;
        }
        if (dataSize != UNKNOWN && expected != dataSize) {
            throw fail("the tensors' data ends at byte " + expected + " of the data section but the " + kind()
                    + " has " + dataSize + " data bytes (" + (expected > dataSize ? "truncated" : "trailing bytes") + ")");
        }
        return byOffset;
    }
}
