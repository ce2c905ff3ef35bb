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
        Check check = new Check(state);
        root.namedModules().forEach(check::module);
        List<String> errors = new ArrayList<>(check.errors);
        if (!check.unexpected.isEmpty()) {
            errors.addFirst("Unexpected key(s) in state_dict: " + quoted(check.unexpected) + ". ");
        }
        if (!check.missing.isEmpty()) {
            errors.addFirst("Missing key(s) in state_dict: " + quoted(check.missing) + ". ");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + root.getClass().getSimpleName()
                    + ":\n\t" + String.join("\n\t", errors));
        }
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            check.targets.forEach((key, own) -> own.copyFrom(state.get(key)));
        }
    }

    /** Every problem found, in PyTorch's order, and the entries to copy once there are none. */
    private static final class Check {
        final Map<String, Tensor> state;
        final Map<String, Tensor> targets = new LinkedHashMap<>();
        final List<String> missing = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        Check(Map<String, Tensor> state) {
            this.state = state;
        }

        /** One module's own entries, then the keys under its prefix that name nothing it has. */
        void module(String prefix, Module module) {
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
                String first = key.startsWith(dotted) ? key.substring(dotted.length()).split("\\.", 2)[0] : null;
                if (first != null && !local.containsKey(first) && !module.namedChildren().containsKey(first)) {
                    unexpected.add(key);
                }
            }
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
