package org.vectorgrad;

import java.util.Arrays;
import java.util.List;
import org.vectorgrad.simd.BinaryOp;
import org.vectorgrad.simd.Shapes;

/**
 * An n-dimensional float32 array with PyTorch semantics: strided views over shared storage,
 * NumPy broadcasting, and define-by-run autograd. Operations return new tensors (views share
 * storage); nothing here mutates a tensor's values except gradient accumulation.
 */
public final class Tensor {
    final float[] data;
    final Layout layout;
    final DType dtype;
    /**
     * Shared with every view of {@link #data} (see {@link VersionCounter}); created on first
     * need (a view or a write), so the many tensors that are never viewed nor written, at
     * version 0 for life, cost no extra allocation. Set once, by CAS: see {@link #counter()}.
     */
    private volatile VersionCounter versionCounter;
    private boolean requiresGrad;
    private Node gradFn;
    private Node accumulator;
    private Tensor grad;
    /**
     * True while {@link #grad} is a dense buffer that backward created for this tensor and that
     * no caller has been given ({@link #grad()}, {@link #setGrad}, a create-graph gradient): only
     * then may {@link #zeroGrad} recycle it.
     */
    private boolean ownsGradBuffer;

    Tensor(float[] data, Layout layout, DType dtype) {
        this(data, layout, dtype, null);
    }

    /** A tensor over another's storage: {@code counter} is that storage's version counter (from {@link #counter()}). */
    Tensor(float[] data, Layout layout, DType dtype, VersionCounter counter) {
        this.data = data;
        this.layout = layout;
        this.dtype = dtype;
        this.versionCounter = counter;
    }

    /** A new contiguous float tensor over {@code data} (not copied). */
    static Tensor wrap(float[] data, int... shape) {
        return new Tensor(data, Layout.contiguous(shape), DType.FLOAT32);
    }

    // ---- creation ---------------------------------------------------------------------------

    /** 1-D tensor of the values ({@code torch.tensor([...])}). */
    public static Tensor of(float... values) {
        return wrap(values.clone(), values.length);
    }

    /** 2-D tensor of the rows ({@code torch.tensor([[...], [...]])}); rows must have equal length. */
    public static Tensor of(float[][] rows) {
        return Factories.ofRows(rows);
    }

    /** 0-d tensor holding {@code value}. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, Layout.SCALAR, DType.FLOAT32); // runs per op: shares its layout
    }

    /** A copy of {@code data} viewed with {@code shape} (row-major); element counts must match. */
    public static Tensor fromArray(float[] data, int... shape) {
        return Factories.fromArray(data, shape);
    }

