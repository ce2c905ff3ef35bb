package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.NONE;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;
import static org.vectorgrad.Ops.recording;
import static org.vectorgrad.Ops.saved;

import java.util.Arrays;
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.Shapes;
import org.vectorgrad.simd.UnaryOp;

/** Unary and broadcasting binary operations: forward kernel and backward formula side by side. */
final class Elementwise {
    private Elementwise() {
    }

    static Tensor map(UnaryOp op, Tensor x) {
        Tensor out = result(x.layout.shape, x.layout);
        int[] order = writeOrder(out);
        K.map(op, reorder(out.layout.shape, order), x.data, x.layout.offset, reorder(x.layout.strides, order),
                out.data, 0);
        return out;
    }

    /**
     * {@link #map} into x's own buffer when a container donated it for this call
     * ({@link BufferPool#overwriting}): element i reads x[i] only, and a contiguous x and its result
     * lay elements out alike.
     */
    private static Tensor mapOverwriting(UnaryOp op, Tensor x) {
        if (!x.isDenseStorage()) {
            return map(op, x);
        }
        float[] buffer = BufferPool.overwriting(x, x.data.length);
        Tensor out = new Tensor(buffer, Layout.contiguous(x.layout.shape), DType.FLOAT32);
        K.map(op, x.layout.shape, x.data, 0, x.layout.strides, buffer, 0);
        return out;
    }

    static Tensor zip(BinaryOp op, Tensor a, Tensor b) {
        return zip(op, a.data, a.layout, b.data, b.layout);
    }

    // A number operand, as PyTorch wraps it into a 0-d tensor, but without the tensor object where
    // no node keeps it (a tiny graph's cost is its allocation).
    private static Tensor zip(BinaryOp op, Tensor a, float b) {
        return zip(op, a.data, a.layout, new float[] {b}, Layout.SCALAR);
    }

    private static Tensor zip(BinaryOp op, float a, Tensor b) {
        return zip(op, new float[] {a}, Layout.SCALAR, b.data, b.layout);
    }

    private static Tensor zip(BinaryOp op, float[] aData, Layout a, float[] bData, Layout b) {
        int[] shape = Layout.broadcast(a.shape, b.shape);
        Tensor out = resultLaidOut(shape, MemoryFormat.of(shape, a, b));
        int[] order = writeOrder(out);
        K.zip(op, reorder(shape, order), aData, a.offset, reorder(a.stridesAs(shape), order),
                bData, b.offset, reorder(b.stridesAs(shape), order), out.data, 0);
        return out;
    }

    private static Tensor result(int[] shape, Layout... inputs) {
        return resultLaidOut(shape, MemoryFormat.of(shape, inputs));
    }

    /**
     * A new float tensor with the layout PyTorch gives the elementwise result of the inputs. Its
     * buffer may hold stale values: every caller's kernel writes each element.
     */
    private static Tensor resultLaidOut(int[] shape, Layout layout) {
        return new Tensor(BufferPool.forOverwrite(Shapes.numel(shape)), layout, DType.FLOAT32);
    }

    /**
     * The dimension order in which the kernels, which write their destination row-major, must
     * visit a dense result so that every element lands at its strided place; null for row-major.
     */
    private static int[] writeOrder(Tensor out) {
        return out.layout.isContiguous() ? null : MemoryFormat.visitOrder(out.layout);
    }

    private static int[] reorder(int[] values, int[] order) {
        return order == null ? values : MemoryFormat.reorder(values, order);
    }

