#!/usr/bin/env python3
"""Writes the interop fixtures that InteropPyTorchTest replays against Vectorgrad: the ops for
batching and tables (cat, stack, index_select, min, minimum, clamp, var, std), PyTorch's errors for
bad calls to them, and float32 conversions of doubles and to int.

Every expected value is computed by real PyTorch 1.13. Run from the repository root with the
system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_interop_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/interop.txt. Deterministic: each case draws its
inputs from a generator seeded with the CRC32 of its name (In, emit and the encodings are
gen_autograd_fixtures.py's).

File format: '#' lines are comments; the case blocks are exactly gen_autograd_fixtures.py's
(case / in / out / repr / graph / g / grad / v / gg / ggo / end, see its docstring), and
    error   NAME  TYPE  MESSAGE        a bad call: PyTorch's exception type and str(exception)
    double  NAME  DOUBLES  BITS        torch.tensor(values, dtype=float32): DOUBLES the inputs as
                                       concatenated '%016x' float64 bit patterns, BITS the result
    int     NAME  BITS  INTS           float32 values (BITS) and their .int(), comma-separated
The Java side (InteropPyTorchTest) defines the same call for each NAME; the lists must match.
"""

import struct
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_autograd_fixtures as autograd  # noqa: E402
from gen_autograd_fixtures import In, bits  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/interop.txt"

NAN = float("nan")
INF = float("inf")
CASES = []


def case(name, fn, *inputs, exact="-", second=False):
    CASES.append((name, fn, list(inputs), exact, second))


def idx(*values):
    return torch.tensor(values, dtype=torch.long)


def define_joins():
    case("cat_dim0", lambda a, b: torch.cat([a, b], 0), In([2, 3]), In([4, 3]), exact="fg")
    case("cat_dim1_T_N", lambda a, b: torch.cat([a, b], 1), In([3, 2], layout="T"), In([3, 4], layout="N"),
         exact="fg")
    case("cat_three_neg_dim", lambda a, b, c: torch.cat([a, b, c], -2), In([2, 3, 4]), In([2, 1, 4]),
         In([2, 2, 4], layout="T"), exact="fg")
    case("cat_legacy_empty", lambda a, e: torch.cat([a, e], 1), In([2, 3]), In([0]), exact="fg")
    case("cat_legacy_empty_first", lambda e, a: torch.cat([e, a], -1), In([0]), In([3, 2]), exact="fg")
    case("cat_all_legacy_empty", lambda a, b: torch.cat([a, b], 0), In([0]), In([0]), exact="fg")
    case("cat_empty_block", lambda a, b: torch.cat([a, b], 1), In([2, 0]), In([2, 3]), exact="fg")
    case("cat_const", lambda a, b: torch.cat([a, b], 0), In([2, 3]), In([1, 3], rg=False), exact="fg")
    case("cat_single", lambda a: torch.cat([a], 1), In([2, 3]), exact="fg")
    case("cat_1d", lambda a, b: torch.cat([a, b], 0), In([3]), In([1]), exact="fg")
    case("cat_composite", lambda a, b: torch.cat([a * b, a.tanh()], 1), In([2, 3]), In([2, 1]), second=True)
    case("stack_dim0", lambda a, b, c: torch.stack([a, b, c], 0), In([2, 3]), In([2, 3]), In([2, 3]), exact="fg")
    case("stack_dim_last_T_N", lambda a, b: torch.stack([a, b], -1), In([2, 3], layout="T"),
         In([2, 3], layout="N"), exact="fg")
    case("stack_dim1", lambda a, b: torch.stack([a, b], 1), In([4]), In([4]), exact="fg")
    case("stack_0d", lambda a, b, c: torch.stack([a, b, c], 0), In([]), In([]), In([]), exact="fg")
    case("stack_const", lambda a, b: torch.stack([a, b], 1), In([3, 2]), In([3, 2], rg=False), exact="fg")
    case("stack_empty", lambda a, b: torch.stack([a, b], 0), In([0, 3]), In([0, 3]), exact="fg")
    case("stack_composite", lambda a, b: torch.stack([a * b, b], 1), In([2, 3]), In([2, 3]), second=True)
    case("index_select_dim0", lambda a: a.index_select(0, idx(4, 0, 2)), In([5, 3]), exact="fg")
    case("index_select_repeat", lambda a: a.index_select(1, idx(2, 0, 2, 2, 1)), In([4, 3]), exact="fg")
    case("index_select_run", lambda a: a.index_select(0, idx(1, 2, 3, 0, 1)), In([4, 3]), exact="fg")
    case("index_select_T", lambda a: a.index_select(1, idx(1, 4)), In([3, 5], layout="T"), exact="fg")
    case("index_select_N_neg_dim", lambda a: a.index_select(-1, idx(3, 3, 0)), In([2, 3, 4], layout="N"),
         exact="fg")
    case("index_select_mid", lambda a: a.index_select(1, idx(2, 0, 0)), In([2, 3, 2]), exact="fg")
    case("index_select_1d", lambda a: a.index_select(0, idx(5, 1, 1)), In([6]), exact="fg")
    case("index_select_no_index", lambda a: a.index_select(1, idx()), In([2, 3]), exact="fg")
    case("index_select_composite", lambda a, b: a.index_select(1, idx(1, 1, 0)) * b, In([2, 3]), In([3]),
         second=True)


