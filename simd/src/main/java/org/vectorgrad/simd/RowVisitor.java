package org.vectorgrad.simd;

/** Receives one row of a {@link RowWalk}. */
@FunctionalInterface
interface RowVisitor {
    /**
     * Processes {@code length} elements; operand k's first element is at {@code offsets[k]} and
     * its next ones {@link RowWalk#innerStride(int)} apart. The array is reused: don't keep it.
     */
    void row(int[] offsets, int length);
}
