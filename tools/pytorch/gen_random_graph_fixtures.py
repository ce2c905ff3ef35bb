#!/usr/bin/env python3
"""Writes random op graphs, built and evaluated by PyTorch 1.13, that RandomGraphPyTorchTest replays.

A differential test: a seeded generator draws small programs (1-6 ops over inputs of rank 0-4,
size-1 dims included) from the ops Vectorgrad supports; PyTorch runs each and records the output,
the grad_fn tree, first-order gradients, second derivatives, or the error an invalid combination
raises. Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_random_graph_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/random_graphs.txt. Deterministic (fixed seed,
one thread, ATEN_CPU_CAPABILITY pinned as gen_rng_fixtures.py does for torch.rand).

File format: '#' lines are comments; a case is a block of tab-separated lines:
    case   ID                          graphs are numbered from 0
    in     SHAPE  RG  BITS  LAYOUT     an input given by value (RG 1: requires grad); LAYOUT 'c'
                                       contiguous, 'T' last two dims transposed in storage, 'N' a
                                       narrow of the last dim (offset 1, NaN padding)
    inr    SHAPE  RG  SEED             a large input: torch.manual_seed(SEED); torch.rand(SHAPE)
    op     NAME  OPERANDS  ARGS        appends value NAME(values[OPERANDS], ARGS) to the values
                                       (inputs first); OPERANDS comma-separated indices; ARGS
                                       space-separated tokens, int lists as '1,2' ('' for empty)
    error  TEXT                        the last op raised this RuntimeError/IndexError (case ends)
    out    SHAPE  BITS                 the last value
    outs   SHAPE  SUM  SAMPLES         large output: float64 sum of its float32 values and
                                       'INDEX:BITS' samples of the flattened output, comma-separated
    graph  TREE                        grad_fn tree: NAME(CHILD,...), 'None' when no grad_fn
    g      SHAPE  BITS                 the gradient given to autograd.grad(out, inputs, g)
    gr     SEED                        large: g = torch.rand(out.shape) after torch.manual_seed(SEED)
    grad   I  SHAPE  BITS              d<g,out>/d input I ('none': unused; only inputs with RG 1)
    grads  I  SHAPE  SUM  SAMPLES      large gradient, summarised as outs
    v      I  SHAPE  BITS              second order: a direction per input with RG 1
    gg     I  SHAPE  BITS              d/d input I of phi = sum_I <grad_I, v_I> (zeros when phi
                                       does not depend on it); 'none' lines absent
    end
SHAPE is dims joined by 'x', '-' for 0-d; BITS row-major float32 '%08x' words ('-' when empty).
"""

import os

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import random  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import torch  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/random_graphs.txt"
SMALL_GRAPHS = 480
LARGE_GRAPHS = 12
LARGE_NUMEL = 640 * 1024
SAMPLES = 24
SCALARS = [0.5, -1.5, 2.0, 0.25, -0.75]


def shape_str(shape):
    return "x".join(str(s) for s in shape) if len(shape) else "-"


def bits(t):
    if t.numel() == 0:
        return "-"
    if t._is_zerotensor():
        # Autograd's storage-less "efficient zero tensor" (some second derivatives): plain zeros.
        t = torch.zeros(t.shape)
    values = t.detach().contiguous().reshape(-1).tolist()
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in values) or "-"


def summary(t, rng):
    flat = t.detach().contiguous().reshape(-1)
    n = flat.numel()
    idx = sorted({0, n - 1} | {rng.randrange(n) for _ in range(SAMPLES)})
    samples = ",".join("%d:%s" % (i, bits(flat[i])) for i in idx)
    return "%s\t%r\t%s" % (shape_str(t.shape), flat.double().sum().item(), samples)


def ints(values):
    return ",".join(str(v) for v in values)


def tree(fn):
    if fn is None:
        return "None"
    children = [tree(child) for child, _ in fn.next_functions]
    return fn.name() + ("(" + ",".join(children) + ")" if children else "")


def laid_out(values, layout):
    """The same values in another storage layout (as gen_autograd_fixtures.py's In.build)."""
    if layout == "T":
        return values.transpose(-1, -2).contiguous().transpose(-1, -2)
    if layout == "N":
        shape = list(values.shape)
        base = torch.full(shape[:-1] + [shape[-1] + 3], float("nan"))
        base[..., 1:1 + shape[-1]] = values
        return base.narrow(-1, 1, shape[-1])
    return values


class OpError(Exception):
    """PyTorch refused an op of the program: the case records its message and ends."""


