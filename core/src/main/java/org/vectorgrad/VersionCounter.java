package org.vectorgrad;

/**
 * PyTorch's {@code _version}: one counter per storage, shared by every view of it (a view, a
 * detached alias and its base all carry the same instance), bumped by every in-place write. A
 * node records the counter of each tensor it saves; unpacking compares, so a saved tensor
 * changed before backward is an error instead of a silently wrong gradient. Plain int: writes to
 * one storage from several threads at once are a data race whatever the counter does.
 */
final class VersionCounter {
    private int value;

    int get() {
        return value;
    }

    void bump() {
        value++;
    }
}
