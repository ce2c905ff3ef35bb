package org.vectorgrad.nn;

/** Argument and input checks shared by the 2-D pooling layers, with PyTorch's messages. */
final class Pool2d {
    private Pool2d() {
    }

    static void checkWindow(int kernel, int stride, int padding) {
        if (kernel <= 0 || stride <= 0) {
            throw new IllegalArgumentException("kernel_size and stride must be greater than zero, but got kernel_size="
                    + kernel + " and stride=" + stride);
        }
        if (padding < 0 || padding > kernel / 2) {
            throw new IllegalArgumentException("pad should be at most half of kernel size, but got pad=" + padding
                    + " and kernel_size=" + kernel);
        }
    }

    /** 3-D (C×H×W) or 4-D (N×C×H×W) input with no empty C, H or W. */
    static void checkInput(int[] shape) {
        boolean ok = shape.length == 3 || shape.length == 4;
        for (int d = shape.length - 3; ok && d < shape.length; d++) {
            ok = shape[d] > 0;
        }
        if (!ok) {
            throw new IllegalArgumentException("non-empty 3D or 4D (batch mode) tensor expected for input, got "
                    + java.util.Arrays.toString(shape));
        }
    }
}