class Program:
    """Values (inputs first) and the op lines that built them."""

    def __init__(self, rng):
        self.rng, self.values, self.lines, self.inputs = rng, [], [], []

    def add_input(self, shape, rg=True, seed=None):
        if seed is None:
            t = torch.randn(shape) if self.rng.random() < 0.8 else torch.rand(shape) * 4 - 2
            layout = self.rng.choice(["c", "c", "c", "T", "N"]) if len(shape) >= 2 else "c"
            self.lines.append("in\t%s\t%d\t%s\t%s" % (shape_str(shape), rg, bits(t), layout))
            t = laid_out(t, layout)
        else:
            torch.manual_seed(seed)
            t = torch.rand(shape)
            self.lines.append("inr\t%s\t%d\t%d" % (shape_str(shape), rg, seed))
        t.requires_grad_(rg)
        self.values.append(t)
        self.inputs.append(t)
        return len(self.values) - 1

    def op(self, name, operands, args, fn):
        """Records the op line, then runs it (an exception ends the program with an error line)."""
        self.lines.append("op\t%s\t%s\t%s" % (name, ints(operands), " ".join(str(a) for a in args)))
        try:
            out = fn(*[self.values[i] for i in operands])
        except (RuntimeError, IndexError) as e:
            raise OpError(str(e).splitlines()[0]) from e
        self.values.append(out)
        return len(self.values) - 1


# ---- random shapes and arguments ----------------------------------------------------------------

def random_shape(rng, max_rank=4, max_numel=48):
    while True:
        rank = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4][: 2 * max_rank + 1])
        shape = [rng.choice([1, 2, 3, 4]) for _ in range(rank)]
        n = 1
        for s in shape:
            n *= s
        if n <= max_numel:
            return shape


def broadcast_partner(rng, shape):
    """A shape broadcastable with `shape` (sometimes not: invalid combinations must raise)."""
    r = rng.random()
    if r < 0.06 and shape:
        bad = list(shape)
        i = rng.randrange(len(bad))
        bad[i] = bad[i] + rng.choice([1, 2]) if bad[i] != 1 else 2
        return bad if bad[i] != 1 else bad
    if r < 0.35:
        return list(shape)
    partner = [1 if rng.random() < 0.4 else s for s in shape]
    drop = rng.randrange(len(partner) + 1)
    partner = partner[drop:]
    if rng.random() < 0.15 and len(partner) < 4:
        partner = [rng.choice([1, 2])] + partner
    return partner


def random_dim(rng, rank, allow_bad=True):
    if allow_bad and rng.random() < 0.05:
        return rng.choice([rank, -rank - 1, rank + 1])
    if rank == 0:
        return rng.choice([0, -1])
    return rng.randrange(-rank, rank)


UNARY = ["neg", "exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "sign"]
POSITIVE = ["log", "sqrt", "pow_half", "reciprocal"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "pow_t"]
SCALAR = ["add_s", "sub_s", "rsub_s", "mul_s", "div_s", "pow_s"]


def torch_unary(name):
    return {"neg": torch.neg, "exp": torch.exp, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
            "sigmoid": torch.sigmoid, "relu": torch.relu, "abs": torch.abs, "sign": torch.sign}[name]


def emit_unary(p, rng, i):
    name = rng.choice(UNARY)
    return p.op(name, [i], [], torch_unary(name))


def emit_positive(p, rng, i):
    """log/sqrt/pow 0.5/pow -1 on |x| + 0.5, so values stay in their domain."""
    a = p.op("abs", [i], [], torch.abs)
    b = p.op("add_s", [a], [0.5], lambda t: t + 0.5)
    name = rng.choice(POSITIVE)
    if name == "log":
        return p.op("log", [b], [], torch.log)
    if name == "sqrt":
        return p.op("sqrt", [b], [], torch.sqrt)
    exponent = 0.5 if name == "pow_half" else -1.0
    return p.op("pow_s", [b], [exponent], lambda t: t ** exponent)


def emit_scalar(p, rng, i):
    name = rng.choice(SCALAR)
    c = rng.choice(SCALARS)
    if name == "pow_s":
        c = rng.choice([2.0, 3.0])
        return p.op(name, [i], [c], lambda t: t ** c)
    fn = {"add_s": lambda t: t + c, "sub_s": lambda t: t - c, "rsub_s": lambda t: c - t,
          "mul_s": lambda t: t * c, "div_s": lambda t: t / c}[name]
    return p.op(name, [i], [c], fn)


def other_operand(p, rng, shape):
    rg = rng.random() < 0.8
    return p.add_input(broadcast_partner(rng, shape), rg)


def emit_binary(p, rng, i):
    name = rng.choice(BINARY)
    shape = list(p.values[i].shape)
    j = other_operand(p, rng, shape)
    if rng.random() < 0.5:
        i, j = j, i
    if name == "div" or name == "pow_t":
        # Denominator / base kept away from zero and positive: |b| + 0.5 (base |a| + 0.5).
        k = i if name == "pow_t" else j
        a = p.op("abs", [k], [], torch.abs)
        k = p.op("add_s", [a], [0.5], lambda t: t + 0.5)
        i, j = (k, j) if name == "pow_t" else (i, k)
    fn = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
          "maximum": torch.maximum, "minimum": torch.minimum, "pow_t": torch.pow}[name]
    return p.op(name, [i, j], [], fn)


