package org.vectorgrad.nn;

import static org.vectorgrad.nn.Ops.K;
import static org.vectorgrad.nn.Ops.NONE;
import static org.vectorgrad.nn.Ops.data;
import static org.vectorgrad.nn.Ops.grads;
import static org.vectorgrad.nn.Ops.inputs;
import static org.vectorgrad.nn.Ops.offset;
import static org.vectorgrad.nn.Ops.record;
import static org.vectorgrad.nn.Ops.saved;
import static org.vectorgrad.nn.Ops.shape;
import static org.vectorgrad.nn.Ops.strides;

import java.util.Arrays;
import org.vectorgrad.Tensor;
import org.vectorgrad.simd.Shapes;
import org.vectorgrad.simd.Window2d;

/**
 * Max, average and adaptive average pooling over the planes of an N×C×H×W (or C×H×W) input.
 * Each backward is itself a recorded op whose derivative is the forward's gather again, so
 * createGraph works: max pooling's backward scatters to the saved arg-max positions and its
 * derivative gathers from them; the average poolings are linear, their backward's derivative is
 * the pooling itself.
 */
final class Pooling {
    private Pooling() {
    }

    /** x's (plane, row, column) strides, or null when its N and C dimensions cannot be merged into planes. */
    private static int[] planeStrides(Tensor x) {
        int[] shape = shape(x);
        int[] st = strides(x);
        if (shape.length == 3) {
            return st.clone();
        }
        if (shape[1] == 1) {
            return new int[] {st[0], st[2], st[3]};
        }
        return shape[0] == 1 || st[0] == shape[1] * st[1] ? new int[] {st[1], st[2], st[3]} : null;
    }

    /** x itself when its planes can be addressed with one stride, else a contiguous copy. */
    private static Tensor planar(Tensor x) {
        return planeStrides(x) != null ? x : x.detach().contiguous();
    }

    private static int planes(int[] shape) {
        return shape.length == 4 ? shape[0] * shape[1] : shape[0];
    }

    private static int[] pooledShape(int[] shape, int outH, int outW) {
        int[] out = shape.clone();
        out[out.length - 2] = outH;
        out[out.length - 1] = outW;
        return out;
    }

