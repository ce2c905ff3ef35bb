package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;
import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.grads;
import static org.vectorgrad.nn.Ops.inputs;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.record;
import static org.vectorgrad.nn.Ops.saved;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.strides;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.vectorgrad.Tensor;
import org.vectorgrad.simd.PackedMatrix;
import org.vectorgrad.simd.Parallel;
import org.vectorgrad.simd.Window2d;

/**
 * 2-D convolution (groups = 1) lowered to the packed GEMM. im2col turns an image into a
 * (C·kH·kW)×L column matrix (L = outH·outW) and {@code Y = W·cols} with the O×(C·kH·kW) weight.
 * An image with L ≥ {@link #WIDE_IMAGE} is a GEMM of its own: its columns (sized to stay in cache)
 * are written and read back while hot, and its O×L product is written straight into the NCHW
 * output with the bias as the accumulators' start. Small images (the last ResNet stages, whose
 * per-image GEMM would be mostly panel padding) are grouped side by side up to
 * {@link #GROUP_WIDTH} columns, and the group's O×(images·L) product is copied into the images.
 * The weight is packed for the GEMM once per call ({@code K.pack}) and shared by every image,
 * into a buffer recycled from call to call ({@link #withPacked}).
 * A wide stride-1 image skips im2col altogether ({@link Geometry#shifted}): the GEMM reads its
 * rows as shifted windows of the zero-padded image ({@link ShiftedWindows}).
 *
 * <p>The backward pass is two more recorded ops, so it can itself be differentiated: the input
 * gradient {@code dX = col2im(Wᵀ·G)} (for stride 1, the same shifted-window product of G with
 * the flipped kernel, {@link Geometry#transposed}) and the weight gradient {@code dW = G·colsᵀ},
 * with G the output gradient laid out like Y (read in place for one image), or for a small stride-1
 * dW with many input channels per-tap products over channels-last copies
 * ({@link ChannelsLastWeightGrad}); both are bilinear,
 * and the three ops' derivatives are each other.
 *
 * <p>Parallelism and determinism: with at least two groups per thread, each thread takes whole
 * groups (single-threaded kernels inside); otherwise the groups run in order and the GEMM
 * parallelises inside. A small dW is summed over {@link #PIECES} fixed runs of groups, each in
 * order, and the partials are added in order; a large one chains every group in order. Groups
 * and pieces depend only on the shapes, so no value depends on the thread count.
 */
final class Convolution {
    /** Floats of im2col columns per group of images (bounds the buffer to 64 MB). */
    private static final int COLUMN_BUDGET = 1 << 24;
    /** An image with at least this many output positions is a GEMM of its own. */
    private static final int WIDE_IMAGE = 128;
    /** Columns a group of small images gathers side by side, so the GEMM's panels are full. */
    private static final int GROUP_WIDTH = 256;
    /** A weight gradient with at most this many elements is split over the batch. */
    static final int SMALL_WEIGHT_GRAD = 1 << 16;
    /** Fixed pieces of the batch a small weight gradient is split into (any thread count). */
    static final int PIECES = 8;
    /**
     * Fewer weights per output channel than this make dW rows of dot products instead of a GEMM,
     * and keep a product on im2col columns (its GEMM is then bound by its output's stores, which
     * the shifted windows' cropping copy would double).
     */
    private static final int NARROW_WEIGHT = 16;

    private Convolution() {
    }

    /** The geometry shared by the three ops: one image's window, and the weight's sizes. */
    record Geometry(Window2d window, int inChannels, int outChannels) {
        int rows() {
            return inChannels * window.taps();
        }

        int length() {
            return window.outPlane();
        }

        /**
         * True when each image is a GEMM of its own read through shifted windows of its padded
         * planes ({@link ShiftedWindows}) instead of an im2col matrix: a stride-1 window whose
         * padding the layout represents, on an image wide enough to fill the GEMM's panels, with
         * enough weights per output channel that the product is not just its output's stores.
         */
        boolean shifted() {
            return length() >= WIDE_IMAGE && rows() >= NARROW_WEIGHT && ShiftedWindows.fits(window);
        }

