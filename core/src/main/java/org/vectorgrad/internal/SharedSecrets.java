package org.vectorgrad.internal;

import java.lang.invoke.MethodHandles;
import org.vectorgrad.Tensor;

/**
 * Hands {@link TensorInternals} from {@code org.vectorgrad}, which installs it when {@link Tensor}
 * is initialised, to the packages of this module that need it (the JDK's SharedSecrets pattern).
 * Not API: this package is not exported.
 */
public final class SharedSecrets {
    private static volatile TensorInternals tensorInternals;

    private SharedSecrets() {
    }

    /** Called once, by {@link Tensor}'s static initialiser. */
    public static void setTensorInternals(TensorInternals internals) {
        if (tensorInternals != null) {
            throw new IllegalStateException("TensorInternals are already installed");
        }
        tensorInternals = internals;
    }

    public static TensorInternals tensorInternals() {
        TensorInternals internals = tensorInternals;
        if (internals == null) {
            ensureInitialized(Tensor.class);
            internals = tensorInternals;
        }
        return internals;
    }

    private static void ensureInitialized(Class<?> type) {
        try {
            MethodHandles.lookup().ensureInitialized(type);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