def emit_reduction(p, rng, i):
    rank = p.values[i].dim()
    name = rng.choice(["sum", "sum_dims", "mean", "mean_dim", "max", "max_dim", "min", "norm", "var", "std"])
    keep = rng.choice([0, 1])
    if name in ("sum", "mean", "max", "min", "norm"):
        fn = {"sum": torch.sum, "mean": torch.mean, "max": torch.max, "min": torch.min, "norm": torch.norm}[name]
        return p.op(name, [i], [], fn)
    d = random_dim(rng, rank)
    if name == "sum_dims":
        dims = sorted({random_dim(rng, rank) for _ in range(rng.choice([1, 2]))}) if rank else [d]
        return p.op(name, [i], [ints(dims), keep], lambda t: t.sum(dims, keepdim=bool(keep)))
    if name == "mean_dim":
        return p.op(name, [i], [d, keep], lambda t: t.mean(d, keepdim=bool(keep)))
    if name == "max_dim":
        return p.op(name, [i], [d, keep], lambda t: t.max(d, keepdim=bool(keep))[0])
    unbiased = rng.choice([0, 1])
    fn = torch.var if name == "var" else torch.std
    return p.op(name, [i], [d, unbiased, keep], lambda t: fn(t, d, unbiased=bool(unbiased), keepdim=bool(keep)))


def emit_view(p, rng, i):
    t = p.values[i]
    shape, rank = list(t.shape), t.dim()
    name = rng.choice(["reshape", "transpose", "permute", "narrow", "select", "expand", "unsqueeze",
                       "squeeze", "flatten", "contiguous", "t"])
    if name == "reshape":
        new = list(shape)
        rng.shuffle(new)
        if len(new) and rng.random() < 0.3:
            new[rng.randrange(len(new))] = -1
        if rng.random() < 0.3:
            new = new + [1]
        if rng.random() < 0.05:
            new = new + [2]
        return p.op(name, [i], [ints(new)], lambda x: x.reshape(new))
    if name == "transpose":
        a, b = random_dim(rng, rank), random_dim(rng, rank)
        return p.op(name, [i], [a, b], lambda x: x.transpose(a, b))
    if name == "permute":
        perm = list(range(rank))
        rng.shuffle(perm)
        if rng.random() < 0.05 and rank:
            perm[0] = perm[-1] if rank > 1 else 1
        return p.op(name, [i], [ints(perm)], lambda x: x.permute(perm))
    if name == "narrow" and rank:
        d = random_dim(rng, rank, allow_bad=False)
        start = rng.randrange(shape[d])
        length = rng.randrange(0 if rng.random() < 0.1 else 1, shape[d] - start + 1 + (rng.random() < 0.05))
        return p.op(name, [i], [d, start, length], lambda x: x.narrow(d, start, length))
    if name == "select" and rank:
        d = random_dim(rng, rank)
        index = rng.randrange(-shape[d % rank], shape[d % rank] + (rng.random() < 0.05))
        return p.op(name, [i], [d, index], lambda x: x.select(d, index))
    if name == "expand":
        sizes = [s if s != 1 else rng.choice([1, 2, 3]) for s in shape]
        if len(sizes) < 4 and rng.random() < 0.4:
            sizes = [2] + sizes
        if sizes and rng.random() < 0.2:
            sizes[-1] = -1
        if sizes and rng.random() < 0.05:
            sizes[-1] = shape[-1] + 1 if shape and shape[-1] > 1 else sizes[-1]
        return p.op(name, [i], [ints(sizes)], lambda x: x.expand(sizes))
    if name == "unsqueeze" and rank < 4:
        d = rng.randrange(-rank - 1, rank + 1)
        return p.op(name, [i], [d], lambda x: x.unsqueeze(d))
    if name == "squeeze":
        d = random_dim(rng, rank)
        return p.op(name, [i], [d], lambda x: x.squeeze(d))
    if name == "flatten":
        return p.op(name, [i], [], lambda x: x.flatten())
    if name == "t" and rank <= 2:
        return p.op(name, [i], [], lambda x: x.t())
    return p.op("contiguous", [i], [], lambda x: x.contiguous())


