package org.vectorgrad.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.vectorgrad.nn.Module;

/**
 * Models kept in an executor JVM between tasks, so that a model is built and loaded once per
 * executor (inference) or once per worker (the per-step fallback), not once per task. A few
 * entries at most: older ones are dropped for the garbage collector.
 */
final class ModelCache {
    private static final int ENTRIES = 8;
    private static final Map<String, Module> MODELS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Module> eldest) {
            return size() > ENTRIES;
        }
    };

    private ModelCache() {
    }

    /** The model under {@code key}, built by {@code load} the first time (concurrent callers wait for one load). */
    static Module get(String key, Supplier<Module> load) {
        synchronized (MODELS) {
            return MODELS.computeIfAbsent(key, k -> load.get());
        }
    }
}
