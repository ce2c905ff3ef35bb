#!/usr/bin/env python3
"""Writes the repr fixtures that TensorFormatTest checks TensorFormat against.

Every expected string is printed by real PyTorch 1.13 (default print options). Run from the
repository root with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_repr_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/repr.txt under the repository root (found
from this script's location). The output is deterministic: same torch, same bytes.

File format: lines starting with '#' are comments; every other line is one case of six
tab-separated fields:
    name      a label for failure messages
    shape     dimensions joined by 'x' ("2x3"), or '-' for a 0-d tensor
    kind      'float' or 'bool' (bool tensors are stored as 0f/1f)
    suffixes  the caller's suffixes joined by '|', or '-' for none
    values    the row-major float32 bit patterns as concatenated '%08x' words, '-' when empty,
              or 'arange' for value[i] = i (keeps the million-element cases small)
    repr      repr(tensor) with '\\' written as '\\\\' and newlines as '\\n'
"""

import math
import random
import sys
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

NAN = float("nan")
INF = float("inf")
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/repr.txt"

warnings.filterwarnings("ignore", message="Named tensors")


def caller_suffixes(t):
    """The suffixes a Vectorgrad caller passes: everything PyTorch adds except size=(...)
    and the empty-bool dtype, which TensorFormat adds itself."""
    suffixes = []
    if t.dtype not in (torch.float32, torch.bool):
        suffixes.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if t.has_names():
        suffixes.append(f"names={t.names}")
    return suffixes


def encode_values(t):
    plain = t.detach().rename(None).reshape(-1)
    as_float = plain.to(torch.float32)
    if plain.dtype == torch.float64:
        same = (as_float.double() == plain) | (plain.isnan() & as_float.isnan())
        assert bool(same.all()), "float64 fixture values must be exact in float32"
    if as_float.numel() == 0:
        return "-"
    bits = as_float.contiguous().view(torch.int32).tolist()
    return "".join("%08x" % (b & 0xFFFFFFFF) for b in bits)


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


class Fixtures:
    def __init__(self):
        self.lines = []
        self.names = set()

    def add(self, name, t, values=None, expect=None):
        assert name not in self.names, name
        self.names.add(name)
        text = repr(t)
        if expect is not None:
            assert text == expect, f"{name}: {text!r} != {expect!r}"
        shape = "x".join(str(d) for d in t.shape) or "-"
        kind = "bool" if t.dtype == torch.bool else "float"
        suffixes = "|".join(caller_suffixes(t)) or "-"
        assert all("|" not in s and "\t" not in s for s in caller_suffixes(t))
        fields = [name, shape, kind, suffixes, values or encode_values(t), escape(text)]
        self.lines.append("\t".join(fields))

    def vec(self, name, values, **kw):
        self.add(name, torch.tensor(values, dtype=torch.float32), **kw)


def seed_outputs(fx):
    a = torch.tensor([-2.0, 70.0], requires_grad=True)
    fx.add("seed_sub", a - torch.tensor([10.0, 5.0]),
           expect="tensor([-12.,  65.], grad_fn=<SubBackward0>)")
    fx.vec("seed_fixed", [54.0, 153.9], expect="tensor([ 54.0000, 153.9000])")
    fx.vec("seed_sci", [102.4, 1024.0, 0.1024],
           expect="tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])")
    w = torch.tensor([48.6576, -666.0714, -1112.4949], requires_grad=True)
    fx.add("seed_mul", w * 1.0,
           expect="tensor([   48.6576,  -666.0714, -1112.4949], grad_fn=<MulBackward0>)")
    fx.add("seed_ones", torch.ones(2, 2, requires_grad=True),
           expect="tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)")


def scalars(fx):
    for name, v in [("int", 15.0), ("frac", 3.25), ("nan", NAN), ("inf", INF),
                    ("neg_inf", -INF), ("neg_zero", -0.0), ("zero", 0.0), ("neg_int", -7.0),
                    ("tiny", 1e-5), ("huge", 3e9), ("big_int", 1e8), ("tie", 1.03125),
                    ("max_float", 3.4028234663852886e38), ("denormal", 1e-45),
                    ("neg_frac", -0.00051), ("round_up", 9.99995)]:
        fx.add("scalar_" + name, torch.tensor(v))
    fx.add("scalar_requires_grad", torch.tensor(2.5, requires_grad=True))
    fx.add("scalar_bool_true", torch.tensor(True))
    fx.add("scalar_bool_false", torch.tensor(False))
    fx.add("scalar_neg_nan", torch.zeros(()) / torch.zeros(()))


