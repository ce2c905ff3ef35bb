package org.vectorgrad.simd;

import java.util.Arrays;
import java.util.function.IntConsumer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The per-channel kernels of {@link VectorChannels} for short rows (small planes: a ResNet's 2×2
 * to 8×8 images), where a row of the N×C×inner block is a few elements and a per-row vector loop
 * is all tail and lane reduction: batch-norm statistics of 16×512×2×2 took 378 µs, 11 ns an
 * element. Here one sample's C·inner elements are one contiguous vector loop, per-channel
 * factors are expanded to one per element of a channel's row, and reductions sum columns down the
 * samples, vectorised across channels, before each channel's inner elements are added up.
 *
 * <p>Determinism: reductions split the channels over the threads, and each column is summed down
 * the samples in order (in float over blocks of {@link #BLOCK} samples, each block's sum then
 * added in double), so no value depends on the thread count.
 */
final class ColumnChannels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    /**
     * Rows at most this long take the column kernels: one vector. At 16×128×8×8 (rows of 64)
     * they were 1.2× faster in the forward pass but 0.85× in the backward one on 1 thread.
     */
    static final int SHORT_ROW = L;
    /** Samples summed in float before the block's sum is added in double. */
    private static final int BLOCK = 32;
    private static final int GRAIN = 1 << 14;

    private ColumnChannels() {
    }

    static boolean suits(int inner) {
        return inner >= 1 && inner <= SHORT_ROW;
    }

    static void moments(int outer, int channels, int inner, float[] x, int xOffset, float[] mean, float[] variance) {
        double count = (double) outer * inner;
        eachChannelRange(outer, channels, inner, (from, to) -> {
            Columns columns = new Columns(outer, channels, inner, from, to);
            columns.sums(x, xOffset);
            for (int c = from; c < to; c++) {
                mean[c] = (float) (columns.channelTotal(columns.first, c) / count);
            }
            float[] centre = columns.expand(mean);
            columns.squaredDeviations(x, xOffset, centre);
            for (int c = from; c < to; c++) {
                variance[c] = (float) (columns.channelTotal(columns.first, c) / count);
            }
        });
    }

    static void gradSums(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                         float[] centre, float[] sumGrad, float[] sumGradCentred) {
        eachChannelRange(outer, channels, inner, (from, to) -> {
            Columns columns = new Columns(outer, channels, inner, from, to);
            columns.gradProducts(grad, gradOffset, x, xOffset, columns.expand(centre));
            for (int c = from; c < to; c++) {
                sumGrad[c] = (float) columns.channelTotal(columns.first, c);
                sumGradCentred[c] = (float) columns.channelTotal(columns.second, c);
            }
        });
    }

    /** dst = x·scale[c] + shift[c], per element of channel c. */
    static void affine(int outer, int channels, int inner, float[] x, int xOffset, float[] scale, float[] shift,
                       float[] dst, int dstOffset) {
        int width = channels * inner;
        float[] s = expand(scale, 0, channels, inner);
        float[] b = expand(shift, 0, channels, inner);
        eachSample(outer, width, row -> {
            int at = xOffset + row;
            int out = dstOffset + row;
            int j = 0;
            for (int bound = SPECIES.loopBound(width); j < bound; j += L) {
                FloatVector.fromArray(SPECIES, x, at + j).fma(FloatVector.fromArray(SPECIES, s, j),
                        FloatVector.fromArray(SPECIES, b, j)).intoArray(dst, out + j);
            }
            for (; j < width; j++) {
                dst[out + j] = Math.fma(x[at + j], s[j], b[j]);
            }
        });
    }

    /** dst = grad·gradScale[c] + (x·xScale[c] + shift[c]), per element of channel c. */
    static void affine2(int outer, int channels, int inner, float[] grad, int gradOffset, float[] x, int xOffset,
                        float[] gradScale, float[] xScale, float[] shift, float[] dst, int dstOffset) {
        int width = channels * inner;
        float[] a = expand(gradScale, 0, channels, inner);
        float[] s = expand(xScale, 0, channels, inner);
        float[] b = expand(shift, 0, channels, inner);
        eachSample(outer, width, row -> {
            int g = gradOffset + row;
            int at = xOffset + row;
            int out = dstOffset + row;
            int j = 0;
            for (int bound = SPECIES.loopBound(width); j < bound; j += L) {
                FloatVector partial = FloatVector.fromArray(SPECIES, x, at + j).fma(
                        FloatVector.fromArray(SPECIES, s, j), FloatVector.fromArray(SPECIES, b, j));
                FloatVector.fromArray(SPECIES, grad, g + j).fma(FloatVector.fromArray(SPECIES, a, j), partial)
                        .intoArray(dst, out + j);
            }
            for (; j < width; j++) {
                dst[out + j] = Math.fma(grad[g + j], a[j], Math.fma(x[at + j], s[j], b[j]));
            }
        });
    }

    /** Runs {@code row} on the start (n·width) of every sample n's elements, the samples split over the threads. */
    private static void eachSample(int outer, int width, IntConsumer row) {
        Parallel.forRange(outer, Math.max(1, GRAIN / Math.max(1, width)), (from, to) -> {
            for (int n = from; n < to; n++) {
                row.accept(n * width);
            }
        });
    }

    /** Runs {@code task} on ranges of channels, each with enough elements to be worth a thread. */
    private static void eachChannelRange(int outer, int channels, int inner, Parallel.Range task) {
        Parallel.forRange(channels, Math.max(1, GRAIN / Math.max(1, outer * inner)), task);
    }

    // perChannel[c] repeated inner times, for channels [from, to).
    private static float[] expand(float[] perChannel, int from, int to, int inner) {
        float[] out = new float[(to - from) * inner];
        for (int c = from; c < to; c++) {
            Arrays.fill(out, (c - from) * inner, (c - from + 1) * inner, perChannel[c]);
        }
        return out;
    }

    /** Column sums over the samples for the channels [from, to) of one task. */
    private static final class Columns {
        final int outer;
        final int width;
        final int inner;
        final int from;
        final int start;
        final int length;
        final double[] first;
        final double[] second;
        private final float[] blockFirst;
        private final float[] blockSecond;

        Columns(int outer, int channels, int inner, int from, int to) {
            this.outer = outer;
            this.width = channels * inner;
            this.inner = inner;
            this.from = from;
            this.start = from * inner;
            this.length = (to - from) * inner;
            this.first = new double[length];
            this.second = new double[length];
            this.blockFirst = new float[length];
            this.blockSecond = new float[length];
        }

        float[] expand(float[] perChannel) {
            return ColumnChannels.expand(perChannel, from, from + length / inner, inner);
        }

        /** first = Σ over the samples of a, per element of the task's channels. */
        void sums(float[] a, int aOffset) {
            downTheSamples(n -> addRow(a, aOffset + n * width + start));
        }

        /** first = Σ (a − centre)². */
        void squaredDeviations(float[] a, int aOffset, float[] centre) {
            downTheSamples(n -> addSquaredDeviations(a, aOffset + n * width + start, centre));
        }

        /** first = Σ g, second = Σ g·(x − centre). */
        void gradProducts(float[] g, int gOffset, float[] x, int xOffset, float[] centre) {
            downTheSamples(n -> addProducts(g, gOffset + n * width + start, x, xOffset + n * width + start, centre));
        }

        private void downTheSamples(IntConsumer addSample) {
            Arrays.fill(first, 0);
            Arrays.fill(second, 0);
            for (int n0 = 0; n0 < outer; n0 += BLOCK) {
                Arrays.fill(blockFirst, 0f);
                Arrays.fill(blockSecond, 0f);
                for (int n = n0; n < Math.min(outer, n0 + BLOCK); n++) {
                    addSample.accept(n);
                }
                for (int j = 0; j < length; j++) {
                    first[j] += blockFirst[j];
                    second[j] += blockSecond[j];
                }
            }
        }

        private void addRow(float[] a, int at) {
            int j = 0;
            for (int bound = SPECIES.loopBound(length); j < bound; j += L) {
                FloatVector.fromArray(SPECIES, a, at + j).add(FloatVector.fromArray(SPECIES, blockFirst, j))
                        .intoArray(blockFirst, j);
            }
            for (; j < length; j++) {
                blockFirst[j] += a[at + j];
            }
        }

        private void addSquaredDeviations(float[] a, int at, float[] centre) {
            int j = 0;
            for (int bound = SPECIES.loopBound(length); j < bound; j += L) {
                FloatVector d = FloatVector.fromArray(SPECIES, a, at + j).sub(FloatVector.fromArray(SPECIES, centre, j));
                d.fma(d, FloatVector.fromArray(SPECIES, blockFirst, j)).intoArray(blockFirst, j);
            }
            for (; j < length; j++) {
                float d = a[at + j] - centre[j];
                blockFirst[j] = Math.fma(d, d, blockFirst[j]);
            }
        }

        private void addProducts(float[] g, int at, float[] x, int xAt, float[] centre) {
            int j = 0;
            for (int bound = SPECIES.loopBound(length); j < bound; j += L) {
                FloatVector gv = FloatVector.fromArray(SPECIES, g, at + j);
                gv.add(FloatVector.fromArray(SPECIES, blockFirst, j)).intoArray(blockFirst, j);
                FloatVector d = FloatVector.fromArray(SPECIES, x, xAt + j).sub(FloatVector.fromArray(SPECIES, centre, j));
                gv.fma(d, FloatVector.fromArray(SPECIES, blockSecond, j)).intoArray(blockSecond, j);
            }
            for (; j < length; j++) {
                float gj = g[at + j];
                blockFirst[j] += gj;
                blockSecond[j] = Math.fma(gj, x[xAt + j] - centre[j], blockSecond[j]);
            }
        }

        // Channel c's inner column sums, added in order.
        double channelTotal(double[] sums, int c) {
            double total = 0;
            for (int k = (c - from) * inner, end = k + inner; k < end; k++) {
                total += sums[k];
            }
            return total;
        }
    }
}
