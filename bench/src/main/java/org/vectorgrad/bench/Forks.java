package org.vectorgrad.bench;

import java.util.Optional;

/** What a benchmark fork checks before it measures the engine. */
final class Forks {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private Forks() {
    }

    /**
     * Fails the trial when the fork lacks the Vector API module, so the engine would run its scalar
     * fallback: JMH's {@code -jvmArgsAppend} on the command line replaces a benchmark's own flags,
     * {@code --add-modules} included, and such a fork timed a ResNet-18 step at 6 s instead of 0.1 s
     * (only a logged warning told). Checks the module, not the kernels, so a cold-start benchmark
     * loads nothing before its measurement.
     */
    static void requireVectorModule() {
        requireVectorModule(ModuleLayer.boot().findModule(VECTOR_MODULE).map(Module::getName));
    }

    static void requireVectorModule(Optional<String> module) {
        if (module.isEmpty()) {
            throw new IllegalStateException("this benchmark fork runs without " + VECTOR_MODULE
                    + ", so Vectorgrad would measure its scalar kernels: a -jvmArgsAppend given to JMH replaces"
                    + " the benchmark's own flags; pass -jvmArgsAppend \"--add-modules=" + VECTOR_MODULE
                    + " <your flags>\"");
        }
    }
}