def empties(fx):
    for shape in [(0,), (0, 3), (2, 0), (3, 0, 2), (0, 0), (1, 0, 1, 1)]:
        label = "x".join(map(str, shape))
        fx.add("empty_" + label, torch.zeros(shape))
        fx.add("empty_bool_" + label, torch.zeros(shape, dtype=torch.bool))
    fx.add("empty_requires_grad", torch.zeros(2, 0, requires_grad=True))
    fx.add("empty_1d_requires_grad", torch.zeros(0, requires_grad=True))
    fx.add("empty_float64_grad", torch.zeros(0, 4, dtype=torch.float64, requires_grad=True))


def widths_and_modes(fx):
    fx.vec("zeros", [0.0, 0.0, 0.0])
    fx.vec("zeros_signed", [0.0, -0.0, 0.0])
    fx.vec("all_nan", [NAN, NAN])
    fx.vec("all_inf", [INF, -INF, INF])
    fx.vec("nonfinite_and_zero", [NAN, 0.0, -INF, -0.0])
    for digits in range(1, 10):
        fx.vec(f"int_width_{digits}", [float(10 ** (digits - 1)), 10.0 ** max(0, digits - 3)])
    fx.vec("int_neg_width_11", [-100000000.0, -100000.0, 100000.0])
    fx.vec("int_neg", [-1.0, 2.0, -300.0, 0.0, -0.0])
    fx.vec("int_nan_inf", [1.0, NAN, -INF, 12.0, INF])
    fx.vec("int_ratio_sci", [1.0, 2000.0])
    fx.vec("int_ratio_edge", [1.0, 1000.0])
    fx.vec("int_big_sci", [123456789.0, 200000000.0])
    fx.vec("int_1e8_edge", [100000000.0, 200000.0])
    fx.vec("int_sci_nan", [1.0, 1e9, NAN, -INF, -0.0])
    fx.vec("fixed_basic", [0.5, -1.25, 3.0])
    for digits in range(1, 8):
        fx.vec(f"fixed_width_{digits}", [10.0 ** (digits - 1) + 0.5, 10.0 ** max(0, digits - 3)])
    fx.vec("fixed_width_13", [-1000000.5, -2000.0])
    fx.vec("fixed_above_2_pow_23", [8388609.0, 10000.25])
    fx.vec("fixed_neg_wide", [-12345678.5, 20000.25])
    fx.vec("fixed_nan_inf", [1.5, NAN, INF, -INF, 0.0, -0.0])
    fx.vec("fixed_ties", [1.03125, 0.15625, 0.03125, 0.09375, 0.46875, 2.00005, 1.99995])
    fx.vec("sci_small_negative", [0.0001, -0.00004999, 0.5])
    fx.vec("sci_float32_1e-4_is_below", [0.0001, 0.05])
    fx.vec("fixed_min_edge", [0.00010001, 0.05])
    fx.vec("fixed_ratio_edge", [0.1, 99.9])
    fx.vec("sci_ratio", [1.0, 1000.5, 0.5])
    fx.vec("sci_max", [1.5, 123456789.5])
    fx.vec("sci_min", [0.00009, 0.05])
    fx.vec("sci_tiny", [1e-5, 2e-5, -3e-5])
    fx.vec("sci_nan_inf", [1e-5, NAN, INF, -INF, -0.0, 0.0])
    fx.vec("sci_round_up", [9.99995e5, 0.001, -9.99996e-7])
    fx.vec("sci_extremes", [3.4028234663852886e38, 1e-45, -1.17549435e-38])
    fx.vec("sci_ties", [1.03125, 1e-6, 0.15625])


