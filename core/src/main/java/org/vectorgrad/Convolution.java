package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;
import static org.vectorgrad.Ops.saved;

import java.util.Arrays;
import org.vectorgrad.simd.Parallel;
import org.vectorgrad.simd.Window2d;

/**
 * 2-D convolution (groups = 1) lowered to the packed GEMM: per image, im2col turns the input into
 * a (C·kH·kW)×L column matrix (L = outH·outW) and y[n] = W·cols, with W the O×(C·kH·kW) weight.
 * A 1×1 kernel with stride 1 and no padding needs no lowering: the image already is that matrix.
 *
 * <p>The backward pass is two more recorded ops, so it can itself be differentiated: the input
 * gradient {@code dX[n] = col2im(Wᵀ·g[n])} and the weight gradient {@code dW = Σ_n g[n]·cols[n]ᵀ};
 * both are bilinear, and the derivatives of the three ops are each other.
 *
 * <p>Parallelism and determinism: images are independent, so with at least as many images as
 * threads the images are split across threads (one column buffer per thread); otherwise images
 * run in turn and the GEMM parallelises inside. dW sums over images in image order, one GEMM
 * (parallel inside) per image accumulating into the same output, so no value depends on the
 * thread count.
 */
final class Convolution {
    /** Floats of im2col columns built ahead of the dW GEMMs (bounds the buffer to 64 MB). */
    private static final int COLUMN_BUDGET = 1 << 24;

    private Convolution() {
    }

    /** The geometry shared by the three ops: one image's window, and the weight's sizes. */
    record Geometry(Window2d window, int inChannels, int outChannels) {
        int rows() {
            return inChannels * window.taps();
        }

        boolean pointwise() {
            Window2d w = window;
            return w.kernelH() == 1 && w.kernelW() == 1 && w.strideH() == 1 && w.strideW() == 1
                    && w.padH() == 0 && w.padW() == 0;
        }
    }

    /** F.conv2d on an N×C×H×W or C×H×W input; validates like PyTorch, then {@link #conv2d}. */
    static Tensor apply(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        if (x.dim() != 3 && x.dim() != 4) {
            throw new IllegalArgumentException("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got"
                    + " input of size: " + Arrays.toString(x.layout.shape));
        }
        if (x.dim() == 3) {
            return apply(x.unsqueeze(0), weight, bias, stride, padding, dilation).squeeze(0);
        }
        int[] ws = weight.layout.shape;
        if (ws.length != 4) {
            throw new IllegalArgumentException("conv2d: expected a 4-D weight (out_channels, in_channels, kH, kW),"
                    + " but got weight of size " + Arrays.toString(ws));
        }
        checkArguments(stride, padding, dilation);
        int[] xs = x.layout.shape;
        if (xs[1] != ws[1]) {
            throw new IllegalArgumentException("Given groups=1, weight of size " + Arrays.toString(ws) + ", expected input"
                    + Arrays.toString(xs) + " to have " + ws[1] + " channels, but got " + xs[1] + " channels instead");
        }
        if (bias != null && (bias.dim() != 1 || bias.layout.shape[0] != ws[0])) {
            throw new IllegalArgumentException("Given weight of size " + Arrays.toString(ws) + ", expected bias to be"
                    + " 1-dimensional with " + ws[0] + " elements, but got bias of size "
                    + Arrays.toString(bias.layout.shape) + " instead");
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

    private static void checkKernelFits(Window2d w) {
        int paddedH = w.inH() + 2 * w.padH();
        int paddedW = w.inW() + 2 * w.padW();
        int kernelH = w.dilationH() * (w.kernelH() - 1) + 1;
        int kernelW = w.dilationW() * (w.kernelW() - 1) + 1;
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
                n[0] ? inputGrad(g, s[1], geo, x.layout.shape.clone()) : null,
                n[1] ? weightGrad(s[0], g, geo) : null,
                n[2] ? g.sum(new int[] {0, 2, 3}, false) : null));
    }

    private static Tensor forward(Tensor x, Tensor w, Tensor bias, Geometry geo) {
        int images = x.layout.shape[0];
        int outC = geo.outChannels();
        int length = geo.window().outPlane();
        Tensor y = Ops.empty(new int[] {images, outC, geo.window().outH(), geo.window().outW()});
        float[] b = bias == null ? null : bias.toArray();
        forEachImage(images, geo, (n, cols) -> {
            int out = n * outC * length;
            if (b != null) {
                for (int o = 0; o < outC; o++) {
                    Arrays.fill(y.data, out + o * length, out + (o + 1) * length, b[o]);
                }
            }
            Matrix in = columns(x, n, geo, cols);
            K.matmul(outC, length, geo.rows(), w.data, w.layout.offset, geo.rows(), 1,
                    in.data(), in.offset(), in.rowStride(), in.colStride(), y.data, out, length, b != null);
        });
        return y;
    }

