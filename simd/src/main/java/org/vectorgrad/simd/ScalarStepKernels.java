package org.vectorgrad.simd;

/**
 * The plain-loop references of the fused training-step kernels: ReLU's backward and the
 * optimizer updates, each one pass over contiguous operands. Every float operation is written out
 * in PyTorch's order with one rounding each (no fused multiply-add), so the updates reproduce
 * PyTorch's {@code add_(other, alpha)}, {@code mul_}, {@code addcmul_} and {@code addcdiv_} chains
 * bit for bit. {@link VectorStepKernels} runs the same operations lanewise.
 */
final class ScalarStepKernels {
    private ScalarStepKernels() {
    }

    /** dst[i] = self[i] &lt;= threshold ? 0 : grad[i]; a NaN self passes the gradient. */
    static void thresholdBackward(int from, int to, float threshold, float[] grad, int g, float[] self, int s,
                                  float[] dst, int d) {
        for (int i = from; i < to; i++) {
            dst[d + i] = self[s + i] <= threshold ? 0f : grad[g + i];
        }
    }

    /** One SGD update of elements [from, to); {@code firstStep} seeds the momentum buffer with the direction. */
    static void sgd(int from, int to, SgdStep h, float[] param, int p, float[] grad, int g, float[] buffer, int b,
                    boolean firstStep) {
        for (int i = from; i < to; i++) {
            float direction = grad[g + i];
            if (h.weightDecay() != 0f) {
                direction = direction + param[p + i] * h.weightDecay();
            }
            if (h.momentum() != 0f) {
                float buf = firstStep ? direction
                        : buffer[b + i] * h.momentum() + direction * h.dampeningComplement();
                buffer[b + i] = buf;
                direction = h.nesterov() ? direction + buf * h.momentum() : buf;
            }
            param[p + i] = param[p + i] + direction * h.negativeLr();
        }
    }

    /** One Adam/AdamW update of elements [from, to) of param and its two moments. */
    static void adam(int from, int to, AdamStep h, float[] param, int p, float[] grad, int g, float[] expAvg,
                     int m, float[] expAvgSq, int v) {
        for (int i = from; i < to; i++) {
            float x = param[p + i] * h.decay();
            float gi = grad[g + i];
            if (h.weightDecay() != 0f) {
                gi = gi + x * h.weightDecay();
            }
            float avg = expAvg[m + i] * h.beta1() + gi * h.beta1Complement();
            float sq = expAvgSq[v + i] * h.beta2() + gi * h.beta2Complement() * gi;
            expAvg[m + i] = avg;
            expAvgSq[v + i] = sq;
            float denom = (float) Math.sqrt(sq) / h.biasCorrection2Sqrt() + h.eps();
            param[p + i] = x + avg * h.negativeStepSize() / denom;
        }
    }
}
