#!/usr/bin/env python3
"""Writes the autograd fixtures that OpsPyTorchTest replays against Vectorgrad.

Every expected value is computed by real PyTorch 1.13. Run from the repository root with the
system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_autograd_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/autograd.txt under the repository root. The
output is deterministic: each case draws its inputs from torch's generator seeded with the CRC32
of its name, so adding a case does not change the others.

File format: '#' lines are comments; a case is a block of tab-separated lines:
    case   NAME  EXACT  SECOND        EXACT: 'fg' forward and gradients bit-exact, 'f' forward
                                      only, 'g' gradients only, '-' neither (within a tolerance);
                                      SECOND: 1 when second-order lines follow
    in     SHAPE  RG  LAYOUT  BITS    one line per input, in argument order; RG 0/1;
                                      LAYOUT 'c' contiguous, 'T' last two dims transposed in
                                      storage, 'N' a narrow of the last dim (offset 1, NaN padding)
    out    SHAPE  BITS                forward value
    repr   TEXT                       repr(y), '\\' written as '\\\\' and newlines as '\\n'
    graph  TREE                       grad_fn tree: NAME(CHILD,...) over next_functions; 'None'
    g      SHAPE  BITS                the gradient passed to y.backward(g)
    grad   I  SHAPE  BITS             x_I.grad after backward ('none' instead of SHAPE BITS for None)
    v      I  SHAPE  BITS             second order: projection of d(<g,y>)/dx_I
    gg     I  SHAPE  BITS             second order: d/dx_I of phi = sum_I <dL/dx_I, v_I> (L = <g,y>),
                                      zeros where PyTorch reports the input unused
    ggo    SHAPE  BITS                second order: d phi / d g
    end
SHAPE is the dims joined by 'x' ("2x3"), '-' for 0-d; BITS the row-major float32 bit patterns as
concatenated '%08x' words ('-' when empty). The Java side (PyTorchCases) defines the same op for
each NAME; the two lists must match.
"""

import struct
import sys
import warnings
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/autograd.txt"

warnings.filterwarnings("ignore", message="Using a target size")


class In:
    """One input: shape, how to draw its values, layout in storage, requires_grad."""

    def __init__(self, shape, dist="n", layout="c", rg=True):
        self.shape, self.dist, self.layout, self.rg = list(shape), dist, layout, rg

    def values(self, gen):
        n = 1
        for s in self.shape:
            n *= s
        d = self.dist
        if isinstance(d, list):
            return torch.tensor(d, dtype=torch.float32).reshape(self.shape)
        if d == "n":
            v = torch.randn(n, generator=gen)
        elif d == "u01":
            v = torch.rand(n, generator=gen)
        elif d == "pos":
            v = 0.5 + 1.5 * torch.rand(n, generator=gen)
        elif d == "away":
            v = (0.1 + 1.9 * torch.rand(n, generator=gen)) * (torch.randint(0, 2, (n,), generator=gen) * 2 - 1)
        elif d in ("grid25", "grid75"):
            shift = 0.25 if d == "grid25" else 0.75
            v = torch.randint(-3, 4, (n,), generator=gen).float() + shift
        elif d == "distinct":
            v = (torch.randperm(n, generator=gen).float() * 0.5 - 0.25 * n)
        else:
            raise ValueError(d)
        return v.reshape(self.shape)

    def build(self, values):
        if self.layout == "c":
            t = values.clone()
        elif self.layout == "T":
            t = values.transpose(-1, -2).contiguous().transpose(-1, -2)
        elif self.layout == "N":
            base = torch.full(self.shape[:-1] + [self.shape[-1] + 3], float("nan"))
            base[..., 1:1 + self.shape[-1]] = values
            t = base.narrow(-1, 1, self.shape[-1])
        else:
            raise ValueError(self.layout)
        return t.detach().requires_grad_(self.rg)


CASES = []


def case(name, fn, *inputs, exact="-", second=False):
    CASES.append((name, fn, list(inputs), exact, second))


