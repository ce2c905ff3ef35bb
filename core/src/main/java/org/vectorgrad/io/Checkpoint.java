package org.vectorgrad.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vectorgrad.Tensor;

/**
 * A training checkpoint as one safetensors file: the model's state under {@code model.<name>}
 * (PyTorch's state_dict names), the optimizer's state under {@code optimizer.<name>}, and
 * string metadata (epoch, history, options) in {@code __metadata__}, marked with {@link #FORMAT}.
 */
public final class Checkpoint {
    /** The {@code __metadata__} key that marks a Vectorgrad checkpoint, and its value. */
    public static final String FORMAT_KEY = "format";
    public static final String FORMAT = "vectorgrad-checkpoint-1";
    static final String MODEL_PREFIX = "model.";
    static final String OPTIMIZER_PREFIX = "optimizer.";

    private Checkpoint() {
    }

    /** What a checkpoint holds. */
    public record Contents(Path file, Map<String, Tensor> model, Map<String, Tensor> optimizer,
                           Map<String, String> metadata) {
        public Contents {
            model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
            optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /** A metadata value that must be there. */
        public String require(String key) throws SafetensorsFormatException {
            String value = metadata.get(key);
            if (value == null) {
                throw new SafetensorsFormatException(file, "checkpoint metadata lacks '" + key + "'");
            }
            return value;
        }
    }

    /** Writes a checkpoint atomically (see {@link Safetensors#write}). */
    public static void save(Path file, Map<String, Tensor> model, Map<String, Tensor> optimizer,
                            Map<String, String> metadata) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((name, t) -> tensors.put(MODEL_PREFIX + name, t));
        optimizer.forEach((name, t) -> tensors.put(OPTIMIZER_PREFIX + name, t));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FORMAT_KEY, FORMAT);
        metadata.forEach((key, value) -> {
            if (!key.equals(FORMAT_KEY)) {
                meta.put(key, value);
            }
        });
        Safetensors.write(file, tensors, meta);
    }

    /** Reads and validates a checkpoint file; nothing outside the returned value is touched. */
    public static Contents load(Path file) throws IOException {
        Safetensors.Contents contents = Safetensors.read(file);
        String format = contents.metadata().get(FORMAT_KEY);
        if (!FORMAT.equals(format)) {
            throw new SafetensorsFormatException(file, "not a Vectorgrad checkpoint: expected __metadata__ "
                    + FORMAT_KEY + " = " + FORMAT + ", found " + (format == null ? "none" : format));
        }
        Map<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> optimizer = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> entry : contents.tensors().entrySet()) {
            String name = entry.getKey();
            if (name.startsWith(MODEL_PREFIX)) {
                model.put(name.substring(MODEL_PREFIX.length()), entry.getValue());
            } else if (name.startsWith(OPTIMIZER_PREFIX)) {
                optimizer.put(name.substring(OPTIMIZER_PREFIX.length()), entry.getValue());
            } else {
                throw new SafetensorsFormatException(file, "tensor '" + name + "' is neither model. nor optimizer. state");
            }
        }
        return new Contents(file, model, optimizer, contents.metadata());
    }

    /**
     * Checks that {@code saved} has exactly the names and shapes of {@code expected} (a model's or
     * optimizer's current state), naming the file and the first tensor that differs.
     */
    public static void checkMatches(Path file, String what, Map<String, Tensor> saved, Map<String, Tensor> expected)
            throws SafetensorsFormatException {
        for (Map.Entry<String, Tensor> entry : expected.entrySet()) {
            Tensor found = saved.get(entry.getKey());
            if (found == null) {
                throw new SafetensorsFormatException(file, what + " state lacks tensor '" + entry.getKey()
                        + "' of shape " + Arrays.toString(entry.getValue().shape()));
            }
            if (!Arrays.equals(found.shape(), entry.getValue().shape())) {
                throw new SafetensorsFormatException(file, what + " tensor '" + entry.getKey() + "' has shape "
                        + Arrays.toString(found.shape()) + ", expected " + Arrays.toString(entry.getValue().shape()));
            }
        }
        for (String name : saved.keySet()) {
            if (!expected.containsKey(name)) {
                throw new SafetensorsFormatException(file, what + " state has unexpected tensor '" + name
                        + "'; expected only " + expected.keySet());
            }
        }
    }
}
