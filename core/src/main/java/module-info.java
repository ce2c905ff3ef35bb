/**
 * Vectorgrad: float32 tensors with PyTorch-style autograd, neural-network layers, optimizers,
 * data loading, metrics and safetensors I/O, on the JDK Vector API.
 */
module org.vectorgrad.core {
    requires org.vectorgrad.simd;
    requires jdk.incubator.vector;
    // The safetensors header is JSON.
    requires com.google.gson;
    // Optional: only org.vectorgrad.interop.PrimitiveLists touches it, for callers that have it.
    requires static org.eclipse.collections.api;
    requires static org.eclipse.collections.impl;

    exports org.vectorgrad;
    exports org.vectorgrad.data;
    exports org.vectorgrad.interop;
    exports org.vectorgrad.io;
    exports org.vectorgrad.metrics;
    exports org.vectorgrad.nn;
    exports org.vectorgrad.nn.models;
    exports org.vectorgrad.optim;
}
