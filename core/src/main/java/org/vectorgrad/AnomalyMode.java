package org.vectorgrad;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * PyTorch's anomaly detection ({@code torch.autograd.detect_anomaly}), behind
 * {@link Autograd#detectAnomaly()}. Per thread and nesting; when no thread has a scope open, the
 * only cost is one read of {@link #OPEN_SCOPES} per recorded node and per node run in backward.
 */
final class AnomalyMode {
    /** Scopes open on any thread: lets the common case skip the thread-local lookup. */
    private static final AtomicInteger OPEN_SCOPES = new AtomicInteger();
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[1]);

    private AnomalyMode() {
    }

    static boolean isEnabled() {
        return OPEN_SCOPES.get() > 0 && ENABLED.get()[0];
    }

    /** Turns anomaly mode on for this thread; returns the action that restores the previous mode. */
    static Runnable enable() {
        boolean[] mode = ENABLED.get();
        boolean previous = mode[0];
        mode[0] = true;
        OPEN_SCOPES.incrementAndGet();
        return () -> {
            mode[0] = previous;
            OPEN_SCOPES.decrementAndGet();
        };
    }

    /** Where the node {@code name} was recorded, or null when anomaly mode is off. */
    static Throwable forwardTrace(String name) {
        return isEnabled() ? new ForwardTrace("Error detected in " + name + ". Traceback of forward call that"
                + " caused the error:", true) : null;
    }

    /**
     * PyTorch's check after each backward function under anomaly mode: NaN (not infinity, as in
     * PyTorch) in any returned gradient fails, naming the node and carrying its forward trace.
     */
    static void checkForNan(String name, Tensor[] grads, Throwable forwardTrace) {
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && containsNan(grads[i])) {
                throw new IllegalStateException("Function '" + name + "' returned nan values in its " + i
                        + "th output.", traceOrHint(forwardTrace));
            }
        }
    }

    /** An error of a node's backward under anomaly mode: attach where the node was recorded. */
    static void attachTrace(RuntimeException error, Throwable forwardTrace) {
        error.addSuppressed(traceOrHint(forwardTrace));
    }

    private static Throwable traceOrHint(Throwable forwardTrace) {
        return forwardTrace != null ? forwardTrace : new ForwardTrace("No forward pass information available."
                + " Enable detect anomaly during forward pass for more information.", false);
    }

    private static boolean containsNan(Tensor t) {
        for (float v : t.toArray()) {
            if (Float.isNaN(v)) {
                return true;
            }
        }
        return false;
    }

    /** The stack of a forward call: a Throwable used only for its stack trace and message. */
    static final class ForwardTrace extends Throwable {
        private static final long serialVersionUID = 1L;

        ForwardTrace(String message, boolean withStack) {
            super(message, null, false, withStack);
        }
    }
}
