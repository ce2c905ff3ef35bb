package org.vectorgrad;

/**
 * Element type. Storage is always float32; {@code BOOL} tensors (results of comparisons) hold
 * 0f/1f and print as {@code False}/{@code True}. Arithmetic on them yields {@code FLOAT32}.
 */
public enum DType {
    FLOAT32,
    BOOL
}
