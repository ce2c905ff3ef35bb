package org.vectorgrad;

/**
 * Undoes a registration ({@code torch.utils.hooks.RemovableHandle}): returned by
 * {@link Tensor#registerHook} and {@code Module.registerForwardHook}. Removing twice is harmless.
 */
@FunctionalInterface
public interface RemovableHandle {
    /** Unregisters the hook: it does not run again. */
    void remove();
}