def define_elementwise():
    s35, s34 = [3, 5], [3, 4]
    case("add", lambda a, b: a + b, In(s35), In(s35), exact="fg")
    case("add_bcast_3x1_1x4", lambda a, b: a + b, In([3, 1]), In([1, 4]), exact="f")
    case("add_bcast_2x3_0d", lambda a, b: a + b, In([2, 3]), In([]), exact="f")
    case("add_bcast_4_2x3x4", lambda a, b: a + b, In([4]), In([2, 3, 4]), exact="f")
    case("add_T_N", lambda a, b: a + b, In(s34, layout="T"), In(s34, layout="N"), exact="fg")
    case("add_const", lambda a, b: a + b, In([2, 3]), In([3], rg=False), exact="fg")
    case("add_scalar", lambda a: a + 2.5, In(s34), exact="fg")
    case("sub", lambda a, b: a - b, In(s35), In(s35), exact="fg", second=True)
    case("sub_bcast_3x1_1x4", lambda a, b: a - b, In([3, 1]), In([1, 4]), exact="f")
    case("sub_scalar", lambda a: a - 2.5, In(s34), exact="fg")
    case("rsub_scalar", lambda a: 10 - a, In(s34), exact="fg")
    case("mul", lambda a, b: a * b, In(s35), In(s35), exact="fg", second=True)
    case("mul_bcast_2x1x5_3x1", lambda a, b: a * b, In([2, 1, 5]), In([3, 1]), exact="f", second=True)
    case("mul_scalar", lambda a: a * -1.5, In(s34), exact="fg")
    case("mul_T_const", lambda a, b: a * b, In(s34, layout="T"), In(s34, rg=False), exact="fg")
    case("div", lambda a, b: a / b, In(s35), In(s35, "pos"), exact="f", second=True)
    case("div_bcast", lambda a, b: a / b, In([2, 3]), In([3, 1, 1], "pos"), exact="f")
    case("div_scalar", lambda a: a / 4.0, In(s34), exact="fg")
    for p, tag in ((2.0, "2"), (3.0, "3"), (0.5, "0_5"), (-1.0, "m1"), (2.5, "2_5"), (0.0, "0")):
        integral = p in (2.0, 3.0, 0.0)
        case("pow_" + tag, lambda a, p=p: a ** p, In(s34, "n" if integral else "pos"),
             exact="-" if p == 2.5 else "fg", second=True)
    case("pow_tensor", lambda a, b: a ** b, In(s34, "pos"), In([4], "n"), second=True)
    case("pow_tensor_zero_base", lambda a, b: a ** b, In([3], [0.0, 0.0, 2.0]), In([3], [0.0, 2.0, 3.0]))
    case("maximum", lambda a, b: torch.maximum(a, b), In([3, 1], "grid25"), In([1, 4], "grid75"), exact="f",
         second=True)
    case("maximum_ties", lambda a, b: torch.maximum(a, b), In([4], [1.0, 2.0, 3.0, -1.0]),
         In([4], [1.0, 5.0, 3.0, -2.0]), exact="fg")
    case("where", lambda a, b: torch.where(torch.tensor([[True], [False], [True]]), a, b), In([1, 4]), In([]),
         exact="f", second=True)
    unary = [("neg", torch.neg, "n", "fg"), ("exp", torch.exp, "n", "-"), ("log", torch.log, "pos", "-"),
             ("sin", torch.sin, "n", "-"), ("cos", torch.cos, "n", "-"), ("tanh", torch.tanh, "n", "-"),
             ("sigmoid", torch.sigmoid, "n", "-"), ("relu", torch.relu, "away", "fg"),
             ("sqrt", torch.sqrt, "pos", "fg"), ("abs", torch.abs, "away", "fg")]
    for name, fn, dist, exact in unary:
        case(name, fn, In(s34, dist), exact=exact, second=True)
        case(name + "_T", fn, In([4, 3], dist, "T"), exact=exact)
        case(name + "_0d", fn, In([], dist), exact=exact)
    zeros = [-1.0, 0.0, -0.0, 2.0]
    case("relu_at_zero", torch.relu, In([4], zeros), exact="fg")
    case("abs_at_zero", torch.abs, In([4], zeros), exact="fg")
    case("sign_at_zero_and_nan", torch.sign, In([5], zeros + [float("nan")]), exact="fg")


