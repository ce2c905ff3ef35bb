#!/usr/bin/env python3
"""Writes the torch.autograd.functional fixtures that FunctionalAutogradTest replays.

Every expected value is computed by real PyTorch 1.13 (jacobian, hessian, vjp, jvp with their
defaults: create_graph=False, strict=False, reverse-mode, not vectorized). Run from the
repository root with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_functional_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/functional.txt. Deterministic: each case draws
its tensors from a generator seeded with the CRC32 of its name.

File format: '#' lines are comments; a case is a block of tab-separated lines:
    case   NAME  KIND  FN        KIND jacobian|hessian|vjp|jvp; FN names the function (the Java
                                 test defines the same function under the same name)
    x      SHAPE  BITS           the input
    c      SHAPE  BITS           the function's constant operand (optional)
    v      SHAPE  BITS           vjp/jvp's vector (absent: v=None)
    out    SHAPE  BITS           vjp/jvp's first result, fn(x)
    res    SHAPE  BITS           the Jacobian, Hessian, vjp or jvp
    error  TEXT                  instead of out/res: PyTorch's RuntimeError message
    end
SHAPE is the dims joined by 'x', '-' for 0-d; BITS the row-major float32 bit patterns as
concatenated '%08x' words ('-' when empty).
"""

import struct
import sys
import zlib
from pathlib import Path

import torch
from torch.autograd.functional import hessian, jacobian, jvp, vjp

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/functional.txt"

# name -> f(x, c); the Java test has the same table.
FUNCTIONS = {
    "seed_q": lambda x, c: 3 * x ** 3 - c ** 2,
    "exp": lambda x, c: x.exp(),
    "tanh_mul": lambda x, c: x.tanh() * c,
    "sigmoid_sq": lambda x, c: x.sigmoid() * x,
    "sin_plus_cos": lambda x, c: x.sin() + x.cos() * x,
    "matmul": lambda x, c: x @ c,
    "matmul_tanh_sum": lambda x, c: (x @ c).tanh().sum(),
    "softmax": lambda x, c: x.softmax(-1),
    "log_softmax0": lambda x, c: x.log_softmax(0),
    "sum": lambda x, c: x.sum(),
    "sum_dim_keep": lambda x, c: x.sum(1, keepdim=True),
    "mean0": lambda x, c: x.mean(0),
    "cube_sum": lambda x, c: (x ** 3).sum(),
    "norm": lambda x, c: x.norm(),
    "pow3": lambda x, c: x ** 3,
    "expand": lambda x, c: x.expand(3) * c,
    "select_mul": lambda x, c: x.select(0, 1) * x.select(0, 0),
    "constant": lambda x, c: c * 2,
    "softmax_first": lambda x, c: x.softmax(0).select(0, 0),
    "log_sum_exp": lambda x, c: x.exp().sum().log(),
    "quad_form": lambda x, c: (x @ c @ x),
    "rows_dot": lambda x, c: (x * c).sum(1),
}


CASES = []


def case(name, kind, fn, x, c=None, v=None):
    CASES.append((name, kind, fn, x, c, v))