def rows_and_ranks(fx):
    fx.add("row_wrap_int", torch.arange(40.0))
    fx.add("row_wrap_fixed", torch.arange(30.0) / 7)
    fx.add("row_wrap_sci", torch.arange(1.0, 15.0) ** 9)
    fx.add("row_exact_fit", torch.arange(18.0))
    fx.add("row_one_per_line", torch.tensor([1e9 + 0.5, -1e-8, 3.0] * 3))
    fx.add("randn_2d", torch.randn(4, 5))
    fx.add("randn_2d_wrap", torch.randn(3, 12))
    fx.add("randn_3d", torch.randn(2, 3, 4))
    fx.add("randn_4d", torch.randn(2, 2, 3, 2))
    fx.add("randn_5d", torch.randn(2, 1, 2, 3, 2))
    fx.add("ints_5d", torch.randint(-50, 50, (2, 2, 2, 2, 2)).float())
    fx.add("deep_rank_8", torch.randn(1, 2, 1, 2, 1, 2, 1, 3))
    fx.add("column", torch.randn(5, 1))
    fx.add("wide_3d_wrap", torch.randn(2, 2, 15) * 1e6)


def summaries(fx):
    fx.add("sum_1001", torch.randn(1001))
    fx.add("sum_40x40", torch.randn(40, 40))
    fx.add("sum_3x400", torch.randn(3, 400))
    fx.add("sum_2x3x200", torch.randn(2, 3, 200))
    fx.add("sum_1x1x2000", torch.randn(1, 1, 2000))
    fx.add("sum_1100x1", torch.randn(1100, 1))
    fx.add("sum_6x6x6x6_no_cut", torch.randn(6, 6, 6, 6))
    fx.add("sum_7x7x7x7", torch.randint(-9, 9, (7, 7, 7, 7)).float())
    fx.add("sum_5d", torch.randn(4, 5, 6, 7, 2))
    fx.add("sum_hidden_sci", torch.cat([torch.ones(500), torch.full((100,), 1e9), torch.ones(500)]))
    fx.add("sum_sci_wrap", torch.randn(2000) * 1e-6)
    fx.add("sum_grad", torch.randn(30, 40, requires_grad=True) * 2)
    fx.add("sum_exact_1000", torch.randn(1000))
    fx.add("arange_1e6", torch.arange(1000000.0), values="arange")
    fx.add("arange_1000x1000", torch.arange(1000000.0).reshape(1000, 1000), values="arange")
    fx.add("arange_100x100x100", torch.arange(1000000.0).reshape(100, 100, 100),
           values="arange")


def bools(fx):
    fx.add("bool_mixed", torch.tensor([False, True]))
    fx.add("bool_all_true", torch.tensor([True, True, True]))
    fx.add("bool_all_false", torch.tensor([False, False]))
    fx.add("bool_2d", torch.rand(3, 4) > 0.5)
    fx.add("bool_wrap", torch.rand(30) > 0.5)
    fx.add("bool_3d", torch.rand(2, 3, 5) > 0.3)
    fx.add("bool_summarised", torch.rand(2000) > 0.5)
    fx.add("bool_summarised_2d", torch.rand(50, 50) > 0.5)
    hidden_false = torch.cat([torch.ones(500), torch.zeros(1), torch.ones(500)]) > 0
    fx.add("bool_summarised_hidden_false", hidden_false)


def suffix_cases(fx):
    x = torch.tensor([0.5, -1.5, 2.25, 3.0, -4.75], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0])
    bce = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    assert ",\n       grad_fn=" in repr(bce)
    fx.add("suffix_bce_wrap", bce)
    fx.add("suffix_bce_short", F.binary_cross_entropy_with_logits(x[:1], y[:1], reduction="none"))
    fx.add("suffix_bce_2d", F.binary_cross_entropy_with_logits(
        torch.randn(3, 4, requires_grad=True), torch.rand(3, 4), reduction="none"))
    fx.add("suffix_bce_scalar", F.binary_cross_entropy_with_logits(x, y))
    fx.add("suffix_requires_grad", torch.randn(3, requires_grad=True))
    fx.add("suffix_add", x + 1)
    fx.add("suffix_mean", x.mean())
    fx.add("suffix_relu", torch.relu(x))
    fx.add("suffix_view", x.view(5, 1))
    fx.add("suffix_matmul", torch.randn(3, 4, requires_grad=True) @ torch.randn(4, 2))
    d = torch.tensor([1.5, 2.0], dtype=torch.float64, requires_grad=True)
    fx.add("two_suffixes_float64", d)
    fx.add("two_suffixes_float64_grad_fn", d * 2)
    fx.add("two_suffixes_names", torch.zeros(2, 3, names=("N", "C"), requires_grad=True))
    long_row = torch.arange(17.0, dtype=torch.float64, requires_grad=True)
    fx.add("two_suffixes_fit", long_row.mul(3))
    full_row = torch.arange(14.0, dtype=torch.float64, requires_grad=True)
    assert ",\n       dtype=torch.float64, requires_grad=True)" in repr(full_row)
    fx.add("two_suffixes_first_wraps", full_row)
    names = ("batch_dimension", "feature_channels")
    named = torch.zeros(3, 4, names=names, requires_grad=True)
    assert "requires_grad=True,\n       names=" in repr(named)
    fx.add("two_suffixes_second_wraps", named)
    fx.add("suffix_wrap_after_newline", torch.arange(35.0, requires_grad=True) * 1000)


