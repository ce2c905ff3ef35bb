package org.vectorgrad.spark;

import java.util.Map;
import org.vectorgrad.Tensor;
import org.vectorgrad.io.Safetensors;
import org.vectorgrad.io.SafetensorsFormatException;

/** State dicts as safetensors bytes: what broadcasts and task results carry between driver and workers. */
final class StateBytes {
    private StateBytes() {
    }

    static byte[] encode(Map<String, Tensor> state) {
        return Safetensors.toBytes(state, Map.of());
    }

    static Map<String, Tensor> decode(byte[] bytes) {
        try {
            return Safetensors.fromBytes(bytes).tensors();
        } catch (SafetensorsFormatException e) {
            throw new IllegalStateException("state bytes from another Spark task do not parse: " + e.getMessage(), e);
        }
    }
}