def define_min_clamp():
    case("min", lambda a: a.min(), In([3, 5], "distinct"), exact="fg", second=True)
    case("min_ties", lambda a: a.min(), In([5], [3.0, 1.0, 1.0, 5.0, 1.0]), exact="fg")
    case("min_nan", lambda a: a.min(), In([4], [1.0, NAN, -2.0, NAN]), exact="fg")
    case("min_0d", lambda a: a.min(), In([]), exact="fg")
    case("min_T", lambda a: a.min(), In([4, 3], "distinct", "T"), exact="fg")
    case("minimum", lambda a, b: torch.minimum(a, b), In([3, 1], "grid25"), In([1, 4], "grid75"), exact="f",
         second=True)
    case("minimum_ties", lambda a, b: torch.minimum(a, b), In([4], [1.0, 2.0, 3.0, -1.0]),
         In([4], [1.0, 5.0, 3.0, -2.0]), exact="fg")
    case("minimum_nan", lambda a, b: torch.minimum(a, b), In([4], [1.0, NAN, 3.0, NAN]),
         In([4], [1.0, 2.0, NAN, NAN]), exact="fg")
    case("minimum_const", lambda a, b: torch.minimum(a, b), In([2, 3], layout="T"), In([3], rg=False), exact="fg")
    case("clamp", lambda a: a.clamp(-0.5, 0.5), In([3, 4]), exact="fg", second=True)
    case("clamp_edges", lambda a: a.clamp(-0.5, 0.5), In([7], [-1.0, -0.5, -0.25, 0.5, 1.0, NAN, 0.0]), exact="fg")
    case("clamp_min_above_max", lambda a: a.clamp(1.0, -1.0), In([2, 3]), exact="fg")
    case("clamp_nan_bound", lambda a: a.clamp(NAN, 1.0), In([3]), exact="fg")
    case("clamp_infinite", lambda a: a.clamp(-INF, INF), In([3, 2], layout="N"), exact="fg")
    case("clamp_0d", lambda a: a.clamp(-0.25, 2.0), In([]), exact="fg")


def define_statistics():
    case("var_dim1", lambda a: a.var(1), In([3, 5]), second=True)
    case("var_dim0_biased_keep", lambda a: a.var(0, unbiased=False, keepdim=True), In([4, 3]), second=True)
    case("var_neg_dim_T", lambda a: a.var(-2), In([2, 3, 4], layout="T"))
    case("var_N_keep", lambda a: a.var(-1, keepdim=True), In([3, 7], layout="N"))
    case("var_1d", lambda a: a.var(0), In([6]))
    case("var_single_unbiased", lambda a: a.var(1), In([3, 1]), exact="fg")
    case("var_single_biased", lambda a: a.var(1, unbiased=False), In([3, 1]), exact="fg")
    case("var_0d", lambda a: a.var(0), In([]), exact="fg")
    case("var_0d_biased", lambda a: a.var(-1, unbiased=False), In([]), exact="fg")
    case("var_empty", lambda a: a.var(1), In([2, 0]), exact="fg")
    case("std_dim1", lambda a: a.std(1), In([3, 5]), second=True)
    case("std_dim0_biased_keep", lambda a: a.std(0, unbiased=False, keepdim=True), In([4, 3], layout="T"),
         second=True)
    case("std_constant_row", lambda a: a.std(1), In([2, 2], [1.0, 1.0, 2.0, 3.0]))
    case("std_single_unbiased", lambda a: a.std(-1), In([2, 1]), exact="fg")
    case("std_1d_keep", lambda a: a.std(0, keepdim=True), In([5], "away"))


