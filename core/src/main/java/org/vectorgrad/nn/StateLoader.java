package org.vectorgrad.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;

/**
 * {@code Module.load_state_dict(state, strict)} with PyTorch 1.13's key lists and error messages,
 * but transactional: PyTorch copies every matching entry before it reports the others; here
 * nothing is copied unless the load succeeds.
 */
final class StateLoader {
    private StateLoader() {
    }

    static Module.LoadResult load(Module root, Map<String, Tensor> state, boolean strict) {
        if (state.keySet().stream().anyMatch(key -> key == null)) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + root.getClass().getSimpleName()
                    + ": the state has a null key");
        }
        Check check = new Check(state);
        root.namedModules().forEach(check::module);
        List<String> errors = new ArrayList<>(check.errors);
        // As in PyTorch, missing and unexpected keys are errors only when strict; the rest always are.
        if (strict && !check.unexpected.isEmpty()) {
            errors.addFirst("Unexpected key(s) in state_dict: " + quoted(check.unexpected) + ". ");
        }
        if (strict && !check.missing.isEmpty()) {
            errors.addFirst("Missing key(s) in state_dict: " + quoted(check.missing) + ". ");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Error(s) in loading state_dict for " + root.getClass().getSimpleName()
                    + ":\n\t" + String.join("\n\t", errors));
        }
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            check.copies.forEach(copy -> copy.own.copyFrom(copy.given));
        }
        return new Module.LoadResult(check.missing, check.unexpected);
    }

    private record Copy(Tensor own, Tensor given) {
    }

    /** Every problem found, in PyTorch's order, and the entries to copy once there are none. */
    private static final class Check {
        final Map<String, Tensor> state;
        final List<Copy> copies = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        final List<String> unexpected = new ArrayList<>();
        final List<String> errors = new ArrayList<>();

        Check(Map<String, Tensor> state) {
            this.state = state;
        }

        /** One module's own entries (PyTorch's _load_from_state_dict), then the keys under its prefix that name nothing it has. */
        void module(String prefix, Module module) {
            String dotted = prefix.isEmpty() ? "" : prefix + ".";
            Map<String, Tensor> local = module.localState();
            local.forEach((name, own) -> entry(dotted + name, own));
            for (String key : state.keySet()) {
                String first = key.startsWith(dotted) ? key.substring(dotted.length()).split("\\.", 2)[0] : null;
                if (first != null && !local.containsKey(first) && !module.namedChildren().containsKey(first)) {
                    unexpected.add(key);
                }
            }
        }

        private void entry(String key, Tensor own) {
            if (!state.containsKey(key)) {
                missing.add(key);
                return;
            }
            Tensor given = state.get(key);
            if (given == null) {
                errors.add("While copying the parameter named \"" + key + "\", expected torch.Tensor or Tensor-like"
                        + " object from checkpoint but received <class 'NoneType'>");
                return;
            }
            // PyTorch's compatibility rule for checkpoints from 0.3: a 1-d entry fills a 0-d tensor with its element 0.
            if (own.dim() == 0 && given.dim() == 1 && given.numel() > 0) {
                given = given.select(0, 0);
            }
            if (!Arrays.equals(given.shape(), own.shape())) {
                errors.add("size mismatch for " + key + ": copying a param with shape " + size(given.shape())
                        + " from checkpoint, the shape in current model is " + size(own.shape()) + ".");
            } else {
                copies.add(new Copy(own, given));
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