        /**
         * For a window {@link ShiftedWindows#fits}, the stride-1 convolution whose output is this
         * one's input gradient (for other windows it is not): over the output
         * gradient's planes, with the kernel flipped and its channels swapped, and each side padded
         * by the kernel's reach minus this padding (a full correlation cropped by it).
         */
        Geometry transposed() {
            Window2d w = window;
            Window2d back = new Window2d(w.outH(), w.outW(), w.kernelH(), w.kernelW(), 1, 1,
                    (w.kernelH() - 1) * w.dilationH() - w.padH(), (w.kernelW() - 1) * w.dilationW() - w.padW(),
                    w.dilationH(), w.dilationW());
            return new Geometry(back, outChannels, inChannels);
        }

        /**
         * Images per GEMM: one when an image alone fills the GEMM's panels (its columns then stay
         * in cache and its output is written in place), else enough for {@link #GROUP_WIDTH}
         * columns; never more than the column budget, at least one.
         */
        int group(int images) {
            int wanted = length() >= WIDE_IMAGE ? 1 : (GROUP_WIDTH + length() - 1) / Math.max(1, length());
            int budget = COLUMN_BUDGET / Math.max(1, rows() * length());
            return Math.max(1, Math.min(images, Math.min(wanted, budget)));
        }
    }