    public static Tensor zeros(int... shape) {
        return full(0f, shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        return Factories.full(value, shape);
    }

    /** Uniform on [0, 1) from the default generator; same values as PyTorch for the same seed. */
    public static Tensor rand(int... shape) {
        return Factories.random(shape, false);
    }

    /** Standard normal from the default generator; same values as PyTorch for the same seed. */
    public static Tensor randn(int... shape) {
        return Factories.random(shape, true);
    }

    /** Seeds the default generator ({@code torch.manual_seed}). */
    public static void manualSeed(long seed) {
        Generator.defaultGenerator().manualSeed(seed);
    }

    /** 0, 1, ..., n-1. */
    public static Tensor arange(int n) {
        return Factories.arange(n);
    }

    /** n×n identity matrix. */
    public static Tensor eye(int n) {
        return Factories.eye(n);
    }

    // ---- inspection -------------------------------------------------------------------------

    public int[] shape() {
        return layout.shape.clone();
    }

    /** Element steps between neighbours along each dimension ({@code t.stride()}). */
    public int[] stride() {
        return layout.strides.clone();
    }

    public int dim() {
        return layout.dim();
    }

    public int numel() {
        return layout.numel();
    }

    public DType dtype() {
        return dtype;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (numel() != 1) {
            throw new IllegalStateException("only one element tensors can be converted to Java scalars,"
                    + " but this tensor has shape " + Arrays.toString(layout.shape));
        }
        return data[layout.offset];
    }

    /** A row-major copy of the values, whatever the layout. */
    public float[] toArray() {
        float[] out = new float[numel()];
        Ops.K.copy(layout.shape, data, layout.offset, layout.strides, out, 0,
                Shapes.contiguousStrides(layout.shape));
        return out;
    }

    /** The element at {@code index} (negative indices count from the end). */
    public float get(int... index) {
        if (index.length != dim()) {
            throw new IllegalArgumentException("get" + Arrays.toString(index) + " needs " + dim()
                    + " indices for a tensor of shape " + Arrays.toString(layout.shape));
        }
        int[] wrapped = new int[index.length];
        for (int d = 0; d < index.length; d++) {
            wrapped[d] = Views.wrapIndex(index[d], layout.shape[d], d);
        }
        return data[layout.indexOf(wrapped)];
    }

    public boolean isContiguous() {
        return layout.isContiguous();
    }

    /** PyTorch's {@code repr}, byte for byte. */
    @Override
    public String toString() {
        List<String> suffixes = gradFn != null ? List.of("grad_fn=<" + gradFn.name() + ">")
                : requiresGrad ? List.of("requires_grad=True") : List.of();
        return TensorFormat.repr(data, layout.offset, layout.shape, layout.strides, dtype == DType.BOOL, suffixes);
    }

    /** {@code torch.Size([2, 3])}, as PyTorch prints a shape. */
    static String sizeString(int[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }

    // ---- autograd -----------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad || gradFn != null;
    }

    /** {@code requires_grad_(flag)}: only leaves can change it; returns {@code this}. */
    public Tensor requiresGrad(boolean flag) {
        if (gradFn != null) {
            if (!flag) {
                throw new IllegalStateException("you can only change requires_grad flags of leaf variables."
                        + " If you want to use a computed variable in a subgraph that doesn't require"
                        + " differentiation use var_no_grad = var.detach().");
            }
            return this;
        }
        if (flag && dtype != DType.FLOAT32) {
            throw new IllegalStateException("only Tensors of floating point dtype can require gradients");
        }
        requiresGrad = flag;
        return this;
    }

    /** The accumulated gradient ({@code .grad}); null before backward, and for non-leaves unless retained. */
    public synchronized Tensor grad() {
        ownsGradBuffer = false;
        return grad;
    }

    /** {@link #grad()} for the optimizers' step, which reads it and keeps no reference. */
    synchronized Tensor gradForStep() {
        return grad;
    }

    /**
     * {@code t.grad = grad}: the next backward accumulates into {@code grad} itself (its storage,
     * a view's included, is not copied), and the optimizers read it; null drops the gradient.
     * Like PyTorch, refuses a gradient of another size or dtype.
     */
    public synchronized void setGrad(Tensor grad) {
        if (grad != null && !Arrays.equals(grad.shape(), shape())) {
            throw new IllegalArgumentException("assigned grad has data of a different size: " + sizeString(grad.shape())
                    + " for a tensor of size " + sizeString(shape()));
        }
        if (grad != null && grad.dtype != dtype) {
            throw new IllegalArgumentException("assigned grad has data of a different type: " + grad.dtype
                    + " for a tensor of type " + dtype);
        }
        this.grad = grad;
        ownsGradBuffer = false;
    }

    /** The operation that produced this tensor; null for leaves. */
    public GradFn gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Keep the gradient of this non-leaf in {@link #grad()} on backward; returns {@code this}. */
    public Tensor retainGrad() {
        if (!requiresGrad()) {
            throw new IllegalStateException("can't retain_grad on Tensor that has requires_grad=False");
        }
        if (gradFn != null) {
            gradFn.retainer = this;
        }
        return this;
    }

    /** Backpropagates from this one-element tensor, accumulating into the leaves' {@code .grad}. */
    public void backward() {
        backward(null, false);
    }

    /** Vector-Jacobian product: backpropagates {@code gradient} (same shape as this tensor). */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** As {@link #backward(Tensor)}; {@code retainGraph} keeps saved tensors for another pass. */
    public void backward(Tensor gradient, boolean retainGraph) {
        Engine.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, false);
    }

    /** A tensor sharing this one's storage, without history and not requiring grad. */
    public Tensor detach() {
        return new Tensor(data, layout, dtype, counter());
    }

    /**
     * Drops the accumulated gradient (PyTorch's {@code zero_grad(set_to_none=True)}). A gradient
     * buffer that backward created and no caller was ever given goes back to this thread's
     * {@link BufferPool}, so the next backward's gradient of this size reuses it instead of a
     * fresh array the JVM zeroes on this thread (a ResNet-18 step allocated 11.7M floats of fresh
     * gradients, one per parameter, every step).
     */
    public synchronized void zeroGrad() {
        Tensor dropped = grad;
        boolean owned = ownsGradBuffer;
        grad = null;
        ownsGradBuffer = false;
        if (owned && dropped.isDenseStorage()) {
            BufferPool.release(dropped.data);
        }
    }

    /** The graph node gradients flow into: the producing operation, or a leaf's accumulator. */
    Node edge() {
        if (gradFn != null) {
            return gradFn;
        }
        if (!requiresGrad) {
            return null;
        }
        synchronized (this) {
            if (accumulator == null) {
                accumulator = Node.accumulator(this);
            }
            return accumulator;
        }
    }

    /** Row-major over the whole of its own buffer: the buffer is exactly this tensor. */
    boolean isDenseStorage() {
        return dtype == DType.FLOAT32 && layout.offset == 0 && data.length == numel() && layout.isContiguous();
    }

    void setGradFn(Node node) {
        gradFn = node;
    }

    /**
     * Adds an incoming gradient to {@code .grad}. Without createGraph the first gradient is
     * copied into a buffer this tensor owns (the incoming one may be shared with other nodes) and
     * later ones are added in place; with createGraph the sum keeps its history.
     */
    synchronized void accumulateGrad(Tensor incoming, boolean createGraph) {
        accumulateGrad(incoming, createGraph, false);
    }

    /**
     * As {@link #accumulateGrad(Tensor, boolean)}; with {@code adopt} the engine vouches that
     * nothing else references the incoming buffer, so a dense one becomes {@code .grad} uncopied
     * (as PyTorch's AccumulateGrad steals a gradient nobody else holds).
     */
    synchronized void accumulateGrad(Tensor incoming, boolean createGraph, boolean adopt) {
        // synchronized: backward passes on several threads may reach one leaf at once; the lock is
        // per tensor and uncontended on a single thread.
        if (createGraph) {
            grad = grad == null ? incoming : grad.add(incoming);
            ownsGradBuffer = false;
        } else if (grad == null) {
            float[] values = adopt && incoming.isDenseStorage() ? incoming.data : incoming.toArray();
            // Layouts are immutable: the usual leaf's own is shared.
            grad = new Tensor(values, layout.isFreshContiguous() ? layout : Layout.contiguous(layout.shape),
                    DType.FLOAT32);
            // Adopted only when nothing else references it, else a copy: this tensor's alone.
            ownsGradBuffer = true;
        } else if (grad.gradFn != null) {
            grad = grad.detach().add(incoming.detach());
            ownsGradBuffer = false;
        } else {
            Elementwise.addInPlace(grad, incoming);
            grad.counter().bump();
        }
    }

    // ---- in-place updates (not differentiable: under noGrad or on detached tensors) ----------

    /** {@code copy_(src)}: overwrites this tensor's elements with {@code src} broadcast to its shape. */
    public Tensor copyFrom(Tensor src) {
        return InPlace.copyFrom(this, src);
    }

    /** {@code add_(other, alpha=alpha)}: this += alpha · other (broadcast); returns {@code this}. */
    public Tensor addInPlace(Tensor other, float alpha) {
        return InPlace.add(this, other, alpha);
    }

    /** {@code mul_(factor)}: this *= factor; returns {@code this}. */
    public Tensor mulInPlace(float factor) {
        return InPlace.mul(this, factor);
    }

    /** {@code fill_(value)}; returns {@code this}. */
    public Tensor fill(float value) {
        return InPlace.fill(this, value);
    }

    // ---- binary operations (broadcasting) ---------------------------------------------------

    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    public Tensor add(float value) {
        return Elementwise.add(this, scalar(value));
    }

    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    public Tensor sub(float value) {
        return Elementwise.sub(this, scalar(value));
    }

    /** {@code value - this} (PyTorch's {@code rsub}, as in {@code 10 - x}). */
    public Tensor rsub(float value) {
        return Elementwise.rsub(this, value);
    }

    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    public Tensor mul(float value) {
        return Elementwise.mul(this, scalar(value));
    }

    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    public Tensor div(float value) {
        return Elementwise.div(this, scalar(value));
    }

    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    public Tensor pow(Tensor exponent) {
        return Elementwise.pow(this, exponent);
    }

    /** Elementwise maximum; NaN if either is NaN ({@code torch.maximum}). */
    public Tensor maximum(Tensor other) {
        return Elementwise.maximum(this, other);
    }

    /** Elementwise {@code this == other} as a bool tensor. */
    public Tensor eq(Tensor other) {
        return Elementwise.compare(BinaryOp.EQ, this, other);
    }

    public Tensor ne(Tensor other) {
        return Elementwise.compare(BinaryOp.NE, this, other);
    }

    public Tensor lt(Tensor other) {
        return Elementwise.compare(BinaryOp.LT, this, other);
    }

    public Tensor le(Tensor other) {
        return Elementwise.compare(BinaryOp.LE, this, other);
    }

    public Tensor gt(Tensor other) {
        return Elementwise.compare(BinaryOp.GT, this, other);
    }

    public Tensor ge(Tensor other) {
        return Elementwise.compare(BinaryOp.GE, this, other);
    }

    /**
     * The values as float32 ({@code .float()}): this tensor when already float32; a bool tensor
     * reads as 1/0 over the same storage (bools are stored as 0f/1f and never require grad).
     */
    public Tensor toFloat() {
        return dtype == DType.FLOAT32 ? this : new Tensor(data, layout, DType.FLOAT32, counter());
    }

    /** {@code condition ? a : b} elementwise, broadcasting all three ({@code torch.where}). */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        return Elementwise.where(condition, a, b);
    }

    // ---- unary operations ---------------------------------------------------------------------

    public Tensor neg() {
        return Elementwise.neg(this);
    }

    public Tensor exp() {
        return Elementwise.exp(this);
    }

    public Tensor log() {
        return Elementwise.log(this);
    }

    public Tensor sin() {
        return Elementwise.sin(this);
    }

    public Tensor cos() {
        return Elementwise.cos(this);
    }

    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    public Tensor relu() {
        return Elementwise.relu(this);
    }

    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    public Tensor abs() {
        return Elementwise.abs(this);
    }

    /** -1, 0 or 1 by sign (zero gradient). */
    public Tensor sign() {
        return Elementwise.sign(this);
    }

    // ---- reductions ---------------------------------------------------------------------------

    public Tensor sum() {
        return Reductions.sum(this);
    }

    public Tensor sum(int dim, boolean keepDim) {
        return Reductions.sum(this, new int[] {dim}, keepDim);
    }

    /** Sum over several dimensions at once. */
    public Tensor sum(int[] dims, boolean keepDim) {
        return Reductions.sum(this, dims, keepDim);
    }

    /** Sums broadcast dimensions away so the result has {@code shape} ({@code sum_to_size}). */
    public Tensor sumToSize(int... shape) {
        if (!Layout.isExpandableTo(shape, layout.shape)) {
            throw new IllegalArgumentException("size {" + Arrays.toString(shape) + "} is not expandable to size {"
                    + Arrays.toString(layout.shape) + "}.");
        }
        // PyTorch's sum_to: a 0-d target is always a sum (SumBackward0), even of a 0-d tensor.
        return shape.length == 0 ? Reductions.sum(this) : Elementwise.sumToShape(this, shape.clone());
    }

    public Tensor mean() {
        return Reductions.mean(this);
    }

    public Tensor mean(int dim, boolean keepDim) {
        return Reductions.mean(this, dim, keepDim);
    }

    /** The largest element (NaN if any is NaN). */
    public Tensor max() {
        return Reductions.max(this);
    }

    /** The largest values along {@code dim}. */
    public Tensor max(int dim, boolean keepDim) {
        return Reductions.max(this, dim, keepDim);
    }

    /** Positions (as floats) of the first largest values along {@code dim}; no gradient. */
    public Tensor argmax(int dim, boolean keepDim) {
        return Reductions.argmax(this, dim, keepDim);
    }

    /** The 2-norm of all elements. */
    public Tensor norm() {
        return Reductions.norm(this);
    }

    // ---- linear algebra and softmax -------------------------------------------------------------

    /** Matrix product with PyTorch's rules for 1-D, 2-D and batched (broadcast) operands. */
    public Tensor matmul(Tensor other) {
        return Linalg.matmul(this, other);
    }

    public Tensor softmax(int dim) {
        return SoftmaxOps.softmax(this, dim, false);
    }

    public Tensor logSoftmax(int dim) {
        return SoftmaxOps.softmax(this, dim, true);
    }

    // ---- views (share storage) -----------------------------------------------------------------

    /** Same elements with a new shape (one size may be -1); a view when the strides allow, else a copy. */
    public Tensor reshape(int... shape) {
        return Views.reshape(this, shape);
    }

    /** Same storage with a new shape; fails when the strides don't allow a view. */
    public Tensor view(int... shape) {
        return Views.view(this, shape);
    }

    public Tensor transpose(int dim0, int dim1) {
        return Views.transpose(this, dim0, dim1);
    }

    /** Transpose of a tensor with at most 2 dimensions. */
    public Tensor t() {
        return Views.t(this);
    }

    public Tensor permute(int... dims) {
        return Views.permute(this, dims);
    }

    /** The slice at {@code index} along {@code dim}, which is removed ({@code x[i]} for dim 0). */
    public Tensor select(int dim, int index) {
        return Views.select(this, dim, index);
    }

    /** Elements {@code start .. start+length-1} along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        return Views.narrow(this, dim, start, length);
    }

    /** A broadcast view with the given sizes (-1 keeps a size); no copy. */
    public Tensor expand(int... sizes) {
        return Views.expand(this, sizes);
    }

    public Tensor unsqueeze(int dim) {
        return Views.unsqueeze(this, dim);
    }

    /** Removes {@code dim} if its size is 1 (otherwise returns an equal view, as PyTorch does). */
    public Tensor squeeze(int dim) {
        return Views.squeeze(this, dim);
    }

    /** 1-D view (or copy) of all elements. */
    public Tensor flatten() {
        return Views.flatten(this);
    }

    /** This tensor if already contiguous, else a contiguous copy. */
    public Tensor contiguous() {
        return Views.contiguous(this);
    }

    // ---- explicit generators (appended with the "lean library" issue) ---------------------------

    /** Uniform on [0, 1) from {@code generator}: {@code torch.rand(*shape, generator=generator)}. */
    public static Tensor rand(Generator generator, int... shape) {
        return Factories.random(generator, shape, false);
    }

    /** Standard normal from {@code generator}: {@code torch.randn(*shape, generator=generator)}. */
    public static Tensor randn(Generator generator, int... shape) {
        return Factories.random(generator, shape, true);
    }

    // ---- interop: double and int arrays --------------------------------------------------------

    /** A float32 copy of {@code data} (each value rounded to nearest) viewed with {@code shape}; counts must match. */
    public static Tensor fromArray(double[] data, int... shape) {
        return Conversions.fromArray(data, shape);
    }

    /** 2-D tensor of the rows, rounded to float32; rows must have equal length. */
    public static Tensor of(double[][] rows) {
        return Conversions.ofRows(rows);
    }

    /** A row-major copy of the values as doubles (exact), whatever the layout. */
    public double[] toDoubleArray() {
        return Conversions.toDoubleArray(this);
    }

    /**
     * A row-major copy truncated toward zero ({@code .int()}); throws {@link ArithmeticException}
     * for NaN, infinite and out-of-int-range values, which have no int value.
     */
    public int[] toIntArray() {
        return Conversions.toIntArray(this);
    }

    // ---- joins, min, clamp, variance ---------------------------------------------------------------

    /** Concatenation along {@code dim} ({@code torch.cat}); 1-D empty tensors are skipped, as in PyTorch. */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        return Joins.cat(tensors, dim);
    }