def define():
    case("seed_jacobian", "jacobian", "seed_q", [2.0, 3.0], c=[6.0, 4.0])
    case("exp_2x3", "jacobian", "exp", [2, 3])
    case("tanh_mul", "jacobian", "tanh_mul", [4], c=[4])
    case("sigmoid_sq_0d", "jacobian", "sigmoid_sq", [])
    case("sin_plus_cos", "jacobian", "sin_plus_cos", [2, 2])
    case("matmul", "jacobian", "matmul", [2, 3], c=[3, 4])
    case("softmax", "jacobian", "softmax", [2, 3])
    case("log_softmax0", "jacobian", "log_softmax0", [3, 2])
    case("sum", "jacobian", "sum", [2, 3])
    case("sum_dim_keep", "jacobian", "sum_dim_keep", [2, 3])
    case("mean0", "jacobian", "mean0", [3, 2])
    case("norm", "jacobian", "norm", [5])
    case("pow3_0d", "jacobian", "pow3", [])
    case("expand_0d", "jacobian", "expand", [], c=[3])
    case("select_mul", "jacobian", "select_mul", [2, 3])
    case("constant", "jacobian", "constant", [3], c=[2])
    case("hessian_cube_sum", "hessian", "cube_sum", [2, 2])
    case("hessian_matmul_tanh_sum", "hessian", "matmul_tanh_sum", [2, 3], c=[3, 2])
    case("hessian_norm", "hessian", "norm", [4])
    case("hessian_softmax_first", "hessian", "softmax_first", [3])
    case("hessian_log_sum_exp", "hessian", "log_sum_exp", [2, 2])
    case("hessian_quad_form", "hessian", "quad_form", [3], c=[3, 3])
    case("hessian_sum_linear", "hessian", "sum", [3])
    case("hessian_pow3_0d", "hessian", "pow3", [])
    case("hessian_constant", "hessian", "constant", [2], c=[])
    case("vjp_seed", "vjp", "seed_q", [2.0, 3.0], c=[6.0, 4.0], v=[1.0, 1.0])
    case("vjp_matmul", "vjp", "matmul", [2, 3], c=[3, 4], v=[2, 4])
    case("vjp_softmax", "vjp", "softmax", [2, 3], v=[2, 3])
    case("vjp_sum_none", "vjp", "sum", [2, 3])
    case("vjp_rows_dot", "vjp", "rows_dot", [2, 3], c=[2, 3], v=[2])
    case("vjp_constant", "vjp", "constant", [3], c=[2], v=[2])
    case("vjp_0d", "vjp", "pow3", [], v=[])
    case("jvp_seed", "jvp", "seed_q", [2.0, 3.0], c=[6.0, 4.0], v=[1.0, 0.0])
    case("jvp_matmul", "jvp", "matmul", [2, 3], c=[3, 4], v=[2, 3])
    case("jvp_softmax", "jvp", "softmax", [2, 3], v=[2, 3])
    case("jvp_log_softmax0", "jvp", "log_softmax0", [3, 2], v=[3, 2])
    case("jvp_norm", "jvp", "norm", [4], v=[4])
    case("jvp_constant", "jvp", "constant", [3], c=[2], v=[3])
    case("jvp_0d_none", "jvp", "pow3", [])
    case("jvp_expand_0d", "jvp", "expand", [], c=[3], v=[])
    # Bad input: PyTorch's messages.
    case("err_vjp_v_shape", "vjp", "exp", [2, 3], v=[3, 2])
    case("err_vjp_v_none", "vjp", "exp", [2, 3])
    case("err_jvp_v_shape", "jvp", "exp", [2, 3], v=[6])
    case("err_jvp_v_none", "jvp", "exp", [2, 3])
    case("err_hessian_not_scalar", "hessian", "exp", [2])


def tensor(spec, gen):
    """A shape (list of ints) draws randn values; a list of floats is literal."""
    if spec is None:
        return None
    if spec and isinstance(spec[0], float):
        return torch.tensor(spec, dtype=torch.float32)
    return torch.randn(spec, generator=gen)


def shape_str(t):
    return "x".join(str(s) for s in t.shape) if t.dim() else "-"


def bits(t):
    values = t.detach().contiguous().reshape(-1).tolist()
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in values) or "-"


def line(*fields):
    return "\t".join(str(f) for f in fields)


def run(kind, f, x, v):
    if kind == "jacobian":
        return None, jacobian(f, x)
    if kind == "hessian":
        return None, hessian(f, x)
    return (vjp if kind == "vjp" else jvp)(f, x, v)


def emit(name, kind, fn, xs, cs, vs):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    x, c, v = tensor(xs, gen), tensor(cs, gen), tensor(vs, gen)
    x_before = x.clone()
    lines = [line("case", name, kind, fn), line("x", shape_str(x), bits(x))]
    if c is not None:
        lines.append(line("c", shape_str(c), bits(c)))
    if v is not None:
        lines.append(line("v", shape_str(v), bits(v)))
    f = lambda t: FUNCTIONS[fn](t, c)
    try:
        out, res = run(kind, f, x, v)
        assert not res.requires_grad and torch.equal(x, x_before) and not x.requires_grad
        if out is not None:
            lines.append(line("out", shape_str(out), bits(out)))
        lines.append(line("res", shape_str(res), bits(res)))
    except RuntimeError as e:
        lines.append(line("error", str(e).replace("\\", "\\\\").replace("\n", "\\n")))
    lines.append("end")
    return lines


def main():
    torch.set_num_threads(1)
    define()
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    lines = ["# torch.autograd.functional cases replayed by FunctionalAutogradTest.",
             "# generated by tools/pytorch/gen_functional_fixtures.py with torch " + torch.__version__,
             "# format: see the script's docstring"]
    for spec in CASES:
        lines.extend(emit(*spec))
    out.write_text("\n".join(lines) + "\n")
    print("wrote %d cases to %s" % (len(CASES), out))


if __name__ == "__main__":
    main()
