package org.vectorgrad.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vectorgrad.Tensor;

/** Validates a saved optimizer state against the parameters before anything is restored. */
final class OptimizerState {
    private OptimizerState() {
    }

    /**
     * The per-parameter state in {@code saved}, copied, one map per parameter; throws an
     * IllegalArgumentException listing every problem (nothing is restored by the caller then).
     */
    static List<Map<String, Tensor>> parse(String owner, Map<String, Tensor> saved, List<Tensor> params,
                                           List<String> names) {
        List<String> errors = new ArrayList<>();
        List<Map<String, Tensor>> restored = new ArrayList<>();
        params.forEach(p -> restored.add(new LinkedHashMap<>()));
        Tensor lr = saved.get("lr");
        Tensor bits = saved.get("lr_bits");
        if (lr == null || lr.numel() != 1) {
            errors.add("\"lr\" must be a one-element tensor");
        }
        if (bits != null && !Hyper.isEncoded(bits)) {
            errors.add("\"lr_bits\" must hold four 16-bit chunks");
        }
        for (Map.Entry<String, Tensor> entry : saved.entrySet()) {
            String key = entry.getKey();
            if (key.equals("lr") || key.equals("lr_bits")) {
                continue;
            }
            String[] parts = key.split("\\.", 3);
            int index = parts.length == 3 && parts[0].equals("state") ? parseIndex(parts[1]) : -1;
            if (index < 0 || index >= params.size() || !names.contains(parts[2])) {
                errors.add("unexpected key \"" + key + "\" (this optimizer has " + params.size()
                        + " parameters and state " + names + ")");
                continue;
            }
            int[] expected = parts[2].equals("step") ? new int[0] : params.get(index).shape();
            Tensor value = entry.getValue();
            if (!Arrays.equals(value.shape(), expected)) {
                errors.add("size mismatch for " + key + ": copying a state with shape " + Arrays.toString(value.shape())
                        + ", the parameter needs " + Arrays.toString(expected));
                continue;
            }
            if (parts[2].equals("step") && !(value.item() >= 0 && value.item() == Math.rint(value.item()))) {
                errors.add(key + " must be a whole number of steps >= 0, got " + value.item());
                continue;
            }
            restored.get(index).put(parts[2], Optimizer.copyOf(value));
        }
        for (int i = 0; i < restored.size(); i++) {
            if (!restored.get(i).isEmpty() && restored.get(i).size() != names.size()) {
                errors.add("incomplete state for parameter " + i + ": has " + restored.get(i).keySet() + ", needs "
                        + names);
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + owner + ":\n\t"
                    + String.join("\n\t", errors));
        }
        for (Map<String, Tensor> one : restored) {
            reorder(one, names);
        }
        return restored;
    }

    private static void reorder(Map<String, Tensor> state, List<String> names) {
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (String name : names) {
            if (state.containsKey(name)) {
                ordered.put(name, state.get(name));
            }
        }
        state.clear();
        state.putAll(ordered);
    }

    private static int parseIndex(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
