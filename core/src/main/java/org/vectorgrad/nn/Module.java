package org.vectorgrad.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.vectorgrad.RemovableHandle;
import org.vectorgrad.Tensor;

/**
 * The base of every layer, as in {@code torch.nn.Module}: it owns parameters, buffers and child
 * modules, registered in insertion order, so that {@link #namedParameters()} and
 * {@link #stateDict()} produce PyTorch's dotted names in PyTorch's order.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    /** Forward hooks in registration order; null until the first registration. */
    private volatile List<ForwardHook> forwardHooks;

    public abstract Tensor forward(Tensor x);

    /**
     * Runs after {@link #forward} when the module is invoked through {@link #call}, as PyTorch's
     * {@code register_forward_hook(hook(module, input, output))}: a non-null result replaces the
     * output (and is what the next hook sees); null keeps it.
     */
    @FunctionalInterface
    public interface ForwardHook {
        Tensor apply(Module module, Tensor input, Tensor output);
    }

    /**
     * {@link #forward} followed by this module's forward hooks (PyTorch's {@code module(x)}).
     * Containers ({@link Sequential}, the models) invoke their children this way, so hooks on
     * submodules run; calling {@code forward} directly skips this module's hooks, as in PyTorch.
     */
    public final Tensor call(Tensor x) {
        Tensor output = forward(x);
        List<ForwardHook> hooks = forwardHooks;
        if (hooks != null) {
            for (ForwardHook hook : hooks) {
                Tensor replaced = hook.apply(this, x, output);
                if (replaced != null) {
                    output = replaced;
                }
            }
        }
        return output;
    }

    /** True when a forward hook (which may keep this module's input or output) is registered. */
    public final boolean hasForwardHooks() {
        List<ForwardHook> hooks = forwardHooks;
        return hooks != null && !hooks.isEmpty();
    }

    /** Registers {@code hook} to run after every {@link #call} of this module; the handle removes it. */
    public final synchronized RemovableHandle registerForwardHook(ForwardHook hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        if (forwardHooks == null) {
            forwardHooks = new CopyOnWriteArrayList<>();
        }
        List<ForwardHook> hooks = forwardHooks;
        ForwardHook registered = (module, input, output) -> hook.apply(module, input, output);
        hooks.add(registered);
        return () -> hooks.remove(registered);
    }

    /** Registers a trainable leaf (it is made to require grad); returns it. */
    protected final Tensor registerParameter(String name, Tensor parameter) {
        checkNewName(name);
        parameters.put(name, parameter.requiresGrad(true));
        return parameter;
    }

    /** Registers persistent state that is not trained (e.g. running statistics); returns it. */
    protected final Tensor registerBuffer(String name, Tensor buffer) {
        checkNewName(name);
        buffers.put(name, buffer);
        return buffer;
    }

    /** Registers a child module under {@code name}; its entries appear as {@code name.…}; returns it. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkNewName(name);
        children.put(name, module);
        return module;
    }

    private void checkNewName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module, parameter and buffer names must be non-empty and"
                    + " contain no \".\", got \"" + name + "\"");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("attribute '" + name + "' already exists");
        }
    }

    /** The trainable tensors of this module and its descendants, each once, in registration order. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Parameters by dotted name ({@code layer1.0.conv1.weight}), insertion-ordered; a tensor shared by
     * two modules appears once, under its first name, as in PyTorch.
     */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        namedModules().forEach((prefix, module) -> module.parameters.forEach((name, parameter) -> {
            if (seen.add(parameter)) {
                named.put(qualified(prefix, name), parameter);
            }
        }));
        return named;
    }

    /** Buffers (running statistics, counters) by dotted name, insertion-ordered. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> named = new LinkedHashMap<>();
        namedModules().forEach((prefix, module) ->
                module.buffers.forEach((name, buffer) -> named.put(qualified(prefix, name), buffer)));
        return named;
    }

    /** This module (under "") and all its descendants, depth first in registration order. */
    public Map<String, Module> namedModules() {
        Map<String, Module> modules = new LinkedHashMap<>();
        collectModules("", modules);
        return modules;
    }

    private void collectModules(String prefix, Map<String, Module> into) {
        into.put(prefix, this);
        children.forEach((name, child) -> child.collectModules(qualified(prefix, name), into));
    }

    /** The direct children by name, in registration order. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /** Python's spelling of a boolean, for {@link #extraRepr()}. */
    static String py(boolean value) {
        return value ? "True" : "False";
    }

    /** Python's repr of a float argument (shortest digits; exponent form below 1e-4 or from 1e16). */
    static String pyFloat(float value) {
        java.math.BigDecimal exact = new java.math.BigDecimal(Float.toString(value)).stripTrailingZeros();
        double magnitude = Math.abs(value);
        if (value == 0f || (magnitude >= 1e-4 && magnitude < 1e16)) {
            String plain = exact.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
                + String.format(java.util.Locale.ROOT, "%02d", Math.abs(exponent));
    }

    static String qualified(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }

    /** Sets training mode on this module and every descendant; returns this. */
    public Module train(boolean mode) {
        namedModules().values().forEach(module -> module.training = mode);
        return this;
    }

    public Module train() {
        return train(true);
    }

    public Module eval() {
        return train(false);
    }

    public boolean isTraining() {
        return training;
    }

    /** Drops every parameter's gradient ({@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        parameters().forEach(Tensor::zeroGrad);
    }

    /**
     * Parameters then buffers of each module, depth first, under dotted names: PyTorch's
     * {@code state_dict()} order. The values are detached views sharing the module's storage.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> state = new LinkedHashMap<>();
        namedModules().forEach((prefix, module) -> {
            module.parameters.forEach((name, parameter) -> state.put(qualified(prefix, name), parameter.detach()));
            module.buffers.forEach((name, buffer) -> state.put(qualified(prefix, name), buffer.detach()));
        });
        return state;
    }

    /**
     * Copies {@code state} into this module's parameters and buffers ({@code load_state_dict}, strict).
     * Every key and shape is checked before anything is copied, so on error (an
     * IllegalArgumentException with PyTorch's message) the module is untouched.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        loadStateDict(state, true);
    }

    /**
     * {@code load_state_dict(state, strict)}: copies every entry of {@code state} whose key names a
     * parameter or buffer of this module and returns the keys PyTorch reports. Strict, a missing or
     * unexpected key is an error; either way a shape mismatch (or a null value) is. Everything is
     * checked before anything is copied: when it throws (an IllegalArgumentException with PyTorch's
     * message) the module is untouched, where PyTorch would have copied the entries that matched.
     */
    public LoadResult loadStateDict(Map<String, Tensor> state, boolean strict) {
        return StateLoader.load(this, state, strict);
    }

    /**
     * What {@link #loadStateDict(Map, boolean)} did not load (PyTorch's {@code _IncompatibleKeys}):
     * this module's keys absent from the state, and the state's keys this module does not have,
     * both in PyTorch's order (modules depth first; within one, state order).
     */
    public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
        public LoadResult {
            missingKeys = List.copyOf(missingKeys);
            unexpectedKeys = List.copyOf(unexpectedKeys);
        }
    }

    /** The own (non-inherited) parameters and buffers of this module, by local name, in state order. */
    final Map<String, Tensor> localState() {
        Map<String, Tensor> local = new LinkedHashMap<>(parameters);
        local.putAll(buffers);
        return local;
    }

    /** The text inside this module's parentheses in {@link #toString()}, e.g. {@code 3, 4, bias=True}. */
    protected String extraRepr() {
        return "";
    }

    /** PyTorch's module repr: the class name, {@link #extraRepr()} and the children, indented. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(getClass().getSimpleName()).append('(');
        String extra = extraRepr();
        if (children.isEmpty()) {
            return out.append(extra).append(')').toString();
        }
        if (!extra.isEmpty()) {
            out.append("\n  ").append(extra.replace("\n", "\n  "));
        }
        children.forEach((name, child) ->
                out.append("\n  (").append(name).append("): ").append(child.toString().replace("\n", "\n  ")));
        return out.append("\n)").toString();
    }
}
