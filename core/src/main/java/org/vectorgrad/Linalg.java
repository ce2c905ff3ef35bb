package org.vectorgrad;

import static org.vectorgrad.Ops.K;
import static org.vectorgrad.Ops.grads;
import static org.vectorgrad.Ops.inputs;
import static org.vectorgrad.Ops.record;

import java.util.Arrays;
import org.vectorgrad.simd.Shapes;

/**
 * Matrix products. {@link #matmul} reduces every case to dot, mv, mm or bmm exactly as PyTorch
 * 1.13 does (including its folding of batch dimensions into mm), so the recorded graph and its
 * node names match PyTorch's.
 */
final class Linalg {
    private Linalg() {
    }

    static Tensor matmul(Tensor a, Tensor b) {
        int da = a.dim();
        int db = b.dim();
        if (da == 0 || db == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are "
                    + da + "D and " + db + "D");
        }
        if (da != 2 || db != 2) {
            checkInner(a, b); // mm reports a 2-D mismatch itself, in PyTorch's words
        }
        if (da == 1 && db == 1) {
            return dot(a, b);
        } else if (da == 2 && db == 1) {
            return mv(a, b);
        } else if (da == 1 && db == 2) {
            return Views.squeeze(mm(a.unsqueeze(0), b), 0, "SqueezeBackward3");
        } else if (da == 2 && db == 2) {
            return mm(a, b);
        } else if (da >= 3 && db <= 2 && shouldFold(a, db)) {
            return folded(a, b, false);
        } else if (db >= 3 && da <= 2 && shouldFold(b, da)) {
            return folded(b.transpose(-1, -2), da == 2 ? a.t() : a, true);
        }
        return batched(a, b);
    }

    /**
     * PyTorch 1.13's should_fold: a 3-D operand times a matrix whose last two dims are swapped in
     * storage (as after permute(0, 2, 1)) goes to bmm, which reads it transposed, instead of
     * being copied so it can be folded into one mm.
     */
    private static boolean shouldFold(Tensor t, int otherDim) {
        int[] shape = t.layout.shape;
        int[] strides = t.layout.strides;
        return !(shape.length == 3 && otherDim == 2 && strides[2] != 1 && strides[0] == shape[1] * shape[2]);
    }

    private static void checkInner(Tensor a, Tensor b) {
        int[] sa = a.layout.shape;
        int[] sb = b.layout.shape;
        int inner = sa[sa.length - 1];
        int other = sb.length == 1 ? sb[0] : sb[sb.length - 2];
        if (inner != other) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(sa) + " and "
                    + Arrays.toString(sb) + " cannot be multiplied (" + inner + " != " + other + ")");
        }
    }

    /** t1 (≥3-D) folded into a matrix for mm/mv; with {@code transposed} the result is transposed back. */
    private static Tensor folded(Tensor t1, Tensor t2, boolean transposed) {
        int[] s1 = t1.layout.shape;
        int[] outputShape = Arrays.copyOf(s1, s1.length - 1 + (t2.dim() == 2 ? 1 : 0));
        int rows = Shapes.numel(Arrays.copyOf(s1, s1.length - 1));
        if (t2.dim() == 2) {
            outputShape[outputShape.length - 1] = t2.layout.shape[1];
        }
        Tensor matrix = t1.reshape(rows, s1[s1.length - 1]);
        Tensor product = unsafeView(t2.dim() == 2 ? mm(matrix, t2) : mv(matrix, t2), outputShape);
        return transposed && t2.dim() == 2 ? product.transpose(-1, -2).contiguous() : product;
    }

    private static Tensor batched(Tensor a, Tensor b) {
        int[] sa = a.layout.shape;
        int[] sb = b.layout.shape;
        int n = sa[sa.length - 2];
        int k = sa[sa.length - 1];
        int p = sb[sb.length - 1];
        int[] batch;
        try {
            batch = Layout.broadcast(Arrays.copyOf(sa, sa.length - 2), Arrays.copyOf(sb, sb.length - 2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in the batch dimensions of matmul operands "
                    + Arrays.toString(sa) + " and " + Arrays.toString(sb), e);
        }
        int count = Shapes.numel(batch);
        Tensor a3 = a.expand(append(batch, n, k)).reshape(count, n, k);
        Tensor b3 = b.expand(append(batch, k, p)).reshape(count, k, p);
        return unsafeView(bmm(a3, b3), append(batch, n, p));
    }

    private static int[] append(int[] batch, int rows, int columns) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = columns;
        return shape;
    }

    /** A contiguous result re-viewed with another shape (PyTorch's {@code _unsafe_view}). */
    private static Tensor unsafeView(Tensor x, int[] shape) {
        int[] original = x.layout.shape.clone();
        return record("UnsafeViewBackward0", new Tensor(x.data, Layout.contiguous(shape), x.dtype, x.counter()), inputs(x),
                Ops.NONE, (g, s, n) -> grads(g.reshape(original)));
    }

    static Tensor mm(Tensor a, Tensor b) {
        int[] sa = a.layout.shape;
        int[] sb = b.layout.shape;
        if (sa[1] != sb[0]) {
            throw new IllegalArgumentException("mat1 and mat2 shapes cannot be multiplied (" + sa[0] + "x" + sa[1]
                    + " and " + sb[0] + "x" + sb[1] + ")");
        }
        // The kernel reads both operands through their strides: the transposed views of the
        // backward formulas below are packed by the kernel, never copied.
        Tensor c = Ops.forOverwrite(new int[] {sa[0], sb[1]}); // the product writes every element
        int[] ta = a.layout.strides;
        int[] tb = b.layout.strides;
        K.matmul(sa[0], sb[1], sa[1], a.data, a.layout.offset, ta[0], ta[1], b.data, b.layout.offset, tb[0], tb[1],
                c.data, 0, sb[1], false);
        Layout la = a.layout;
        Layout lb = b.layout;
        return record("MmBackward0", c, inputs(a, b), savedCrosswise(a, b), (g, s, n) -> grads(
                n[0] ? mmLike(g, s[1].t(), la) : null,
                n[1] ? mmLike(s[0].t(), g, lb) : null));
    }

    /**
     * What PyTorch saves for a product a·b: each operand only when the other needs its gradient
     * (the gradient of a reads b, and the other way round); layouts are kept apart, as sizes.
     */
    static Tensor[] savedCrosswise(Tensor a, Tensor b) {
        return Ops.saved(b.requiresGrad() ? a : null, a.requiresGrad() ? b : null);
    }

    /**
     * left·right for an operand's gradient, laid out in memory like that operand (as PyTorch's
     * mm_mat*_backward does): for a transposed operand, such as a Linear weight used as W.t(),
     * the product is computed as (rightᵀ·leftᵀ)ᵀ, so the gradient reaching the leaf is contiguous
     * and accumulating it is a copy, not a strided gather (that gather was a quarter of an MLP step).
     */
    static Tensor mmLike(Tensor left, Tensor right, Layout like) {
        return mmLike(left, right, like.shape, like.strides);
    }

    static Tensor mmLike(Tensor left, Tensor right, int[] shape, int[] strides) {
        boolean columnMajor = shape[0] > 1 && shape[1] > 1 && strides[0] == 1 && strides[1] == shape[0];
        return columnMajor ? mm(right.t(), left.t()).t() : mm(left, right);
    }

    static Tensor mv(Tensor a, Tensor v) {
        int[] sa = a.layout.shape;
        Tensor y = Ops.empty(new int[] {sa[0]});
        K.matmul(sa[0], 1, sa[1], a.data, a.layout.offset, a.layout.strides[0], a.layout.strides[1],
                v.data, v.layout.offset, v.layout.strides[0], 1, y.data, 0, 1, false);
        return record("MvBackward0", y, inputs(a, v), savedCrosswise(a, v), (g, s, n) -> grads(
                n[0] ? g.unsqueeze(1).mul(s[1]) : null,
                n[1] ? mv(s[0].t(), g) : null));
    }

    static Tensor dot(Tensor a, Tensor b) {
        Tensor y = Ops.empty(new int[0]);
        K.matmul(1, 1, a.layout.shape[0], a.data, a.layout.offset, 0, a.layout.strides[0],
                b.data, b.layout.offset, b.layout.strides[0], 1, y.data, 0, 1, false);
        return record("DotBackward0", y, inputs(a, b), savedCrosswise(a, b), (g, s, n) -> grads(
                n[0] ? g.mul(s[1]) : null,
                n[1] ? g.mul(s[0]) : null));
    }

    /**
     * Batched product of [B,n,k] and [B,k,p] in one kernel call, parallel over the batch and the
     * blocks of each product; a broadcast operand (batch stride 0) is read in place.
     */
    static Tensor bmm(Tensor a, Tensor b) {
        int[] sa = a.layout.shape;
        int[] sb = b.layout.shape;
        int[] ta = a.layout.strides;
        int[] tb = b.layout.strides;
        Tensor c = Ops.forOverwrite(new int[] {sa[0], sa[1], sb[2]}); // every product writes its entry
        K.matmulBatched(sa[0], sa[1], sb[2], sa[2], a.data, a.layout.offset, ta[0], ta[1], ta[2],
                b.data, b.layout.offset, tb[0], tb[1], tb[2], c.data, 0, sa[1] * sb[2], sb[2], false);
        return record("BmmBackward0", c, inputs(a, b), savedCrosswise(a, b), (g, s, n) -> grads(
                n[0] ? bmm(g, s[1].transpose(1, 2)) : null,
                n[1] ? bmm(s[0].transpose(1, 2), g) : null));
    }
}
