package org.vectorgrad.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * {@code Module.load_state_dict(strict=True)} with PyTorch's error messages, but transactional:
 * PyTorch copies every matching entry before it reports the others; here nothing is copied unless
 * every entry matches.
 */
final class StateLoader {
    private StateLoader() {
    }

    static void load(Module root, Map<String, Tensor> state) {
        Map<String, Tensor> targets = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        root.namedModules().forEach((prefix, module) -> {
            String dotted = prefix.isEmpty() ? "" : prefix + ".";
            Map<String, Tensor> local = module.localState();
            local.forEach((name, own) -> {
                String key = dotted + name;
                Tensor given = state.get(key);
                if (given == null) {
                    missing.add(key);
                } else if (!Arrays.equals(given.shape(), own.shape())) {
                    errors.add("size mismatch for " + key + ": copying a param with shape " + size(given.shape())
                            + " from checkpoint, the shape in current model is " + size(own.shape()) + ".");
                } else {
                    targets.put(key, own);
                }
            });
            for (String key : state.keySet()) {
                if (key.startsWith(dotted)) {
                    String first = key.substring(dotted.length()).split("\\.", 2)[0];
                    if (!local.containsKey(first) && !module.namedChildren().containsKey(first)) {
                        unexpected.add(key);
                    }
                }
            }
        });
        if (!unexpected.isEmpty()) {
            errors.addFirst("Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
        }
        if (!missing.isEmpty()) {
            errors.addFirst("Missing key(s) in state_dict: " + quoted(missing) + ". ");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + root.getClass().getSimpleName()
                    + ":\n\t" + String.join("\n\t", errors));
        }
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            targets.forEach((key, own) -> own.copyFrom(state.get(key)));
        }
    }

    private static String quoted(List<String> keys) {
        return keys.stream().map(key -> "\"" + key + "\"").collect(Collectors.joining(", "));
    }

    /** PyTorch's {@code torch.Size([2, 3])} spelling of a shape. */
    static String size(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }
}