def emit_matmul(p, rng, i):
    shape = list(p.values[i].shape)
    if not shape:
        shape = [3]
        i = p.add_input(shape, True)
    k = shape[-1] if rng.random() > 0.06 else shape[-1] + 1
    rank = rng.choice([1, 2, 2, 3])
    other = [k] if rank == 1 else [rng.choice([1, 2, 3]) for _ in range(rank - 2)] + [k, rng.choice([1, 2, 4])]
    j = p.add_input(other, rng.random() < 0.85)
    if rng.random() < 0.3:
        i, j = p.add_input(other[::-1] if len(other) > 1 else other, True), i
        return p.op("matmul", [i, j], [], torch.matmul)
    return p.op("matmul", [i, j], [], torch.matmul)


def emit_softmax(p, rng, i):
    d = random_dim(rng, p.values[i].dim())
    name = rng.choice(["softmax", "logSoftmax"])
    fn = torch.softmax if name == "softmax" else torch.log_softmax
    return p.op(name, [i], [d], lambda x: fn(x, d))


def emit_join(p, rng, i):
    shape = list(p.values[i].shape)
    name = rng.choice(["cat", "stack", "indexSelect", "clamp", "where"])
    if name in ("cat", "stack"):
        d = random_dim(rng, len(shape) + (name == "stack"))
        other = list(shape)
        if name == "cat" and shape and rng.random() < 0.7:
            other[d % len(shape)] = rng.choice([1, 2, 3]) if -len(shape) <= d < len(shape) else other[0]
        if rng.random() < 0.05 and other:
            other[0] += 1
        j = p.add_input(other, rng.random() < 0.8)
        fn = torch.cat if name == "cat" else torch.stack
        return p.op(name, [i, j], [d], lambda a, b: fn([a, b], d))
    if name == "indexSelect":
        d = random_dim(rng, len(shape))
        size = shape[d % len(shape)] if shape and -len(shape) <= d < len(shape) else 1
        index = [rng.randrange(size + (rng.random() < 0.05)) for _ in range(rng.choice([1, 2, 3]))]
        return p.op(name, [i], [d, ints(index)], lambda x: x.index_select(d, torch.tensor(index)))
    if name == "clamp":
        lo = rng.choice([-1.0, -0.5, 0.0])
        hi = rng.choice([0.5, 1.0, 2.0])
        return p.op(name, [i], [lo, hi], lambda x: x.clamp(lo, hi))
    j = other_operand(p, rng, shape)
    k = other_operand(p, rng, shape)
    # where(a > b, a, c): the condition is a comparison, as Vectorgrad has no bool inputs.
    return p.op(name, [i, j, k], [], lambda a, b, c: torch.where(a > b, a, c))


FAMILIES = [(emit_unary, 3), (emit_positive, 1), (emit_scalar, 2), (emit_binary, 4), (emit_reduction, 3),
            (emit_view, 5), (emit_matmul, 2), (emit_softmax, 1), (emit_join, 3)]


def pick_family(rng):
    total = sum(w for _, w in FAMILIES)
    r = rng.uniform(0, total)
    for fn, w in FAMILIES:
        r -= w
        if r <= 0:
            return fn
    return FAMILIES[-1][0]


# ---- one case ------------------------------------------------------------------------------------

def small_case(p, rng):
    current = p.add_input(random_shape(rng), rng.random() < 0.92)
    for _ in range(rng.randint(1, 6)):
        current = pick_family(rng)(p, rng, current)
    return p