def define_reductions():
    case("sum", lambda a: a.sum(), In([2, 3, 5]), exact="g")
    case("sum_0d", lambda a: a.sum(), In([]), exact="fg")
    case("sum_T", lambda a: a.sum(), In([4, 3], layout="T"), exact="g")
    case("sum_dim1_keep", lambda a: a.sum(1, keepdim=True), In([3, 1, 5]), exact="g")
    case("sum_dim0", lambda a: a.sum(0), In([3, 5], layout="N"), exact="g")
    case("sum_dims_0_2", lambda a: a.sum([0, 2]), In([2, 3, 5]), exact="g")
    case("sum_dims_neg_keep", lambda a: a.sum([-1, 0], keepdim=True), In([2, 3, 5], layout="T"), exact="g")
    case("sum_dims_empty", lambda a: a.sum([]), In([2, 3]), exact="g")
    case("sum_0d_dim", lambda a: a.sum(0, keepdim=True), In([]), exact="fg")
    case("mean_0d_dim", lambda a: a.mean(-1), In([]), exact="fg")
    case("max_0d_dim", lambda a: a.max(0)[0], In([]), exact="fg")
    case("mean", lambda a: a.mean(), In([3, 5]), exact="g", second=True)
    case("mean_dim1_keep", lambda a: a.mean(1, keepdim=True), In([3, 7], layout="N"), exact="g", second=True)
    case("mean_dim_neg", lambda a: a.mean(-2), In([2, 3, 4]), exact="g")
    case("max", lambda a: a.max(), In([3, 5], "distinct"), exact="fg", second=True)
    case("max_ties", lambda a: a.max(), In([5], [3.0, 1.0, 3.0, 3.0, -2.0]), exact="fg")
    case("max_dim0_keep", lambda a: a.max(0, keepdim=True)[0], In([3, 5], "distinct"), exact="fg")
    case("max_dim1", lambda a: a.max(1)[0], In([5, 3], "distinct", "T"), exact="fg", second=True)
    case("max_dim_ties", lambda a: a.max(1)[0], In([2, 3], [3.0, 1.0, 3.0, 2.0, 5.0, 5.0]), exact="fg")
    case("norm", lambda a: a.norm(), In([3, 4]), second=True)
    case("norm_zero", lambda a: a.norm(), In([3], [0.0, 0.0, 0.0]), exact="fg")
    case("softmax_dim1", lambda a: a.softmax(1), In([3, 4]), second=True)
    case("softmax_dim0", lambda a: a.softmax(0), In([3, 4]))
    case("softmax_3d_mid", lambda a: a.softmax(1), In([2, 3, 4]))
    case("softmax_T", lambda a: a.softmax(-1), In([3, 5], layout="T"))
    case("softmax_0d", lambda a: a.softmax(0), In([]), exact="fg")
    case("log_softmax_dim1", lambda a: a.log_softmax(1), In([3, 4]), second=True)
    case("log_softmax_dim0_N", lambda a: a.log_softmax(0), In([3, 4], layout="N"))
    case("sum_to_size_3x1", lambda a: a.sum_to_size(3, 1), In([3, 4]), exact="g")
    case("sum_to_size_4", lambda a: a.sum_to_size(4), In([2, 3, 4]), exact="g")
    case("sum_to_size_same", lambda a: a.sum_to_size(2, 3), In([2, 3]), exact="fg")


def define_matmul():
    mm = lambda a, b: a @ b  # noqa: E731
    case("matmul_dot", mm, In([4]), In([4]), second=True)
    case("matmul_mv", mm, In([3, 4]), In([4]), second=True)
    case("matmul_vm", mm, In([4]), In([4, 5]), second=True)
    case("matmul_mm", mm, In([3, 4]), In([4, 5]), second=True)
    case("matmul_3x2", mm, In([2, 3, 4]), In([4, 5]), second=True)
    case("matmul_2x3", mm, In([3, 4]), In([2, 4, 5]), second=True)
    case("matmul_1x3", mm, In([4]), In([2, 4, 5]))
    case("matmul_3x1", mm, In([2, 3, 4]), In([4]))
    case("matmul_3x3", mm, In([2, 3, 4]), In([2, 4, 5]))
    case("matmul_bcast", mm, In([2, 1, 3, 4]), In([5, 4, 2]), second=True)
    case("matmul_T3x2", mm, In([2, 3, 4], layout="T"), In([4, 5]))
    case("matmul_2xT3", mm, In([3, 4]), In([2, 4, 5], layout="T"))
    case("matmul_T3x2_const", mm, In([2, 3, 4], layout="T"), In([4, 5], rg=False))
    case("matmul_T3x2_batch1", mm, In([1, 3, 4], layout="T"), In([4, 5]))
    case("matmul_T3x1", mm, In([2, 3, 4], layout="T"), In([4]))
    case("matmul_T4x2", mm, In([2, 2, 3, 4], layout="T"), In([4, 5]))
    case("matmul_1xT3", mm, In([4]), In([2, 4, 5], layout="T"))
    case("matmul_N3x2", mm, In([2, 3, 4], layout="N"), In([4, 5]))
    case("matmul_mm_T_N", mm, In([3, 4], layout="T"), In([4, 5], layout="N"))
    case("matmul_mm_const", mm, In([3, 4], rg=False), In([4, 5]))
    case("matmul_2x3_const", mm, In([3, 4], rg=False), In([2, 4, 5]))


