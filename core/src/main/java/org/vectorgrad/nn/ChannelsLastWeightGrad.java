package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;
import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.strides;

import org.vectorgrad.Tensor;
import org.vectorgrad.simd.Window2d;

/**
 * A convolution's weight gradient without im2col: the batch and its output gradient are copied
 * once into channels-last layouts (the input zero-padded), and for each kernel tap (i, j)
 * {@code D_ij[c, o] = Σ_positions X[position + shift_ij, c]·G[position, o]} is one product whose
 * depth entries are a channels-last input row and output-gradient row read in place
 * ({@code K.matmulRows}): one table of input positions serves every tap, the tap only shifts it.
 * An im2col weight gradient wrote and then re-packed C·kH·kW rows per image, which took 60% of
 * its time next to the GEMM.
 *
 * <p>Determinism: the batch is split into fixed pieces (by shape only), each one FMA chain per
 * element over its images and positions in order on one thread, and the pieces' partial sums are
 * added in order, so no value depends on the thread count. Measured on the CNN's second layer
 * (64×16×14×14 → 32 channels, 2 threads): 666 µs against im2col's 1,282 (best of 4 s).
 */
final class ChannelsLastWeightGrad {
    /** Fewer input channels than this give each tap's product too few rows to fill a register tile. */
    private static final int MIN_CHANNELS = 16;
    /** Floats of channels-last input and output gradient per chunk of images (128 KB: in L2). */
    private static final int CHUNK_FLOATS = 1 << 15;

    private ChannelsLastWeightGrad() {
    }

    /**
     * Stride 1, enough input channels, and a small weight gradient: one whose per-tap products
     * stay in cache while chunk after chunk accumulates into them (a large one, read and written
     * back per chunk, measured 1.5-4x slower than im2col's, and a strided window would copy
     * input elements no tap reads).
     */
    static boolean suits(Convolution.Geometry geo) {
        Window2d w = geo.window();
        return geo.inChannels() >= MIN_CHANNELS && w.strideH() == 1 && w.strideW() == 1
                && (long) geo.outChannels() * geo.rows() <= Convolution.SMALL_WEIGHT_GRAD;
    }

    /** dw[o, c, i, j] = Σ over the batch of G[o, y, x]·X[c, y − pH + i·dH, x − pW + j·dW], written over dw. */
    static void compute(Tensor x, Tensor grad, Convolution.Geometry geo, float[] dw) {
        Layout layout = new Layout(geo, shape(x)[0]);
        int size = layout.taps * layout.channels * layout.outC;
        int images = layout.images;
        // Fixed pieces of the batch, one thread each: its chunks of images stay in its cache.
        int pieces = Math.min(Convolution.PIECES, images);
        float[] perTap = new float[size];
        Convolution.sumOverPieces(pieces, perTap, () -> new Chunk(layout), (p, chunk, partial) -> {
            int first = (int) ((long) images * p / pieces);
            int end = (int) ((long) images * (p + 1) / pieces);
            for (int n = first; n < end; n += layout.perChunk) {
                chunk.load(x, grad, n, Math.min(layout.perChunk, end - n));
                chunk.accumulate(partial, n > first);
            }
        });
        writeWeightGrad(layout, perTap, dw);
    }

    // dw[o, c, t] = perTap[t, c, o], walked with perTap's output-channel rows innermost: the reads
    // run along them, and the writes, C·taps apart, land in lines that the next taps fill.
    private static void writeWeightGrad(Layout layout, float[] perTap, float[] dw) {
        int channels = layout.channels;
        int outC = layout.outC;
        K.copy(new int[] {channels, layout.taps, outC}, perTap, 0, new int[] {outC, channels * outC, 1}, dw, 0,
                new int[] {layout.taps, 1, channels * layout.taps});
    }

    /** The channels-last sizes of one image, and how many images a chunk holds. */
    private static final class Layout {
        final Window2d w;
        final int images;
        final int channels;
        final int outC;
        final int taps;
        final int paddedW;
        final int inputImage;
        final int gradImage;
        final int perChunk;
        final int[] shifts;

        Layout(Convolution.Geometry geo, int images) {
            this.w = geo.window();
            this.images = images;
            this.channels = geo.inChannels();
            this.outC = geo.outChannels();
            this.taps = w.taps();
            this.paddedW = w.inW() + 2 * w.padW();
            this.inputImage = (w.inH() + 2 * w.padH()) * paddedW * channels;
            this.gradImage = w.outPlane() * outC;
            this.perChunk = Math.max(1, Math.min(images, CHUNK_FLOATS / (inputImage + gradImage)));
            this.shifts = new int[taps];
            for (int t = 0; t < taps; t++) {
                shifts[t] = ((t / w.kernelW()) * w.dilationH() * paddedW + (t % w.kernelW()) * w.dilationW())
                        * channels;
            }
        }
    }

    /**
     * One thread's chunk of images in channels-last layout, reused chunk after chunk so it stays
     * in cache between the copy that writes it and the product that reads it.
     */
    private static final class Chunk {
        private final Layout layout;
        private final float[] input;
        private final float[] grad;
        private final int[] inputRows;
        private final int[] gradRows;
        private int count;

        Chunk(Layout layout) {
            this.layout = layout;
            Window2d w = layout.w;
            this.input = new float[layout.perChunk * layout.inputImage];
            this.grad = new float[layout.perChunk * layout.gradImage];
            int positions = w.outPlane();
            this.inputRows = new int[layout.perChunk * positions];
            this.gradRows = new int[layout.perChunk * positions];
            for (int n = 0, q = 0; n < layout.perChunk; n++) {
                for (int y = 0; y < w.outH(); y++) {
                    for (int xo = 0; xo < w.outW(); xo++, q++) {
                        inputRows[q] = n * layout.inputImage
                                + (y * w.strideH() * layout.paddedW + xo * w.strideW()) * layout.channels;
                        gradRows[q] = q * layout.outC;
                    }
                }
            }
        }

        /**
         * Copies images [first, first + count) of x and grad in, each walked in its source's
         * order (rows read contiguously, the channels-last writes landing in the few cache lines
         * of one output row). Only the images' own elements are written: the padding stays zero.
         */
        void load(Tensor x, Tensor g, int first, int count) {
            Window2d w = layout.w;
            this.count = count;
            int[] xs = strides(x);
            K.copy(new int[] {count, layout.channels, w.inH(), w.inW()}, data(x), offset(x) + first * xs[0], xs,
                    input, (w.padH() * layout.paddedW + w.padW()) * layout.channels,
                    new int[] {layout.inputImage, 1, layout.paddedW * layout.channels, layout.channels});
            int[] gs = strides(g);
            K.copy(new int[] {count, layout.outC, w.outH(), w.outW()}, data(g), offset(g) + first * gs[0], gs,
                    grad, 0, new int[] {layout.gradImage, 1, w.outW() * layout.outC, layout.outC});
        }

        /** into (+)= this chunk's per-tap products, (tap, input channel) rows of output channels. */
        void accumulate(float[] into, boolean accumulate) {
            K.matmulRows(layout.channels, layout.outC, count * layout.w.outPlane(), input, inputRows, layout.shifts,
                    grad, gradRows, into, 0, layout.outC, accumulate);
        }
    }
}
