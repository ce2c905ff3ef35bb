package org.vectorgrad.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API versions of {@link ScalarStepKernels}: the same float operations in the same
 * order, lanewise (a separate multiply and add, never a fused multiply-add), so every lane equals
 * the reference bit for bit. Work splits on {@link VectorKernels#GRANULE} boundaries across
 * {@link Parallel} threads; elements are independent, so any split gives the same result.
 */
final class VectorStepKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorStepKernels() {
    }

    /**
     * The fewest elements of a parallel chunk: a quarter of {@link VectorKernels#MIN_CHUNK}, about
     * 10 µs of an SGD update. These kernels run inside a training step right after a parallel
     * GEMM, while the workers still spin ({@link Team#SPIN_NANOS}) and join within a microsecond
     * instead of the 30-60 µs of a parked one. An MLP's 784x256 weight (200k elements) now updates
     * on both threads: its 2-thread step ran 5-10% faster (in-JVM A/B, alternating order).
     */
    static final int MIN_CHUNK = VectorKernels.MIN_CHUNK / 4;

    /** Runs body over [0, n) in granule-aligned chunks of at least MIN_CHUNK elements. */
    private static void chunked(int n, Parallel.Range body) {
        int granule = VectorKernels.GRANULE;
        int granules = (n + granule - 1) / granule;
        Parallel.forRange(granules, MIN_CHUNK / granule,
                (from, to) -> body.run(from * granule, Math.min(to * granule, n)));
    }

    static void thresholdBackward(int n, float threshold, float[] grad, int g, float[] self, int s, float[] dst,
                                  int d) {
        chunked(n, (from, to) -> {
            int i = from;
            for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, self, s + i);
                FloatVector.fromArray(SPECIES, grad, g + i).blend(0f, x.compare(VectorOperators.LE, threshold))
                        .intoArray(dst, d + i);
            }
            // scalar tail
            ScalarStepKernels.thresholdBackward(i, to, threshold, grad, g, self, s, dst, d);
        });
    }

    static void sgd(int n, SgdStep h, float[] param, int p, float[] grad, int g, float[] buffer, int b,
                    boolean firstStep) {
        chunked(n, (from, to) -> {
            int i = from;
            for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, param, p + i);
                FloatVector direction = FloatVector.fromArray(SPECIES, grad, g + i);
                if (h.weightDecay() != 0f) {
                    direction = direction.add(x.mul(h.weightDecay()));
                }
                if (h.momentum() != 0f) {
                    FloatVector buf = firstStep ? direction : FloatVector.fromArray(SPECIES, buffer, b + i)
                            .mul(h.momentum()).add(direction.mul(h.dampeningComplement()));
                    buf.intoArray(buffer, b + i);
                    direction = h.nesterov() ? direction.add(buf.mul(h.momentum())) : buf;
                }
                x.add(direction.mul(h.negativeLr())).intoArray(param, p + i);
            }
            // scalar tail
            ScalarStepKernels.sgd(i, to, h, param, p, grad, g, buffer, b, firstStep);
        });
    }

    static void adam(int n, AdamStep h, float[] param, int p, float[] grad, int g, float[] expAvg, int m,
                     float[] expAvgSq, int v) {
        chunked(n, (from, to) -> {
            int i = from;
            for (int bound = from + SPECIES.loopBound(to - from); i < bound; i += SPECIES.length()) {
                FloatVector x = FloatVector.fromArray(SPECIES, param, p + i).mul(h.decay());
                FloatVector gi = FloatVector.fromArray(SPECIES, grad, g + i);
                if (h.weightDecay() != 0f) {
                    gi = gi.add(x.mul(h.weightDecay()));
                }
                FloatVector avg = FloatVector.fromArray(SPECIES, expAvg, m + i).mul(h.beta1())
                        .add(gi.mul(h.beta1Complement()));
                FloatVector sq = FloatVector.fromArray(SPECIES, expAvgSq, v + i).mul(h.beta2())
                        .add(gi.mul(h.beta2Complement()).mul(gi));
                avg.intoArray(expAvg, m + i);
                sq.intoArray(expAvgSq, v + i);
                FloatVector denom = sq.sqrt().div(h.biasCorrection2Sqrt()).add(h.eps());
                x.add(avg.mul(h.negativeStepSize()).div(denom)).intoArray(param, p + i);
            }
            // scalar tail
            ScalarStepKernels.adam(i, to, h, param, p, grad, g, expAvg, m, expAvgSq, v);
        });
    }
}