def define_views():
    case("reshape", lambda a: a.reshape(6, 4), In([2, 3, 4]), exact="fg")
    case("reshape_T", lambda a: a.reshape(12), In([3, 4], layout="T"), exact="fg")
    case("reshape_N_split", lambda a: a.reshape(3, 2, 3), In([3, 6], layout="N"), exact="fg")
    case("view", lambda a: a.view(4, 6), In([2, 3, 4]), exact="fg")
    case("transpose", lambda a: a.transpose(0, 2), In([2, 3, 5]), exact="fg")
    case("t", lambda a: a.t(), In([3, 5]), exact="fg")
    case("t_1d", lambda a: a.t(), In([5]), exact="fg")
    case("permute", lambda a: a.permute(2, 0, 1), In([2, 3, 5]), exact="fg")
    case("select_neg", lambda a: a.select(-1, -2), In([2, 3, 5]), exact="fg", second=True)
    case("narrow", lambda a: a.narrow(1, 1, 2), In([2, 3, 5]), exact="fg", second=True)
    case("expand", lambda a: a.expand(2, 3, 4), In([3, 1]), exact="f", second=True)
    case("expand_0d", lambda a: a.expand(3, 2), In([]), exact="f")
    case("unsqueeze", lambda a: a.unsqueeze(-1), In([2, 3], layout="T"), exact="fg")
    case("unsqueeze_0d", lambda a: a.unsqueeze(0), In([]), exact="fg")
    case("reshape_0d", lambda a: a.reshape(1, 1), In([]), exact="fg")
    case("flatten_0d", lambda a: a.flatten(), In([]), exact="fg")
    case("t_0d", lambda a: a.t(), In([]), exact="fg")
    case("squeeze", lambda a: a.squeeze(1), In([2, 1, 3]), exact="fg")
    case("squeeze_noop", lambda a: a.squeeze(-1), In([2, 1, 3]), exact="fg")
    case("flatten", lambda a: a.flatten(), In([2, 3, 4]), exact="fg")
    case("flatten_T", lambda a: a.flatten(), In([3, 4], layout="T"), exact="fg")
    case("flatten_1d", lambda a: a.flatten(), In([5]), exact="fg")
    case("contiguous", lambda a: a.contiguous(), In([3, 4]), exact="fg")
    case("contiguous_T", lambda a: a.contiguous(), In([3, 4], layout="T"), exact="fg")
    case("view_chain", lambda a: a.t().narrow(0, 1, 3).select(1, 1).unsqueeze(0).expand(2, 3),
         In([4, 5]), exact="f")


def mlp(x, w1, b1, w2, b2):
    return (x @ w1 + b1).relu() @ w2 + b2


def define_functional_and_composites():
    case("bce", lambda x, y: F.binary_cross_entropy_with_logits(x, y), In([3, 4]), In([3, 4], "u01"),
         second=True)
    case("bce_const_target", lambda x, y: F.binary_cross_entropy_with_logits(x, y), In([5, 3], layout="T"),
         In([5, 3], "u01", rg=False))
    case("mse", lambda x, y: F.mse_loss(x, y), In([3, 4]), In([3, 4]), second=True)
    case("mse_const_target", lambda x, y: F.mse_loss(x, y), In([2, 5], layout="N"), In([2, 5], rg=False))
    case("mse_bcast_const_target", lambda x, y: F.mse_loss(x, y), In([3, 4]), In([4], rg=False))
    case("mse_bcast_target", lambda x, y: F.mse_loss(x, y), In([3, 4]), In([4]))
    case("seed_q", lambda a, b: 3 * a ** 3 - b ** 2, In([2], [2.0, 3.0]), In([2], [6.0, 4.0]), exact="fg")
    case("seed_w", lambda a, w1, w2, w3, w4: 10 - (w3 * (w1 * a) + w4 * (w2 * a)),
         In([3, 3]), In([3, 3]), In([3, 3]), In([3, 3]), In([3, 3], "u01"), exact="fg")
    case("seed_bce", lambda x, y, w, b: F.binary_cross_entropy_with_logits(x @ w + b, y),
         In([5], [1.0] * 5, rg=False), In([3], [0.0] * 3, rg=False), In([5, 3]), In([3]))
    layers = (In([4, 3]), In([3, 5]), In([5]), In([5, 2]), In([2]))
    case("mlp_softmax_mse", lambda x, w1, b1, w2, b2, t: F.mse_loss(mlp(x, w1, b1, w2, b2).softmax(1), t),
         *layers, In([4, 2], "u01", rg=False), second=True)
    case("mlp_log_softmax_nll", lambda x, w1, b1, w2, b2, t: -(mlp(x, w1, b1, w2, b2).log_softmax(1) * t)
         .sum(1).mean(), *layers, In([4, 2], [1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0], rg=False), second=True)
    case("mlp_bce", lambda x, w1, b1, w2, b2, t: F.binary_cross_entropy_with_logits(mlp(x, w1, b1, w2, b2), t),
         *layers, In([4, 2], "u01", rg=False), second=True)
    case("mlp_tanh_sigmoid_max", lambda x, w1, w2: (x @ w1).tanh().matmul(w2).sigmoid().max(1)[0].norm(),
         In([4, 3]), In([3, 5]), In([5, 2]), second=True)