z = torch.zeros
ERRORS = {
    "cat_empty_list": lambda: torch.cat([], 0),
    "cat_zero_dim": lambda: torch.cat([torch.tensor(1.0)], 0),
    "cat_zero_dim_after_empty": lambda: torch.cat([z(0), torch.tensor(1.0)], 0),
    "cat_sizes": lambda: torch.cat([z(2, 3), z(2, 4)], 0),
    "cat_sizes_dim1": lambda: torch.cat([z(2, 3), z(3, 3)], 1),
    "cat_sizes_third": lambda: torch.cat([z(2, 3), z(2, 3), z(2, 4)], 0),
    "cat_sizes_empty_block": lambda: torch.cat([z(2, 0), z(3, 3)], 1),
    "cat_rank": lambda: torch.cat([z(2, 3), z(2, 3, 1)], 0),
    "cat_rank_after_empty": lambda: torch.cat([z(2, 3), z(0), z(2)], 0),
    "cat_dim": lambda: torch.cat([z(2, 3), z(2, 3)], 2),
    "cat_dim_negative": lambda: torch.cat([z(2, 3), z(2, 3)], -3),
    "cat_dim_with_legacy_empty": lambda: torch.cat([z(0), z(2, 3)], 5),
    "stack_empty_list": lambda: torch.stack([], 0),
    "stack_sizes": lambda: torch.stack([z(2, 3), z(2, 4)], 0),
    "stack_sizes_third": lambda: torch.stack([z(2, 3), z(2, 3), z(3, 3)], 1),
    "stack_rank": lambda: torch.stack([z(2, 3), z(2, 3, 1)], 0),
    "stack_dim": lambda: torch.stack([z(2, 3), z(2, 3)], 3),
    "stack_dim_negative": lambda: torch.stack([z(2, 3), z(2, 3)], -4),
    "stack_0d_dim": lambda: torch.stack([torch.tensor(1.0), torch.tensor(2.0)], 1),
    "index_select_out_of_range": lambda: z(3).index_select(0, idx(0, 3)),
    "index_select_negative": lambda: z(3).index_select(0, idx(-1)),
    "index_select_out_of_range_dim0": lambda: z(2, 3).index_select(0, idx(2)),
    "index_select_out_of_range_dim1": lambda: z(2, 3).index_select(1, idx(0, 3)),
    "index_select_empty_axis": lambda: z(2, 0).index_select(1, idx(0)),
    "index_select_dim": lambda: z(2, 3).index_select(2, idx(0)),
    "index_select_dim_negative": lambda: z(2, 3).index_select(-3, idx(0)),
    "index_select_0d_index": lambda: torch.tensor(5.0).index_select(0, idx(1)),
    "min_empty": lambda: z(0).min(),
    "min_empty_2d": lambda: z(2, 0).min(),
    "minimum_shapes": lambda: torch.minimum(z(2, 1, 3), z(4, 2)),
    "var_dim": lambda: z(2, 3).var(2),
    "var_dim_negative": lambda: z(2, 3).var(-3),
    "std_dim": lambda: z(2, 3).std(2, unbiased=False),
    "from_array_double_count": lambda: torch.tensor([0.0, 0.0, 0.0]).reshape(2, 2),
    "from_array_double_negative": lambda: torch.empty(-1, 0),
    "of_double_ragged": lambda: torch.tensor([[1.0, 2.0], [3.0]]),
}


def error_line(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- recording whatever PyTorch raises is the point
        text = str(e)
        if "\t" in text or "\n" in text:
            sys.exit("error case %s: message has a tab or newline: %r" % (name, text))
        return "error\t%s\t%s\t%s" % (name, type(e).__name__, text)
    sys.exit("error case %s: PyTorch did not raise" % name)


# Doubles that round in every way a float32 conversion can: ties to even, subnormals, overflow
# to infinity, the largest finite float, signed zeros, NaN.
DOUBLES = {
    "decimals": [0.1, -0.2, 1.0 / 3.0, 2.718281828459045, 1e-3, -123456.789],
    "ties_to_even": [16777217.0, 16777219.0, 1.0 + 2.0 ** -24, 1.0 + 3 * 2.0 ** -24, -(1.0 + 2.0 ** -24)],
    "extremes": [3.4028235677973366e38, 3.4028235e38, 3.5e38, -1e39, 1e-40, 1.4e-45, 7e-46, 1e-50],
    "specials": [0.0, -0.0, INF, -INF, NAN],
}

INTS = {
    "truncation": [2.7, -2.7, 0.5, -0.5, -0.0, 1e-30, 7.0, -7.0],
    "large": [16777216.0, -16777216.0, 2147483520.0, -2147483648.0, 1e9, -1e9],
}


def double_line(name, values):
    doubles = "".join("%016x" % struct.unpack("<Q", struct.pack("<d", v))[0] for v in values)
    return "double\t%s\t%s\t%s" % (name, doubles, bits(torch.tensor(values, dtype=torch.float32)))


def int_line(name, values):
    x = torch.tensor(values, dtype=torch.float32)
    return "int\t%s\t%s\t%s" % (name, bits(x), ",".join(str(v) for v in x.int().tolist()))


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    define_joins()
    define_min_clamp()
    define_statistics()
    names = [c[0] for c in CASES] + list(ERRORS) + list(DOUBLES) + list(INTS)
    assert len(names) == len(set(names)), "duplicate case names"
    out = ["# Interop cases replayed by InteropPyTorchTest.",
           "# generated by tools/pytorch/gen_interop_fixtures.py with torch " + torch.__version__,
           "# format: see the script's docstring"]
    for c in CASES:
        out.extend(autograd.emit(*c))
    out.extend(error_line(name, fn) for name, fn in ERRORS.items())
    out.extend(double_line(name, values) for name, values in DOUBLES.items())
    out.extend(int_line(name, values) for name, values in INTS.items())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n", encoding="ascii")
    print("wrote %d cases, %d errors, %d conversions to %s"
          % (len(CASES), len(ERRORS), len(DOUBLES) + len(INTS), output))


if __name__ == "__main__":
    main()