    /**
     * Sums a broadcast gradient back to the shape of the input it was broadcast from. Called by
     * the engine for every node (so binary op backwards below return full-shape gradients), by
     * {@code expand}'s backward and by {@code sumToSize}.
     */
    static Tensor sumToShape(Tensor grad, int[] shape) {
        int[] gradShape = grad.layout.shape;
        if (Arrays.equals(gradShape, shape)) {
            return grad;
        }
        if (shape.length == 0) {
            return Reductions.sum(grad); // PyTorch's sum_to: a 0-d target is a plain sum (SumBackward0)
        }
        int lead = gradShape.length - shape.length;
        int[] dims = new int[gradShape.length];
        int count = 0;
        for (int d = 0; d < gradShape.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gradShape[d] != 1)) {
                dims[count++] = d;
            }
        }
        // NOTE: as PyTorch's sum_to: a keepdim sum, then a view only to drop leading dims, so
        // sumToSize's grad_fn is SumBackward1 (or ViewBackward0 over it), never a reshape.
        Tensor reduced = count == 0 ? grad : Reductions.sum(grad, Arrays.copyOf(dims, count), true);
        return lead > 0 ? reduced.view(shape) : reduced;
    }

    /** grad += incoming, in place; grad is a dense buffer (any stride order) that nothing else reads meanwhile. */
    static void addInPlace(Tensor grad, Tensor incoming) {
        Layout in = incoming.layout.expand(grad.layout.shape);
        int[] order = writeOrder(grad);
        K.zip(BinaryOp.ADD, reorder(grad.layout.shape, order), grad.data, grad.layout.offset,
                reorder(grad.layout.strides, order), incoming.data, in.offset, reorder(in.strides, order), grad.data,
                grad.layout.offset);
    }

    // ---- unary ----------------------------------------------------------------------------------

    static Tensor neg(Tensor x) {
        Tensor y = map(UnaryOp.NEG, x);
        return !recording(x) ? y : record("NegBackward0", y, inputs(x), NONE, (g, s, n) -> grads(g.neg()));
    }

    static Tensor exp(Tensor x) {
        Tensor y = map(UnaryOp.EXP, x);
        return record("ExpBackward0", y, inputs(x), saved(y), (g, s, n) -> grads(g.mul(s[0])));
    }

    static Tensor log(Tensor x) {
        return record("LogBackward0", map(UnaryOp.LOG, x), inputs(x), saved(x),
                (g, s, n) -> grads(g.div(s[0])));
    }

    static Tensor sin(Tensor x) {
        return record("SinBackward0", map(UnaryOp.SIN, x), inputs(x), saved(x),
                (g, s, n) -> grads(g.mul(s[0].cos())));
    }

    static Tensor cos(Tensor x) {
        return record("CosBackward0", map(UnaryOp.COS, x), inputs(x), saved(x),
                (g, s, n) -> grads(g.mul(s[0].sin().neg())));
    }

    static Tensor tanh(Tensor x) {
        Tensor y = map(UnaryOp.TANH, x);
        return record("TanhBackward0", y, inputs(x), saved(y),
                (g, s, n) -> grads(g.mul(s[0].mul(s[0]).rsub(1f))));
    }

    static Tensor sigmoid(Tensor x) {
        Tensor y = map(UnaryOp.SIGMOID, x);
        return record("SigmoidBackward0", y, inputs(x), saved(y),
                (g, s, n) -> grads(g.mul(s[0].rsub(1f)).mul(s[0])));
    }

    static Tensor relu(Tensor x) {
        Tensor y = mapOverwriting(UnaryOp.RELU, x);
        return record("ReluBackward0", y, inputs(x), saved(y), (g, s, n) -> grads(thresholdBackward(g, s[0], 0f)));
    }

    /**
     * PyTorch's threshold_backward, relu's backward: grad where self > threshold, else 0. The mask
     * is !(self <= threshold), so a NaN passes the gradient, as in PyTorch. Recorded as its own op
     * so that relu's backward is differentiable as PyTorch's is: linear in grad, and with a zero
     * derivative in self (PyTorch's zeros_like) that keeps self in the graph.
     */
    static Tensor thresholdBackward(Tensor grad, Tensor self, float threshold) {
        Tensor out = fusedThresholdBackward(grad, self, threshold);
        if (out == null) {
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                out = where(self.le(Tensor.scalar(threshold)), Tensor.scalar(0f), grad);
            }
        }
        int[] shape = self.layout.shape.clone();
        return record("ThresholdBackwardBackward0", out, inputs(grad, self), saved(grad.requiresGrad() ? self : null),
                (g, s, n) -> grads(n[0] ? thresholdBackward(g, s[0], threshold) : null,
                        n[1] ? Tensor.zeros(shape) : null));
    }

    /**
     * threshold_backward's values in one pass without a mask tensor, for the common case of a
     * contiguous grad and self of one shape; null otherwise (broadcast or strided operands take the
     * where path, whose result layout rules apply).
     */
    private static Tensor fusedThresholdBackward(Tensor grad, Tensor self, float threshold) {
        if (!Arrays.equals(grad.layout.shape, self.layout.shape) || !grad.layout.isContiguous()
                || !self.layout.isContiguous()) {
            return null;
        }
        int n = Shapes.numel(self.layout.shape);
        float[] dst = BufferPool.overwriting(grad, n); // in place is safe: element i reads grad[i] only
        K.thresholdBackward(n, threshold, grad.data, grad.layout.offset, self.data, self.layout.offset, dst, 0);
        return Tensor.wrap(dst, self.layout.shape);
    }

    static Tensor sqrt(Tensor x) {
        Tensor y = map(UnaryOp.SQRT, x);
        return record("SqrtBackward0", y, inputs(x), saved(y), (g, s, n) -> grads(g.div(s[0].mul(2f))));
    }

    static Tensor abs(Tensor x) {
        return record("AbsBackward0", map(UnaryOp.ABS, x), inputs(x), saved(x),
                (g, s, n) -> grads(g.mul(s[0].sign())));
    }

    static Tensor sign(Tensor x) {
        int[] shape = x.layout.shape.clone();
        return record("SignBackward0", map(UnaryOp.SIGN, x), inputs(x), NONE,
                (g, s, n) -> grads(Tensor.zeros(shape)));
    }

    // ---- binary (broadcasting) --------------------------------------------------------------------

    static Tensor add(Tensor a, Tensor b) {
        Tensor sum = zip(BinaryOp.ADD, a, b);
        return !recording(a, b) ? sum : record("AddBackward0", sum, inputs(a, b), NONE,
                (g, s, n) -> grads(n[0] ? g : null, n[1] ? g : null));
    }

    static Tensor sub(Tensor a, Tensor b) {
        Tensor difference = zip(BinaryOp.SUB, a, b);
        return !recording(a, b) ? difference : record("SubBackward0", difference, inputs(a, b), NONE,
                (g, s, n) -> grads(n[0] ? g : null, n[1] ? g.neg() : null));
    }

    static Tensor rsub(Tensor x, float value) {
        return record("RsubBackward1", zip(BinaryOp.SUB, value, x), inputs(x), NONE,
                (g, s, n) -> grads(g.neg()));
    }

    static Tensor mul(Tensor a, Tensor b) {
        Tensor product = zip(BinaryOp.MUL, a, b);
        return !recording(a, b) ? product : record("MulBackward0", product, inputs(a, b),
                saved(b.requiresGrad() ? a : null, a.requiresGrad() ? b : null),
                (g, s, n) -> grads(n[0] ? g.mul(s[1]) : null,
                        n[1] ? g.mul(s[0]) : null));
    }

    static Tensor div(Tensor a, Tensor b) {
        Tensor quotient = zip(BinaryOp.DIV, a, b);
        return !recording(a, b) ? quotient : record("DivBackward0", quotient, inputs(a, b), saved(b.requiresGrad() ? a : null, b),
                (g, s, n) -> grads(n[0] ? g.div(s[1]) : null,
                        n[1] ? g.neg().mul(s[0]).div(s[1].mul(s[1])) : null));
    }

    static Tensor pow(Tensor x, float p) {
        Tensor power = zip(BinaryOp.POW, x, p);
        if (!recording(x)) {
            return power;
        }
        int[] shape = x.layout.shape; // never mutated
        return record("PowBackward0", power, inputs(x), saved(x),
                (g, s, n) -> grads(p == 0f ? Tensor.zeros(shape) : g.mul(s[0].pow(p - 1f).mul(p))));
    }

    // NOTE: PyTorch's masks: no base gradient where the exponent is 0 (0 * x^-1 would be NaN at
    // x = 0), no exponent gradient where x = 0 and e >= 0 (the limit of x^e log x is 0 there).
    static Tensor pow(Tensor x, Tensor e) {
        Tensor y = zip(BinaryOp.POW, x, e);
        return record("PowBackward1", y, inputs(x, e), saved(x, e, e.requiresGrad() ? y : null), (g, s, n) -> {
            Tensor base = s[0];
            Tensor exponent = s[1];
            Tensor zero = Tensor.scalar(0f);
            Tensor baseGrad = null;
            Tensor exponentGrad = null;
            if (n[0]) {
                Tensor slope = exponent.mul(base.pow(exponent.sub(1f)));
                baseGrad = where(exponent.eq(zero), zero, g.mul(slope));
            }
            if (n[1]) {
                Tensor limitIsZero = logicalAnd(base.eq(zero), exponent.ge(zero));
                exponentGrad = g.mul(where(limitIsZero, zero, s[2].mul(base.log())));
            }
            return grads(baseGrad, exponentGrad);
        });
    }

    static Tensor maximum(Tensor a, Tensor b) {
        return extremum("MaximumBackward0", BinaryOp.MAXIMUM, BinaryOp.LT, a, b);
    }

    static Tensor minimum(Tensor a, Tensor b) {
        return extremum("MinimumBackward0", BinaryOp.MINIMUM, BinaryOp.GT, a, b);
    }

    // NOTE: at ties PyTorch splits the gradient evenly between the two inputs; where either is
    // NaN neither mask applies, so both get the whole gradient.
    private static Tensor extremum(String name, BinaryOp op, BinaryOp loses, Tensor a, Tensor b) {
        return record(name, zip(op, a, b), inputs(a, b), saved(a, b), (g, s, n) -> {
            Tensor zero = Tensor.scalar(0f);
            Tensor shared = where(s[0].eq(s[1]), g.div(2f), g);
            return grads(n[0] ? where(compare(loses, s[0], s[1]), zero, shared) : null,
                    n[1] ? where(compare(loses, s[1], s[0]), zero, shared) : null);
        });
    }

    static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        Tensor mask = zip(op, a, b);
        return new Tensor(mask.data, mask.layout, DType.BOOL, mask.counter());
    }

    /** Both masks true; on 0/1 storage that is their product. */
    static Tensor logicalAnd(Tensor a, Tensor b) {
        return compare(BinaryOp.MUL, a, b);
    }

    static Tensor where(Tensor condition, Tensor a, Tensor b) {
        if (condition.dtype != DType.BOOL) {
            throw new IllegalArgumentException("where expected condition to be a boolean tensor, but got a tensor"
                    + " with dtype Float (shape " + Arrays.toString(condition.layout.shape) + ")");
        }
        int[] shape = Layout.broadcast(Layout.broadcast(condition.layout.shape, a.layout.shape), b.layout.shape);
        Layout lc = condition.layout.expand(shape);
        Layout la = a.layout.expand(shape);
        Layout lb = b.layout.expand(shape);
        Tensor out = result(shape, condition.layout, a.layout, b.layout);
        int[] order = writeOrder(out);
        K.where(reorder(shape, order), condition.data, lc.offset, reorder(lc.strides, order), a.data, la.offset,
                reorder(la.strides, order), b.data, lb.offset, reorder(lb.strides, order), out.data, 0);
        return record("WhereBackward0", out, inputs(a, b), saved(condition.detach()), (g, s, n) -> {
            Tensor zero = Tensor.scalar(0f);
            return grads(n[0] ? where(s[0], g, zero) : null,
                    n[1] ? where(s[0], zero, g) : null);
        });
    }

    // ---- clamp ------------------------------------------------------------------------------

    /**
     * min(max(x, lo), hi), as PyTorch computes it: NaN in x gives NaN, a NaN bound gives NaN
     * everywhere, lo &gt; hi gives hi everywhere. The gradient passes where lo &lt;= x &lt;= hi
     * (bounds included, NaN excluded), PyTorch's ClampBackward1.
     */
    // NOTE: one difference remains in the sign of a zero: where x and a bound are zeros of
    // opposite signs PyTorch returns x and Math.max/min the +0 (max) or -0 (min).
    static Tensor clamp(Tensor x, float lo, float hi) {
        Tensor y = zip(BinaryOp.MINIMUM, zip(BinaryOp.MAXIMUM, x, lo), hi);
        return record("ClampBackward1", y, inputs(x), saved(x), (g, s, n) -> {
            Tensor inside = logicalAnd(s[0].ge(Tensor.scalar(lo)), s[0].le(Tensor.scalar(hi)));
            return grads(where(inside, g, Tensor.scalar(0f)));
        });
    }
}