    /** F.conv2d on an N×C×H×W or C×H×W input; validates like PyTorch, then {@link #conv2d}. */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got"
                    + " input of size: " + Arrays.toString(shape(x)));
        }
        if (x.dim() == 3) {
            return apply(x.unsqueeze(0), weight, bias, stride, padding, dilation).squeeze(0);
        }
        int[] ws = shape(weight);
        if (ws.length != 4) {
            throw new IllegalArgumentException("conv2d: expected a 4-D weight (out_channels, in_channels, kH, kW),"
                    + " but got weight of size " + Arrays.toString(ws));
        }
        checkArguments(stride, padding, dilation);
        int[] xs = shape(x);
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException("Given groups=1, weight of size " + Arrays.toString(ws) + ", expected input"
                    + Arrays.toString(xs) + " to have " + ws[1] + " channels, but got " + xs[1] + " channels instead");
        }
        if (bias != null && (bias.dim() != 1 || shape(bias)[0] != ws[0])) {
            throw new IllegalArgumentException("Given weight of size " + Arrays.toString(ws) + ", expected bias to be"
                    + " 1-dimensional with " + ws[0] + " elements, but got bias of size "
                    + Arrays.toString(shape(bias)) + " instead");
        }
        Window2d window = new Window2d(xs[2], xs[3], ws[2], ws[3], stride, stride, padding, padding, dilation, dilation);
        checkKernelFits(window);
        return conv2d(x, weight, bias, new Geometry(window, ws[1], ws[0]));
    }

    private static void checkArguments(int stride, int padding, int dilation) {
        if (dilation <= 0) {
            throw new IllegalArgumentException("dilation should be greater than zero, but got [" + dilation + ", "
                    + dilation + "]");
        }
        if (padding < 0) {
            throw new IllegalArgumentException("negative padding is not supported (padding=" + padding + ")");
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("non-positive stride is not supported (stride=" + stride + ")");
        }
    }

    /** In long: a huge padding or dilation must not wrap around to a size that seems to fit. */
    private static void checkKernelFits(Window2d w) {
        long paddedH = w.inH() + 2L * w.padH();
        long paddedW = w.inW() + 2L * w.padW();
        long kernelH = (long) w.dilationH() * (w.kernelH() - 1) + 1;
        long kernelW = (long) w.dilationW() * (w.kernelW() - 1) + 1;
        if (paddedH > Integer.MAX_VALUE || paddedW > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv2d: padded input size per channel (" + paddedH + " x " + paddedW
                    + ", padding=" + w.padH() + ") exceeds the " + Integer.MAX_VALUE + " a Vectorgrad tensor can index");
        }
        if (paddedH < kernelH || paddedW < kernelW) {
            throw new IllegalArgumentException("Calculated padded input size per channel: (" + paddedH + " x " + paddedW
                    + "). Kernel size: (" + kernelH + " x " + kernelW + "). Kernel size can't be greater than actual"
                    + " input size");
        }
    }

    /** y = conv(x, w) + b on a 4-D batch; {@code bias} may be null. */
    static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Geometry geo) {
        Tensor w = weight.contiguous();
        Tensor y = forward(x, w, bias, geo);
        Tensor biasInput = bias != null ? bias : Tensor.scalar(0f);
        return record("ConvolutionBackward0", y, inputs(x, weight, biasInput), saved(x, w), (g, s, n) -> grads(
                n[0] ? inputGrad(g, s[1], geo, x.shape()) : null,
                n[1] ? weightGrad(s[0], g, geo) : null,
                n[2] ? g.sum(new int[] {0, 2, 3}, false) : null));
    }

    private static Tensor forward(Tensor x, Tensor w, Tensor bias, Geometry geo) {
        int images = shape(x)[0];
        int outC = geo.outChannels();
        // Every element is written (the GEMM, or the copy out of a group's product): no zero fill.
        Tensor y = Ops.forOverwrite(new int[] {images, outC, geo.window().outH(), geo.window().outW()});
        float[] b = bias == null ? null : bias.toArray();
        withPacked(outC, geo.rows(), data(w), offset(w), geo.rows(), 1, (long) images * geo.length(), packed -> {
            if (geo.shifted()) {
                shiftedProducts(x, packed, b, geo, data(y));
            } else {
                groupProducts(x, packed, b, geo, data(y));
            }
        });
        return y;
    }

    /**
     * Runs {@code product} on the m×k operand packed into a buffer of this thread's pool, then
     * gives the buffer back: a fresh, cold array per call cost 4-5% of a ResNet-18 step
     * (100 MB a step of packed weights, forward and backward). {@code columns}, how many columns
     * the product has over all images, lets a weight that few columns reuse be read in place.
     */
    private static void withPacked(int m, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                                   long columns, Consumer<PackedMatrix> product) {
        float[] buffer = Ops.scratch(K.packedLength(m, k, aRowStride, aColStride, columns));
        try {
            product.accept(K.pack(m, k, a, aOffset, aRowStride, aColStride, columns, buffer));
        } finally {
            // Safe on an exception too: a parallel loop rethrows only after all its chunks ended.
            Ops.releaseScratch(buffer);
        }
    }

    /** y = packed·cols + b, image group by image group (see {@link Geometry#group}). */
    private static void groupProducts(Tensor x, PackedMatrix packed, float[] b, Geometry geo, float[] yData) {
        int images = shape(x)[0];
        int outC = geo.outChannels();
        int length = geo.length();
        int group = geo.group(images);
        eachGroupWithColumns(images, group, geo.rows() * group * length, (first, count, cols) -> {
            int width = count * length;
            lower(x, first, count, geo, cols, width, false);
            // One image writes its O×L product straight into y (NCHW); a group needs a product
            // buffer whose O×(count·L) layout is then copied into the count images.
            boolean direct = count == 1;
            float[] product = direct ? yData : Ops.scratch(outC * width);
            int at = direct ? first * outC * length : 0;
            startWithBias(product, at, width, b, outC);
            K.matmulPacked(packed, width, cols, 0, width, 1, product, at, width, b != null);
            if (!direct) {
                K.copy(new int[] {count, outC, length}, product, 0, new int[] {length, width, 1},
                        yData, first * outC * length, new int[] {outC * length, length, 1});
                Ops.releaseScratch(product);
            }
        });
    }

    /**
     * y[i] = packed·(image i's shifted windows) + b for every image of {@code x}, into contiguous
     * NCHW {@code y}: the forward pass, and the input gradient as its transposed convolution.
     */
    private static void shiftedProducts(Tensor x, PackedMatrix packed, float[] b, Geometry geo, float[] y) {
        ShiftedWindows windows = new ShiftedWindows(geo.window(), geo.inChannels());
        int[] st = strides(x);
        int[] imageStrides = {st[1], st[2], st[3]};
        int outC = geo.outChannels();
        int columns = windows.columns();
        Supplier<Scratch> scratch = () -> new Scratch(windows.newPadded(), windows.newGrid(outC));
        // NOTE: fresh buffers, not recycled ones: pad() writes only the image, the borders stay zero.
        eachGroup(shape(x)[0], 1, scratch, unused -> { }, (first, count, s) -> {
            windows.pad(data(x), offset(x) + first * st[0], imageStrides, s.padded());
            startWithBias(s.grid(), 0, columns, b, outC);
            K.matmulPackedRows(packed, columns, s.padded(), windows.rows(), s.grid(), 0, columns, b != null);
            windows.compact(outC, s.grid(), y, first * outC * geo.length());
        });
    }

    /** One thread's buffers for shifted products: an image's padded planes and its product grid. */
    private record Scratch(float[] padded, float[] grid) {
    }

    private static void startWithBias(float[] product, int at, int width, float[] b, int outC) {
        for (int o = 0; b != null && o < outC; o++) {
            Arrays.fill(product, at + o * width, at + (o + 1) * width, b[o]);
        }
    }

    /** dX = col2im(Wᵀ·G) per group; recorded so that createGraph can differentiate it. */
    static Tensor inputGrad(Tensor grad, Tensor w, Geometry geo, int[] inputShape) {
        Geometry back = ShiftedWindows.fits(geo.window()) ? geo.transposed() : null;
        if (back != null && back.shifted()) {
            Tensor dx = Ops.forOverwrite(inputShape);
            float[] flipped = flippedTransposed(w, geo);
            int rows = geo.outChannels() * geo.window().taps();
            withPacked(geo.inChannels(), rows, flipped, 0, rows, 1, (long) inputShape[0] * back.length(),
                    packed -> shiftedProducts(grad, packed, null, back, data(dx)));
            Ops.releaseScratch(flipped);
            return recordInputGrad(dx, grad, w, geo);
        }
        Tensor dx = Ops.empty(inputShape);
        long columns = (long) inputShape[0] * geo.length();
        withPacked(geo.rows(), geo.outChannels(), data(w), offset(w), 1, geo.rows(), columns,
                transposed -> lowerProducts(grad, transposed, geo, inputShape[0], data(dx)));
        return recordInputGrad(dx, grad, w, geo);
    }

    /** dX = col2im(Wᵀ·G) group by group, into the zeroed {@code dx}. */
    private static void lowerProducts(Tensor grad, PackedMatrix transposed, Geometry geo, int images, float[] dx) {
        int length = geo.length();
        int inImage = geo.inChannels() * geo.window().inPlane();
        int group = geo.group(images);
        eachGroupWithColumns(images, group, geo.rows() * group * length, (first, count, cols) -> {
            int width = count * length;
            Operand g = outputGrad(grad, first, count, geo);
            K.matmulPacked(transposed, width, g.data(), g.offset(), g.rowStride(), g.colStride(), cols, 0, width,
                    false);
            g.release();
            Parallel.forRange(count, 1, (from, to) -> {
                for (int i = from; i < to; i++) {
                    K.col2im(geo.window(), geo.inChannels(), cols, i * length, width, dx, (first + i) * inImage);
                }
            });
        });
    }

    private static Tensor recordInputGrad(Tensor dx, Tensor grad, Tensor w, Geometry geo) {
        return record("ConvolutionBackwardBackward0", dx, inputs(grad, w), saved(grad, w), (h, s, n) -> grads(
                n[0] ? conv2d(h, s[1], null, geo) : null,
                n[1] ? weightGrad(h, s[0], geo) : null));
    }

    /**
     * The transposed convolution's weight W'[c, o, t] = W[o, c, taps − 1 − t] (flipped kernel), as
     * a C×(O·taps) matrix in a {@link Ops#scratch} buffer.
     */
    private static float[] flippedTransposed(Tensor w, Geometry geo) {
        int taps = geo.window().taps();
        int inC = geo.inChannels();
        int outC = geo.outChannels();
        float[] src = data(w);
        int base = offset(w);
        float[] flipped = Ops.scratch(inC * outC * taps);
        for (int c = 0, at = 0; c < inC; c++) {
            for (int o = 0; o < outC; o++) {
                int from = base + (o * inC + c) * taps + taps - 1;
                for (int t = 0; t < taps; t++) {
                    flipped[at++] = src[from - t];
                }
            }
        }
        return flipped;
    }

    /**
     * dW = Σ_groups G·colsᵀ as an O×(C·kH·kW) matrix. A small dW (few output elements, a huge k)
     * gives the GEMM no parallelism of its own: its groups are split into {@link #PIECES} fixed
     * runs, each summed in order into its own partial, and the partials are added in order, so the
     * split depends on the shapes only. A large dW chains all groups in order inside one C.
     */
    static Tensor weightGrad(Tensor x, Tensor grad, Geometry geo) {
        int images = shape(x)[0];
        int size = geo.outChannels() * geo.rows();
        int[] dwShape = {geo.outChannels(), geo.inChannels(), geo.window().kernelH(), geo.window().kernelW()};
        // Every path below writes all of dW when there is an image (the first product or piece
        // overwrites): zeroing 11M floats a ResNet-18 step took 2% of it, on one thread.
        Tensor dw = images == 0 ? Ops.empty(dwShape) : Ops.forOverwrite(dwShape);
        int group = geo.group(images);
        int groups = (images + group - 1) / group;
        int pieces = size <= SMALL_WEIGHT_GRAD ? Math.min(PIECES, groups) : 1;
        if (ChannelsLastWeightGrad.suits(geo)) {
            ChannelsLastWeightGrad.compute(x, grad, geo, data(dw));
        } else if (pieces <= 1) {
            weightGradRun(x, grad, geo, 0, images, group, data(dw));
        } else {
            sumOverPieces(pieces, data(dw), () -> null, (p, unused, partial) -> {
                int first = (int) ((long) groups * p / pieces) * group;
                int end = Math.min(images, (int) ((long) groups * (p + 1) / pieces) * group);
                weightGradRun(x, grad, geo, first, end, group, partial);
            });
        }
        return record("ConvolutionBackwardBackward0", dw, inputs(x, grad), saved(x, grad), (h, s, n) -> grads(
                n[0] ? inputGrad(s[1], h.contiguous(), geo, s[0].shape()) : null,
                n[1] ? conv2d(s[0], h, null, geo) : null));
    }

    /**
     * dw = Σ over the groups of images [first, end), in order, of G·colsᵀ, written over {@code dw}.
     * A small dW is computed transposed, dWᵀ = cols·Gᵀ: the GEMM packs its B (Gᵀ) in one
     * gathered panel per 32 output channels, where B = colsᵀ would be gathered over all C·kH·kW
     * rows (a third of the CNN's weight-gradient time), and its m = C·kH·kW fills whole row tiles.
     * A large dW keeps the direct form: transposing it back would cost more than the gathers.
     */
    private static void weightGradRun(Tensor x, Tensor grad, Geometry geo, int first, int end, int group,
                                      float[] dw) {
        int length = geo.length();
        int rows = geo.rows();
        int outC = geo.outChannels();
        boolean transposed = rows >= NARROW_WEIGHT && (long) outC * rows <= SMALL_WEIGHT_GRAD;
        float[] dwT = transposed ? Ops.scratch(rows * outC) : null;
        float[] cols = Ops.scratch(rows * group * length);
        for (int at = first; at < end; at += group) {
            int count = Math.min(group, end - at);
            int width = count * length;
            Operand g = outputGrad(grad, at, count, geo);
            lower(x, at, count, geo, cols, width, true);
            if (transposed) {
                K.matmul(rows, outC, width, cols, 0, width, 1, g.data(), g.offset(), g.colStride(), g.rowStride(),
                        dwT, 0, outC, at > first);
            } else {
                // With a handful of weights per output channel (C·kH·kW = 9 for a one-channel 3x3)
                // the kernel takes this as blocked dot products of G's rows with the columns' rows,
                // both along the positions, where a GEMM would pad them to a full panel.
                K.matmul(outC, rows, width, g.data(), g.offset(), g.rowStride(), g.colStride(),
                        cols, 0, 1, width, dw, 0, rows, at > first);
            }
            g.release();
        }
        if (transposed && end > first) {
            K.copy(new int[] {outC, rows}, dwT, 0, new int[] {1, outC}, dw, 0, new int[] {rows, 1});
        }
        Ops.releaseScratch(cols);
        if (dwT != null) {
            Ops.releaseScratch(dwT);
        }
    }

    /** Piece p's partial sum, written over {@code partial}, with its thread's scratch. */
    @FunctionalInterface
    interface PieceBody<S> {
        void run(int piece, S scratch, float[] partial);
    }

    /**
     * into = the partial sums of pieces 0, 1, … added in that order, each piece computed on one
     * thread (piece 0 straight into {@code into}): a split that depends on the shapes only and a
     * fixed order of the sum, so no bit depends on the thread count. Zeros for no piece.
     */
    static <S> void sumOverPieces(int pieces, float[] into, Supplier<S> scratch, PieceBody<S> body) {
        float[][] partial = new float[pieces][];
        Parallel.forRange(pieces, 1, (from, to) -> {
            S mine = scratch.get();
            for (int p = from; p < to; p++) {
                // NOTE: fresh, not Ops.scratch: a worker's partial would go back to the caller's
                // pool, whose free list then grows call after call while the worker's stays empty.
                partial[p] = p == 0 ? into : new float[into.length];
                body.run(p, mine, partial[p]);
            }
        });
        if (pieces == 0) {
            Arrays.fill(into, 0f);
        }
        for (int p = 1; p < pieces; p++) {
            float[] part = partial[p];
            for (int e = 0; e < into.length; e++) {
                into[e] += part[e];
            }
        }
    }

    /** A body run on a group of images {@code [first, first + count)} with its thread's buffers. */
    @FunctionalInterface
    private interface GroupBody<B> {
        void run(int first, int count, B buffers);
    }

    /**
     * Runs {@code body} on every group of images. With enough groups each thread takes whole
     * groups, and its column buffer (one group's columns: sized to stay in cache) is written and
     * read back while it is hot; with few groups they run one after another and the kernels
     * parallelise inside. Either way a group's values do not depend on who computes it.
     */
    private static <B> void eachGroup(int images, int group, Supplier<B> buffer, Consumer<B> release,
                                      GroupBody<B> body) {
        int groups = (images + group - 1) / group;
        int minChunk = groups >= 2 * Parallel.callerThreads() ? 1 : Math.max(1, groups);
        Parallel.forRange(groups, minChunk, (from, to) -> {
            B buffers = buffer.get();
            for (int gi = from; gi < to; gi++) {
                int first = gi * group;
                body.run(first, Math.min(group, images - first), buffers);
            }
            release.accept(buffers);
        });
    }

    /**
     * {@link #eachGroup} with a column buffer of {@code floats} per thread, recycled from call to
     * call (its contents undefined: the body writes what it reads).
     */
    private static void eachGroupWithColumns(int images, int group, int floats, GroupBody<float[]> body) {
        eachGroup(images, group, () -> Ops.scratch(floats), Ops::releaseScratch, body);
    }

    /**
     * The output gradient of images [first, first + count) as an O×(count·L) matrix: the
     * gradient's own storage, or a {@code gathered} scratch buffer to {@link #release} after use.
     */
    private record Operand(float[] data, int offset, int rowStride, int colStride, boolean gathered) {
        void release() {
            if (gathered) {
                Ops.releaseScratch(data);
            }
        }
    }

    // One image's O×outH×outW gradient whose rows follow each other is read in place; anything
    // else is gathered into a group buffer laid out like Y.
    private static Operand outputGrad(Tensor grad, int first, int count, Geometry geo) {
        int[] st = strides(grad);
        int outW = geo.window().outW();
        if (count == 1 && (geo.window().outH() == 1 || st[2] == outW * st[3])) {
            return new Operand(data(grad), offset(grad) + first * st[0], st[1], st[3], false);
        }
        float[] g = Ops.scratch(geo.outChannels() * count * geo.length());
        gatherGroup(grad, first, count, geo, g);
        return new Operand(g, 0, count * geo.length(), 1, true);
    }

    /**
     * im2col of images [first, first + count) side by side in {@code cols} (rows {@code width} apart),
     * split over the threads in pieces of (image, block of channels). By images (the forward pass,
     * whose GEMM then reads on each core the columns that core wrote), with each image's channels
     * in blocks when there are fewer images than two per thread. With {@code wholeRows} (the
     * weight gradient, whose GEMM splits over these rows) by blocks of channels only, so that each
     * thread writes whole rows. NOTE: threads writing different images' columns of the same rows
     * share a cache line at every boundary (Java arrays are not line-aligned): lowering 4 images of
     * 128 channels at 8×8 took 506-536 µs on 2 threads by images against 180 µs by channels (201-223
     * on 1), and the weight gradients gained 1.03-1.33× from whole rows; the forward passes,
     * 0.93-1.07×, keep the images.
     */
    private static void lower(Tensor x, int first, int count, Geometry geo, float[] cols, int width,
                              boolean wholeRows) {
        int[] st = strides(x);
        int[] imageStrides = {st[1], st[2], st[3]};
        int length = geo.length();
        int channels = geo.inChannels();
        int threads = Parallel.callerThreads();
        int blocks = threads == 1 ? 1
                : wholeRows ? Math.min(channels, threads) : Math.min(channels, (2 * threads + count - 1) / count);
        int rowsPerChannel = geo.window().taps();
        Parallel.forRange(count * blocks, 1, (from, to) -> {
            for (int piece = from; piece < to; piece++) {
                int i = wholeRows ? piece % count : piece / blocks;
                int block = wholeRows ? piece / count : piece % blocks;
                int c0 = (int) ((long) channels * block / blocks);
                int c1 = (int) ((long) channels * (block + 1) / blocks);
                K.im2col(geo.window(), c1 - c0, data(x), offset(x) + (first + i) * st[0] + c0 * st[1], imageStrides,
                        cols, i * length + c0 * rowsPerChannel * width, width);
            }
        });
    }

    /** The output gradient of a group of images laid out like Y: O rows of count·L. */
    private static void gatherGroup(Tensor grad, int first, int count, Geometry geo, float[] g) {
        int[] st = strides(grad);
        int length = geo.length();
        int outW = geo.window().outW();
        int width = count * length;
        K.copy(new int[] {count, geo.outChannels(), geo.window().outH(), outW}, data(grad),
                offset(grad) + first * st[0], st, g, 0, new int[] {length, width, outW, 1});
    }
}