def large_case(p, rng, case_id):
    rows = rng.choice([640, 1024, 800])
    current = p.add_input([rows, LARGE_NUMEL // rows], True, seed=1000 + case_id)
    for _ in range(rng.randint(1, 4)):
        family = rng.choice([emit_unary, emit_scalar, emit_binary, emit_reduction, emit_softmax, "matmul", "t"])
        shape = list(p.values[current].shape)
        if family is emit_binary:
            j = p.add_input(shape, True, seed=2000 + case_id)
            name = rng.choice(["add", "mul", "sub", "maximum"])
            fn = {"add": torch.add, "mul": torch.mul, "sub": torch.sub, "maximum": torch.maximum}[name]
            current = p.op(name, [current, j], [], fn)
        elif family == "matmul":
            j = p.add_input([shape[-1], rng.choice([3, 16])], True, seed=4000 + case_id)
            current = p.op("matmul", [current, j], [], torch.matmul)
        elif family == "t":
            current = p.op("t", [current], [], lambda x: x.t())
        elif family is emit_reduction:
            d = rng.choice([0, 1, -1])
            current = p.op("sum_dims", [current], [str(d), 0], lambda t: t.sum([d]))
            break
        elif family is emit_softmax:
            d = rng.choice([0, 1, -1])
            name = rng.choice(["softmax", "logSoftmax"])
            fn = torch.softmax if name == "softmax" else torch.log_softmax
            current = p.op(name, [current], [d], lambda x: fn(x, d))
        else:
            current = family(p, rng, current)
    return p


def evaluate(p, rng, case_id, large):
    lines = list(p.lines)
    y = p.values[-1]
    lines.append(("outs\t%s" % summary(y, rng)) if large else "out\t%s\t%s" % (shape_str(y.shape), bits(y)))
    lines.append("graph\t%s" % tree(y.grad_fn))
    wanted = [k for k, t in enumerate(p.inputs) if t.requires_grad]
    if not y.requires_grad or not wanted:
        return lines
    if large:
        torch.manual_seed(3000 + case_id)
        g = torch.rand(y.shape)
        lines.append("gr\t%d" % (3000 + case_id))
    else:
        g = torch.randn(y.shape)
        lines.append("g\t%s\t%s" % (shape_str(y.shape), bits(g)))
    xs = [p.inputs[k] for k in wanted]
    try:
        first = torch.autograd.grad([y], xs, [g], create_graph=not large, allow_unused=True)
    except (RuntimeError, IndexError):
        # PyTorch 1.13's backward itself fails on a few graphs (index_select of a 0-d tensor with
        # several indices): such a case is replayed forward only.
        return lines[:-1]
    for k, gk in zip(wanted, first):
        if gk is None:
            lines.append("grad\t%d\tnone" % k)
        elif large:
            lines.append("grads\t%d\t%s" % (k, summary(gk, rng)))
        else:
            lines.append("grad\t%d\t%s\t%s" % (k, shape_str(gk.shape), bits(gk)))
    if large:
        return lines
    phi, vs = None, []
    for k, gk in zip(wanted, first):
        v = torch.randn(p.inputs[k].shape)
        vs.append("v\t%d\t%s\t%s" % (k, shape_str(v.shape), bits(v)))
        if gk is not None and gk.requires_grad:
            term = (gk * v).sum()
            phi = term if phi is None else phi + term
    try:
        second = [None] * len(xs) if phi is None else torch.autograd.grad([phi], xs, allow_unused=True)
    except (RuntimeError, IndexError):
        # PyTorch 1.13's own double backward fails on a few graphs (e.g. "Dimension specified as 0
        # but tensor has no dimensions"): such a case is replayed to first order only.
        return lines
    lines.extend(vs)
    for k, gg in zip(wanted, second):
        gg = torch.zeros_like(p.inputs[k]) if gg is None else gg
        lines.append("gg\t%d\t%s\t%s" % (k, shape_str(gg.shape), bits(gg)))
    return lines


def build(case_id, rng, large):
    p = Program(rng)
    try:
        if large:
            large_case(p, rng, case_id)
        else:
            small_case(p, rng)
        body = evaluate(p, rng, case_id, large)
    except OpError as e:
        body = list(p.lines) + ["error\t" + str(e).replace("\\", "\\\\")]
    return ["case\t%d" % case_id] + body + ["end"]


def main():
    torch.set_num_threads(1)
    rng = random.Random(20261206)
    torch.manual_seed(20261206)
    lines = ["# Random op graphs evaluated by PyTorch, replayed by RandomGraphPyTorchTest.",
             "# generated by tools/pytorch/gen_random_graph_fixtures.py with torch " + torch.__version__,
             "# format: see the script's docstring"]
    errors = 0
    for case_id in range(SMALL_GRAPHS + LARGE_GRAPHS):
        block = build(case_id, rng, case_id >= SMALL_GRAPHS)
        errors += any(line.startswith("error") for line in block)
        lines.extend(block)
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    out.write_text("\n".join(lines) + "\n")
    print("wrote %d graphs (%d raising) to %s" % (SMALL_GRAPHS + LARGE_GRAPHS, errors, out))


if __name__ == "__main__":
    main()