def random_tensor(rng, shape):
    numel = math.prod(shape)
    kind = rng.choice(["normal", "normal", "ints", "spread", "uniform"])
    if kind == "normal":
        t = torch.randn(shape) * 10.0 ** rng.uniform(-8, 9)
    elif kind == "ints":
        bound = 10 ** rng.randint(0, 10)
        t = torch.randint(-bound, bound + 1, shape, dtype=torch.float64).float()
    elif kind == "spread":
        exponents = torch.empty(shape).uniform_(rng.uniform(-8, 0), rng.uniform(0, 9))
        t = torch.sign(torch.randn(shape)) * 10.0 ** exponents
    else:
        t = torch.rand(shape) * rng.choice([1.0, 100.0, 1e-3])
    flat = t.reshape(-1)
    for _ in range(rng.choice([0, 0, 1, 2, 5])):
        if numel:
            flat[rng.randrange(numel)] = rng.choice([NAN, INF, -INF, 0.0, -0.0, 1.0, -3.0,
                                                     float(rng.randint(-999, 999))])
    if rng.random() < 0.15:
        t = torch.round(t)
    return t


def random_shape(rng):
    """Mostly small shapes (numel <= 300, some empty); one in eight is summarised (1000 < numel
    <= 1500) with one or more dimensions cut to their edges."""
    rank = rng.choice([0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5])
    summarised = rank > 0 and rng.random() < 0.125
    while True:
        if summarised:
            sizes = [rng.choice([rng.randint(1, 7), rng.randint(7, 1500)]) for _ in range(rank)]
            shape = tuple(sizes)
            if 1000 < math.prod(shape) <= 1500:
                return shape
        else:
            shape = tuple(0 if rng.random() < 0.03 else rng.randint(1, 7) for _ in range(rank))
            if rng.random() < 0.1 and rank > 0:
                shape = shape[:-1] + (rng.randint(8, 40),)
            if math.prod(shape) <= 300:
                return shape


def with_random_suffix(rng, t):
    choice = rng.choice(["none", "none", "leaf", "mul", "clone", "view", "neg", "bce"])
    if choice == "none":
        return t
    leaf = t.detach().clone().requires_grad_()
    if choice == "leaf":
        return leaf
    if choice == "mul":
        return leaf * 1.0
    if choice == "clone":
        return leaf.clone()
    if choice == "view":
        return leaf.view(t.shape)
    if choice == "neg":
        return -leaf
    return F.binary_cross_entropy_with_logits(leaf, torch.rand(t.shape), reduction="none")


def random_cases(fx, count):
    rng = random.Random(20240613)
    for i in range(count):
        shape = random_shape(rng)
        if rng.random() < 0.1:
            fx.add(f"random_{i}_bool", torch.rand(shape) > rng.random())
        else:
            fx.add(f"random_{i}", with_random_suffix(rng, random_tensor(rng, shape)))


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    torch.manual_seed(1234)
    fx = Fixtures()
    for group in (seed_outputs, scalars, empties, widths_and_modes, rows_and_ranks, summaries,
                  bools, suffix_cases):
        group(fx)
    random_cases(fx, 600)
    header = [l for l in __doc__.splitlines() if l.strip()][:1]
    header += [f"generated by tools/pytorch/gen_repr_fixtures.py with torch {torch.__version__}",
               "fields: name, shape, kind, suffixes, values, repr (see the script for details)"]
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w", encoding="ascii", newline="\n") as out:
        out.writelines("# " + line + "\n" for line in header)
        out.writelines(line + "\n" for line in fx.lines)
    print(f"wrote {len(fx.lines)} cases to {output}")


if __name__ == "__main__":
    main()