    /** dX: col2im(Wᵀ·g[n]) per image; recorded so that createGraph can differentiate it. */
    static Tensor inputGrad(Tensor grad, Tensor w, Geometry geo, int[] inputShape) {
        Tensor g = grad.contiguous();
        int images = inputShape[0];
        int outC = geo.outChannels();
        int length = geo.window().outPlane();
        int inPlane = geo.inChannels() * geo.window().inPlane();
        Tensor dx = Ops.empty(inputShape);
        forEachImage(images, geo, (n, cols) -> {
            int gAt = g.layout.offset + n * outC * length;
            boolean direct = geo.pointwise();
            float[] target = direct ? dx.data : cols;
            K.matmul(geo.rows(), length, outC, w.data, w.layout.offset, 1, geo.rows(), g.data, gAt, length, 1,
                    target, direct ? n * inPlane : 0, length, false);
            if (!direct) {
                K.col2im(geo.window(), geo.inChannels(), cols, 0, dx.data, n * inPlane);
            }
        });
        return record("ConvolutionBackwardBackward0", dx, inputs(grad, w), saved(grad, w), (h, s, n) -> grads(
                n[0] ? conv2d(h, s[1], null, geo) : null,
                n[1] ? weightGrad(h, s[0], geo) : null));
    }

    /** dW = Σ_n g[n]·cols[n]ᵀ as an O×(C·kH·kW) matrix, in image order. */
    static Tensor weightGrad(Tensor x, Tensor grad, Geometry geo) {
        Tensor g = grad.contiguous();
        int images = x.layout.shape[0];
        int outC = geo.outChannels();
        int length = geo.window().outPlane();
        int rows = geo.rows();
        Tensor dw = Ops.empty(new int[] {outC, geo.inChannels(), geo.window().kernelH(), geo.window().kernelW()});
        boolean direct = readsDirectly(x, geo);
        int group = direct ? images : Math.max(1, Math.min(images, COLUMN_BUDGET / Math.max(1, rows * length)));
        float[] cols = direct ? null : new float[group * rows * length];
        for (int first = 0; first < images; first += group) {
            int start = first;
            int count = Math.min(group, images - first);
            if (cols != null) {
                Parallel.forRange(count, 1, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        im2col(x, start + i, geo, cols, i * rows * length);
                    }
                });
            }
            for (int i = 0; i < count; i++) {
                Matrix in = cols == null ? columns(x, start + i, geo, null) : new Matrix(cols, i * rows * length, length, 1);
                K.matmul(outC, rows, length, g.data, g.layout.offset + (start + i) * outC * length, length, 1,
                        in.data(), in.offset(), in.colStride(), in.rowStride(), dw.data, 0, rows, true);
            }
        }
        return record("ConvolutionBackwardBackward0", dw, inputs(x, grad), saved(x, grad), (h, s, n) -> grads(
                n[0] ? inputGrad(s[1], h.contiguous(), geo, s[0].layout.shape.clone()) : null,
                n[1] ? conv2d(s[0], h, null, geo) : null));
    }

    /** A strided matrix view into a float array. */
    private record Matrix(float[] data, int offset, int rowStride, int colStride) {
    }

    /** Image n as the GEMM's right operand: itself when pointwise, else its im2col columns in {@code cols}. */
    private static Matrix columns(Tensor x, int n, Geometry geo, float[] cols) {
        int[] st = x.layout.strides;
        if (readsDirectly(x, geo)) {
            return new Matrix(x.data, x.layout.offset + n * st[0], st[1], 1);
        }
        im2col(x, n, geo, cols, 0);
        return new Matrix(cols, 0, geo.window().outPlane(), 1);
    }

    /** A pointwise convolution over images whose pixels are contiguous reads x itself as the C×L matrix. */
    private static boolean readsDirectly(Tensor x, Geometry geo) {
        int[] st = x.layout.strides;
        return geo.pointwise() && st[3] == 1 && st[2] == geo.window().inW();
    }

    private static void im2col(Tensor x, int n, Geometry geo, float[] cols, int colsOffset) {
        int[] st = x.layout.strides;
        K.im2col(geo.window(), geo.inChannels(), x.data, x.layout.offset + n * st[0],
                new int[] {st[1], st[2], st[3]}, cols, colsOffset);
    }

    @FunctionalInterface
    private interface ImageTask {
        void run(int image, float[] cols);
    }

    /**
     * Runs {@code task} for every image with a private column buffer: across threads when there
     * are enough images to occupy them, else one image at a time (the GEMM then goes parallel).
     */
    private static void forEachImage(int images, Geometry geo, ImageTask task) {
        int size = geo.rows() * geo.window().outPlane();
        if (images >= Parallel.threads()) {
            Parallel.forRange(images, 1, (from, to) -> {
                float[] cols = new float[size];
                for (int n = from; n < to; n++) {
                    task.run(n, cols);
                }
            });
        } else {
            float[] cols = new float[size];
            for (int n = 0; n < images; n++) {
                task.run(n, cols);
            }
        }
    }
}