# ---- encoding -------------------------------------------------------------------------------------

def shape_str(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "-"


def bits(t):
    if t._is_zerotensor():
        # PyTorch's backward returns storage-less "efficient zero" tensors for some derivatives.
        t = torch.zeros(t.shape)
    values = t.detach().reshape(-1).tolist()
    if not values:
        return "-"
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in values)


def tensor_line(t):
    return shape_str(list(t.shape)) + "\t" + bits(t)


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def tree(fn):
    if fn is None:
        return "None"
    children = [tree(f) for f, _ in fn.next_functions]
    return fn.name() + ("(" + ",".join(children) + ")" if children else "")


def second_order(lines, y, xs, g, gen):
    positions = [i for i, x in enumerate(xs) if x.requires_grad]
    wanted = [xs[i] for i in positions]
    g_leaf = g.clone().requires_grad_(True)
    first = torch.autograd.grad(y, wanted, g_leaf, create_graph=True, allow_unused=True)
    phi = g_leaf.sum() * 0
    for i, x in enumerate(xs):
        if x.requires_grad:
            v = torch.rand(x.shape, generator=gen) * 2 - 1
            lines.append("v\t%d\t%s" % (i, tensor_line(v)))
            gx = first[positions.index(i)]
            if gx is not None:
                phi = phi + (gx * v).sum()
    seconds = torch.autograd.grad(phi, wanted + [g_leaf], retain_graph=True, allow_unused=True)
    for i, x, s in zip(positions, wanted, seconds):
        s = torch.zeros_like(x) if s is None else s
        lines.append("gg\t%d\t%s" % (i, tensor_line(s)))
    lines.append("ggo\t" + tensor_line(seconds[-1]))


def emit(name, fn, inputs, exact, second):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    xs = [spec.build(spec.values(gen)) for spec in inputs]
    lines = ["case\t%s\t%s\t%d" % (name, exact, 1 if second else 0)]
    for spec, x in zip(inputs, xs):
        lines.append("in\t%s\t%d\t%s\t%s" % (shape_str(spec.shape), 1 if spec.rg else 0, spec.layout, bits(x)))
    y = fn(*xs)
    lines.append("out\t" + tensor_line(y))
    lines.append("repr\t" + escape(repr(y)))
    lines.append("graph\t" + tree(y.grad_fn))
    g = (torch.rand(y.shape, generator=gen) * 2 - 1) if name != "seed_q" else torch.tensor([1.5, 1.9])
    lines.append("g\t" + tensor_line(g))
    if second:
        second_lines = []
        second_order(second_lines, y, xs, g, gen)
    y.backward(g)
    for i, x in enumerate(xs):
        lines.append("grad\t%d\t%s" % (i, "none" if x.grad is None else tensor_line(x.grad)))
    if second:
        lines.extend(second_lines)
    lines.append("end")
    return lines


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    define_elementwise()
    define_reductions()
    define_matmul()
    define_views()
    define_functional_and_composites()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    out = ["# Autograd cases replayed by OpsPyTorchTest.",
           "# generated by tools/pytorch/gen_autograd_fixtures.py with torch " + torch.__version__,
           "# format: see the script's docstring"]
    for c in CASES:
        out.extend(emit(*c))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n", encoding="ascii")
    print("wrote %d cases to %s" % (len(CASES), output))


if __name__ == "__main__":
    main()
