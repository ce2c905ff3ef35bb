package org.vectorgrad.optim;

import org.vectorgrad.Tensor;

/** Hyper-parameter conversions and checks shared by the optimizers and schedulers. */
final class Hyper {
    private Hyper() {
    }

    /**
     * The double a float literal stands for: 0.9f becomes 0.9, not 0.89999997615814. NOTE: PyTorch
     * computes {@code 1 - beta1}, {@code beta2 ** step} and schedules in double from the decimal the
     * user typed; starting from the float's binary value would change those results in the last bits.
     */
    static double decimal(float value) {
        return Float.isFinite(value) ? Double.parseDouble(Float.toString(value)) : value;
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A double as four floats, each an exact 16-bit chunk (high first): float tensors hold it losslessly. */
    static Tensor encode(double value) {
        long bits = Double.doubleToRawLongBits(value);
        float[] chunks = new float[4];
        for (int i = 0; i < 4; i++) {
            chunks[i] = (bits >>> (48 - 16 * i)) & 0xffff;
        }
        return Tensor.fromArray(chunks, 4);
    }

    static double decode(Tensor chunks) {
        float[] values = chunks.toArray();
        long bits = 0;
        for (float chunk : values) {
            bits = (bits << 16) | ((long) chunk & 0xffff);
        }
        return Double.longBitsToDouble(bits);
    }

    /** Whether t holds a double written by {@link #encode(double)}. */
    static boolean isEncoded(Tensor t) {
        if (t.dim() != 1 || t.numel() != 4) {
            return false;
        }
        for (float chunk : t.toArray()) {
            if (!(chunk >= 0 && chunk <= 0xffff && chunk == Math.rint(chunk))) {
                return false;
            }
        }
        return true;
    }
}