    /** Equal-shaped tensors joined along a new dimension {@code dim} ({@code torch.stack}). */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        return Joins.stack(tensors, dim);
    }

    /** The slices at {@code index} along {@code dim}, in that order, repeats allowed ({@code index_select}). */
    public Tensor indexSelect(int dim, int[] index) {
        return Joins.indexSelect(this, dim, index);
    }

    /** The smallest element (NaN if any is NaN). */
    public Tensor min() {
        return Reductions.min(this);
    }

    /** Elementwise minimum; NaN if either is NaN ({@code torch.minimum}). */
    public Tensor minimum(Tensor other) {
        return Elementwise.minimum(this, other);
    }

    /** Each element limited to [min, max] ({@code torch.clamp}); NaN stays NaN. */
    public Tensor clamp(float min, float max) {
        return Elementwise.clamp(this, min, max);
    }

    /** Variance along {@code dim}: divided by n - 1 when {@code unbiased}, else by n. */
    public Tensor var(int dim, boolean unbiased, boolean keepDim) {
        return Reductions.var(this, dim, unbiased, keepDim);
    }

    /** Standard deviation along {@code dim}: the square root of {@link #var(int, boolean, boolean)}. */
    public Tensor std(int dim, boolean unbiased, boolean keepDim) {
        return Reductions.std(this, dim, unbiased, keepDim);
    }

    // ---- autograd additions (issue 11: in-place safety, hooks) -----------------------------------

    /**
     * How many in-place writes the storage behind this tensor has seen ({@code t._version}):
     * shared by every view of the storage. Backward refuses saved tensors whose version moved.
     */
    public int version() {
        VersionCounter counter = versionCounter;
        return counter == null ? 0 : counter.get();
    }

    /** This storage's counter, created on first use; views created concurrently still agree on one. */
    VersionCounter counter() {
        VersionCounter counter = versionCounter;
        if (counter != null) {
            return counter;
        }
        VersionCounter fresh = new VersionCounter();
        VersionCounter witness = (VersionCounter) VERSION_COUNTER.compareAndExchange(this, null, fresh);
        return witness == null ? fresh : witness;
    }

    private static final java.lang.invoke.VarHandle VERSION_COUNTER;

    static {
        try {
            VERSION_COUNTER = java.lang.invoke.MethodHandles.lookup()
                    .findVarHandle(Tensor.class, "versionCounter", VersionCounter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Runs {@code hook} on this tensor's gradient each time backward computes it
     * ({@code register_hook}): for a leaf before it is accumulated into {@link #grad()}, for a
     * non-leaf on the total gradient flowing into it. A non-null result replaces the gradient;
     * hooks run in registration order, each on the previous one's result.
     */
    public RemovableHandle registerHook(java.util.function.UnaryOperator<Tensor> hook) {
        java.util.Objects.requireNonNull(hook, "hook");
        if (!requiresGrad()) {
            throw new IllegalStateException("cannot register a hook on a tensor that doesn't require gradient");
        }
        return edge().addHook(hook);
    }

    // Lends the nn primitives (org.vectorgrad.nn) the internals they need, without public methods here.
    static {
        org.vectorgrad.internal.SharedSecrets.setTensorInternals(new Internals());
    }
}