    static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        Window2d w = window("max_pool2d", x, kernel, stride, padding);
        int[] shape = x.shape();
        Tensor in = planar(x);
        Tensor y = Ops.forOverwrite(pooledShape(shape, w.outH(), w.outW())); // every window writes its max
        int[] argmax = new int[y.numel()];
        K.maxPool2d(w, planes(shape), data(in), offset(in), planeStrides(in), data(y), 0, argmax, 0);
        return record("MaxPool2DWithIndicesBackward0", y, inputs(x), saved(x),
                (g, s, n) -> grads(maxPoolBackward(g, s[0], argmax, w)));
    }

    /**
     * The gradient scattered to the arg-max positions. Like PyTorch's backward ops, it also takes
     * the pooled input, with a zero derivative: the second derivative reaches it (as zeros).
     */
    private static Tensor maxPoolBackward(Tensor grad, Tensor self, int[] argmax, Window2d w) {
        Tensor g = grad.contiguous();
        int[] inputShape = self.shape();
        Tensor dx = Ops.forOverwrite(inputShape); // the kernel zeroes each plane before its scatter
        K.maxPool2dBackward(w, planes(inputShape), data(g), offset(g), argmax, 0, data(dx), 0);
        int[] outShape = g.shape();
        return record("MaxPool2DWithIndicesBackwardBackward0", dx, inputs(grad, self), NONE,
                (h, s, n) -> grads(n[0] ? gatherAt(h, self, argmax, w, outShape) : null,
                        n[1] ? Tensor.zeros(inputShape) : null));
    }

    /** out[p, o] = h[p, argmax[p, o]]: the derivative of the max-pool backward (linear in g). */
    private static Tensor gatherAt(Tensor h, Tensor self, int[] argmax, Window2d w, int[] outShape) {
        Tensor hc = h.contiguous();
        Tensor out = Ops.empty(outShape);
        int outPlane = w.outPlane();
        float[] from = data(hc);
        float[] to = data(out);
        int offset = offset(hc);
        for (int i = 0; i < argmax.length; i++) {
            to[i] = from[offset + (i / outPlane) * w.inPlane() + argmax[i]];
        }
        return record("MaxPool2DWithIndicesBackward0", out, inputs(h), NONE,
                (g, s, n) -> grads(maxPoolBackward(g, self, argmax, w)));
    }

    static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        Window2d w = window("avg_pool2d", x, kernel, stride, padding);
        int[] shape = x.shape();
        Tensor in = planar(x);
        Tensor y = Ops.empty(pooledShape(shape, w.outH(), w.outW()));
        K.avgPool2d(w, planes(shape), data(in), offset(in), planeStrides(in), data(y), 0);
        return record("AvgPool2DBackward0", y, inputs(x), saved(x), (g, s, n) -> grads(avgPoolBackward(g, s[0], w)));
    }

    /** Linear in grad; takes the pooled input with a zero derivative, as PyTorch's backward op does. */
    private static Tensor avgPoolBackward(Tensor grad, Tensor self, Window2d w) {
        Tensor g = grad.contiguous();
        int[] inputShape = self.shape();
        Tensor dx = Ops.empty(inputShape);
        K.avgPool2dBackward(w, planes(inputShape), data(g), offset(g), data(dx), 0);
        return record("AvgPool2DBackwardBackward0", dx, inputs(grad, self), NONE,
                (h, s, n) -> grads(n[0] ? avgPool2d(h, w.kernelH(), w.strideH(), w.padH()) : null,
                        n[1] ? Tensor.zeros(inputShape) : null));
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int outputSize) {
        int[] shape = x.shape();
        checkAdaptive(shape, outputSize);
        if (outputSize == 1) {
            return meanOfPlanes(x);
        }
        int inH = shape[shape.length - 2];
        int inW = shape[shape.length - 1];
        Tensor in = planar(x);
        Tensor y = Ops.empty(pooledShape(shape, outputSize, outputSize));
        K.adaptiveAvgPool2d(planes(shape), inH, inW, outputSize, outputSize, data(in), offset(in),
                planeStrides(in), data(y), 0);
        return record("AdaptiveAvgPool2DBackward0", y, inputs(x), saved(x),
                (g, s, n) -> grads(adaptiveBackward(g, s[0], outputSize)));
    }

    /** Linear in grad; takes the pooled input with a zero derivative, as PyTorch's backward op does. */
    private static Tensor adaptiveBackward(Tensor grad, Tensor self, int outputSize) {
        Tensor g = grad.contiguous();
        int[] inputShape = self.shape();
        Tensor dx = Ops.empty(inputShape);
        int r = inputShape.length;
        K.adaptiveAvgPool2dBackward(planes(inputShape), inputShape[r - 2], inputShape[r - 1], outputSize, outputSize,
                data(g), offset(g), data(dx), 0);
        return record("AdaptiveAvgPool2DBackwardBackward0", dx, inputs(grad, self), NONE,
                (h, s, n) -> grads(n[0] ? adaptiveAvgPool2d(h, outputSize) : null,
                        n[1] ? Tensor.zeros(inputShape) : null));
    }

    /**
     * PyTorch computes adaptive_avg_pool2d to 1×1 as x.mean((-1, -2), keepdim=True): a sum over
     * the plane divided by its size, recorded as MeanBackward1.
     */
    private static Tensor meanOfPlanes(Tensor x) {
        int[] shape = x.shape();
        int r = shape.length;
        boolean[] reduce = new boolean[r];
        reduce[r - 1] = true;
        reduce[r - 2] = true;
        float count = shape[r - 1] * shape[r - 2];
        Tensor y = Ops.empty(pooledShape(shape, 1, 1));
        K.sum(shape, data(x), offset(x), strides(x), reduce, data(y), 0);
        float[] means = data(y);
        for (int i = 0; i < means.length; i++) {
            means[i] /= count;
        }
        // PyTorch's mean over dims saves self (see Reductions.mean).
        return record("MeanBackward1", y, inputs(x), saved(x), (g, s, n) -> grads(g.expand(shape).div(count)));
    }

    private static void checkAdaptive(int[] shape, int outputSize) {
        if (shape.length != 3 && shape.length != 4) {
            throw new IllegalArgumentException("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got "
                    + Arrays.toString(shape));
        }
        for (int d = 1; d < shape.length; d++) {
            if (shape[d] == 0) {
                throw new IllegalArgumentException("adaptive_avg_pool2d(): Expected input to have non-zero size for"
                        + " non-batch dimensions, but input has sizes " + Arrays.toString(shape) + " with dimension "
                        + d + " being empty");
            }
        }
        if (outputSize < 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: elements of output_size must be greater than or"
                    + " equal to 0 but received {" + outputSize + ", " + outputSize + "}");
        }
    }

    /** Validates a max/avg pooling call like PyTorch's pool2d_shape_check and returns its window. */
    private static Window2d window(String op, Tensor x, int kernel, int stride, int padding) {
        int[] shape = shape(x);
        int r = shape.length;
        if ((r != 3 && r != 4) || Shapes.numel(shape) == 0) {
            throw new IllegalArgumentException("non-empty 3D or 4D (batch mode) tensor expected for input (" + op
                    + " got input of size " + Arrays.toString(shape) + ")");
        }
        if (kernel <= 0) {
            throw new IllegalArgumentException("kernel size should be greater than zero, but got kH: " + kernel
                    + " kW: " + kernel);
        }
        if (stride <= 0) {
            throw new IllegalArgumentException("stride should be greater than zero, but got dH: " + stride + " dW: "
                    + stride);
        }
        if (padding < 0) {
            throw new IllegalArgumentException("pad must be non-negative, but got pad=" + padding);
        }
        if (padding > kernel / 2) {
            throw new IllegalArgumentException("pad should be at most half of kernel size, but got pad=" + padding
                    + " and kernel_size=" + kernel);
        }
        if (Math.max(shape[r - 2], shape[r - 1]) + 2L * padding > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": padded input size (" + Arrays.toString(shape) + " with padding "
                    + padding + ") exceeds the " + Integer.MAX_VALUE + " a Vectorgrad tensor can index");
        }
        Window2d w = Window2d.square(shape[r - 2], shape[r - 1], kernel, stride, padding, 1);
        if (w.outH() < 1 || w.outW() < 1) {
            throw new IllegalArgumentException("Given input size: (" + shape[r - 3] + "x" + shape[r - 2] + "x"
                    + shape[r - 1] + "). Calculated output size: (" + shape[r - 3] + "x" + Math.max(w.outH(), 0) + "x"
                    + Math.max(w.outW(), 0) + "). Output size is too small");
        }
        return w;
    }
}
