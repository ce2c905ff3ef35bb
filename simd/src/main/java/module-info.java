/**
 * Vectorgrad's kernels on {@code float[]} + offsets + strides and its thread team scheduler. An
 * implementation module: its package is exported to the core module only, so nothing but
 * {@code org.vectorgrad.core} can depend on kernel signatures, and simd cannot import core.
 */
module org.vectorgrad.simd {
    requires transitive jdk.incubator.vector;
    // HotSpotDiagnosticMXBean tells whether C2 is on (the Vector API is slow without it).
    requires jdk.management;

    exports org.vectorgrad.simd to org.vectorgrad.core;
}
