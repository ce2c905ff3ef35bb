package org.vectorgrad.nn.models;

import org.vectorgrad.nn.Module;

/** What the models share. */
final class Models {
    private Models() {
    }

    /** True when any of {@code modules} (null entries skipped) has a forward hook, which may keep what it sees. */
    static boolean anyHooks(Module... modules) {
        for (Module module : modules) {
            if (module != null && module.hasForwardHooks()) {
                return true;
            }
        }
        return false;
    }
}
