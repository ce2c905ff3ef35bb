#!/usr/bin/env python3
"""Writes the fixtures of issue 11's autograd defects 3-8, replayed by AutogradDefectsTest.

Every expected value is computed by real PyTorch 1.13. Run from the repository root with the
system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_autograd_defects_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/autograd_defects.txt. Deterministic: each
case draws its inputs from a generator seeded with the CRC32 of its name.

A case names its op before the first ':' (the Java side keeps one op per name, AutogradDefectCases)
and lists the checks it carries: 's' output strides, 'g' grad_fn tree and gradients, '2' second
order, 't' a second backward without retain_graph, 'e' an error. Tab-separated lines:
    case   NAME  CHECKS
    in     SHAPE  STRIDES  OFFSET  RG  STORAGE   one line per input, in argument order: the input is
                                                 the view (SHAPE, STRIDES, OFFSET) of the float32
                                                 STORAGE (NaN where the view does not read), RG 0/1
    out    SHAPE  STRIDES  BITS                  y = op(inputs): y.stride() and row-major values
    graph  TREE                                  's'/'g': grad_fn tree, NAME(CHILD,...), 'None'
    g      SHAPE  BITS                           'g'/'2': the upstream gradient (never requires grad)
    grad   I  SHAPE  BITS                        'g': x_I.grad after y.backward(g) ('none' when None)
    first  I  RG  NAME                           '2': first_I = d<g,y>/dx_I with create_graph=True:
                                                 first_I.requires_grad and its grad_fn name ('-')
    v      I  SHAPE  BITS                        '2': the projection of first_I
    gg     I  SHAPE  BITS                        '2': d/dx_I of phi = sum_I <first_I, v_I> over the
                                                 first_I that require grad; 'none' when PyTorch
                                                 reports x_I unused (no path in the graph)
    twice  raises|ok                             't': y.sum().backward() twice without retain_graph
    error  TEXT                                  'e': PyTorch's message (first line)
    end
SHAPE is the dims joined by 'x' ('-' for 0-d), STRIDES likewise ('-' for 0-d), BITS/STORAGE the
float32 bit patterns as concatenated '%08x' words ('-' when empty).
"""

import struct
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/autograd_defects.txt"
NAN = float("nan")


class In:
    """One input: shape, value distribution, layout in storage, requires_grad.

    Layouts: 'c' contiguous; 'T' last two dims swapped in storage; 'P201' stored as
    values.permute(2, 0, 1) (any permutation); 'N' narrow of the last dim at offset 1 with NaN
    padding; 'S' every second element of the last dim (NaN between); 'E4x1' expanded from values
    of shape 4x1; 'CL' channels last.
    """

    def __init__(self, shape, dist="n", layout="c", rg=True):
        self.shape, self.dist, self.layout, self.rg = list(shape), dist, layout, rg

    def draw(self, gen, shape):
        n = 1
        for s in shape:
            n *= s
        d = self.dist
        if isinstance(d, list):
            return torch.tensor(d, dtype=torch.float32).reshape(shape)
        if d == "n":
            v = torch.randn(n, generator=gen)
        elif d == "u01":
            v = torch.rand(n, generator=gen)
        elif d == "pos":
            v = 0.5 + 1.5 * torch.rand(n, generator=gen)
        elif d == "away":
            v = (0.1 + 1.9 * torch.rand(n, generator=gen)) * (torch.randint(0, 2, (n,), generator=gen) * 2 - 1)
        elif d == "distinct":
            v = torch.randperm(n, generator=gen).float() * 0.5 - 0.25 * n
        else:
            raise ValueError(d)
        return v.reshape(shape)

    def build(self, gen):
        """(base, view): a contiguous base tensor and the input as a view of it."""
        lay = self.layout
        if lay.startswith("E"):
            src = [int(s) for s in lay[1:].split("x")]
            base = self.draw(gen, src)
            return base, base.expand(self.shape)
        values = self.draw(gen, self.shape)
        if lay == "c":
            base = values.clone()
            view = base
        elif lay == "T":
            base = values.transpose(-1, -2).contiguous()
            view = base.transpose(-1, -2)
        elif lay.startswith("P"):
            order = [int(c) for c in lay[1:]]
            inverse = sorted(range(len(order)), key=lambda d: order[d])
            base = values.permute(order).contiguous()
            view = base.permute(inverse)
        elif lay == "N":
            base = torch.full(self.shape[:-1] + [self.shape[-1] + 3], NAN)
            base[..., 1:1 + self.shape[-1]] = values
            view = base.narrow(-1, 1, self.shape[-1])
        elif lay == "S":
            base = torch.full(self.shape[:-1] + [2 * self.shape[-1]], NAN)
            base[..., ::2] = values
            view = base[..., ::2]
        elif lay == "CL":
            view = values.contiguous(memory_format=torch.channels_last)
            base = view.permute(0, 2, 3, 1).contiguous()
            view = base.permute(0, 3, 1, 2)
        else:
            raise ValueError(lay)
        assert torch.equal(view, values) or values.isnan().any()
        return base, view


CASES = []


def case(name, checks, fn, *inputs):
    CASES.append((name, checks, fn, list(inputs)))


# ---- defect 3: sum_to_size ------------------------------------------------------------------------

def define_sum_to_size():
    for src, dst in (([3], []), ([1], []), ([], []), ([2, 3], []), ([2, 3], [1, 1]), ([2, 3], [3]),
                     ([2, 3], [2, 1]), ([2, 3], [1, 3]), ([2, 3], [2, 3]), ([1, 1], [1]), ([1, 3], [3])):
        case("sumToSize_%s:%s" % ("x".join(map(str, dst)) or "0d", "x".join(map(str, src)) or "0d"), "g",
             lambda a, dst=dst: a.sum_to_size(dst), In(src))


# ---- defect 5: relu at NaN ------------------------------------------------------------------------

def define_relu_nan():
    values = [NAN, 1.0, -1.0, 0.0, -0.0, 2.5]
    case("relu:nan", "g", torch.relu, In([6], values))
    case("functionalRelu:nan", "g", F.relu, In([6], values))
    case("relu:nan_T", "g", torch.relu, In([3, 2], values, "T"))


# ---- defect 4: second order through every differentiable op ----------------------------------------

def views(a):
    """Every view op in one chain (3x4 in, 4 out)."""
    return (a.reshape(2, 6).t().unsqueeze(0).expand(2, 6, 2).permute(2, 0, 1).narrow(0, 1, 1).squeeze(0)
            .transpose(0, 1).contiguous().flatten().view(3, 4).select(0, 1))


def define_second_order():
    s = [3, 4]
    unary = [("neg", torch.neg, "n"), ("exp", torch.exp, "n"), ("log", torch.log, "pos"),
             ("sin", torch.sin, "n"), ("cos", torch.cos, "n"), ("tanh", torch.tanh, "n"),
             ("sigmoid", torch.sigmoid, "n"), ("relu", torch.relu, "away"), ("sqrt", torch.sqrt, "pos"),
             ("abs", torch.abs, "away"), ("sign", torch.sign, "away"), ("functionalRelu", F.relu, "away")]
    for name, fn, dist in unary:
        case(name + ":second", "2", fn, In(s, dist))
    case("relu:second_T", "2", torch.relu, In(s, "away", "T"))
    binary = [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div),
              ("maximum", torch.maximum)]
    for name, fn in binary:
        case(name + ":second", "2", fn, In(s), In([4], "pos" if name == "div" else "n"))
        case(name + ":second_const", "2", fn, In(s), In([4], "pos" if name == "div" else "n", rg=False))
    case("addScalar:second", "2", lambda a: a + 1.5, In(s))
    case("subScalar:second", "2", lambda a: a - 1.5, In(s))
    case("rsub:second", "2", lambda a: 2.5 - a, In(s))
    case("mulScalar:second", "2", lambda a: a * -1.5, In(s))
    case("divScalar:second", "2", lambda a: a / 4.0, In(s))
    for p, tag in ((2.0, "2"), (3.0, "3"), (0.5, "0_5"), (0.0, "0"), (1.0, "1")):
        case("pow%s:second" % tag, "2", lambda a, p=p: a ** p, In(s, "pos"))
    case("powTensor:second", "2", torch.pow, In(s, "pos"), In([4]))
    case("where:second", "2", lambda a, b: torch.where(a > 0, a, b), In(s), In([4]))
    case("sum:second", "2", torch.sum, In(s))
    case("sumDim:second", "2", lambda a: a.sum(1), In(s))
    case("sumDims:second", "2", lambda a: a.sum([0, 1], keepdim=True), In(s))
    case("sumToSize_1x4:second", "2", lambda a: a.sum_to_size(1, 4), In(s))
    case("mean:second", "2", torch.mean, In(s))
    case("meanDim:second", "2", lambda a: a.mean(0), In(s))
    case("max:second", "2", torch.max, In(s, "distinct"))
    case("maxDim:second", "2", lambda a: a.max(1)[0], In(s, "distinct"))
    case("norm:second", "2", torch.norm, In(s))
    case("matmul:second_dot", "2", torch.matmul, In([4]), In([4]))
    case("matmul:second_mv", "2", torch.matmul, In(s), In([4]))
    case("matmul:second_vm", "2", torch.matmul, In([3]), In(s))
    case("matmul:second_mm", "2", torch.matmul, In(s), In([4, 2]))
    case("matmul:second_mm_const", "2", torch.matmul, In(s), In([4, 2], rg=False))
    case("matmul:second_folded", "2", torch.matmul, In([2, 3, 4]), In([4, 2]))
    case("matmul:second_bmm", "2", torch.matmul, In([2, 3, 4]), In([2, 4, 2]))
    case("softmax:second", "2", lambda a: a.softmax(1), In(s))
    case("logSoftmax:second", "2", lambda a: a.log_softmax(1), In(s))
    case("functionalSoftmax:second", "2", lambda a: F.softmax(a, 0), In(s))
    case("functionalLogSoftmax:second", "2", lambda a: F.log_softmax(a, 0), In(s))
    case("views:second", "2", views, In(s))
    case("bce:second", "2", F.binary_cross_entropy_with_logits, In(s), In(s, "u01"))
    case("bce:second_const", "2", F.binary_cross_entropy_with_logits, In(s), In(s, "u01", rg=False))
    case("mse:second", "2", F.mse_loss, In(s), In(s))
    case("crossEntropy:second", "2", lambda a: F.cross_entropy(a, torch.tensor([0, 3, 1])), In(s))
    case("crossEntropySmooth:second", "2",
         lambda a: F.cross_entropy(a, torch.tensor([0, 3, 1]), label_smoothing=0.1), In(s))
    case("nllLoss:second", "2", lambda a: F.nll_loss(a, torch.tensor([0, 3, 1])), In(s))
    case("linear:second", "2", F.linear, In([3, 4]), In([2, 4]), In([2]))
    case("linear:second_3d", "2", F.linear, In([2, 3, 4]), In([2, 4]), In([2]))
    case("linear:second_4d", "2", F.linear, In([2, 1, 3, 4]), In([2, 4]), In([2]))
    case("linearNoBias:second", "2", lambda x, w: F.linear(x, w), In([3, 4]), In([2, 4]))
    image = [1, 2, 5, 5]
    case("conv2d:second", "2", lambda x, w, b: F.conv2d(x, w, b, 2, 1, 1), In(image), In([3, 2, 3, 3]), In([3]))
    case("maxPool2d:second", "2", lambda x: F.max_pool2d(x, 3, 2, 1), In(image, "distinct"))
    case("avgPool2d:second", "2", lambda x: F.avg_pool2d(x, 3, 2, 1), In(image))
    case("adaptiveAvgPool2d_3:second", "2", lambda x: F.adaptive_avg_pool2d(x, 3), In(image))
    case("adaptiveAvgPool2d_1:second", "2", lambda x: F.adaptive_avg_pool2d(x, 1), In(image))
    case("batchNormTrain:second", "2", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         In([3, 2, 4]), In([2]), In([2]))
    case("batchNormEval:second", "2",
         lambda x, w, b: F.batch_norm(x, torch.tensor([0.5, -0.5]), torch.tensor([2.0, 0.5]), w, b,
                                      training=False), In([3, 2, 4]), In([2]), In([2]))


# ---- defects 6 and 8: linear ----------------------------------------------------------------------

def define_linear():
    w, b = In([5, 4]), In([5])
    case("linear:2d", "sg", F.linear, In([3, 4]), w, b)
    case("linear:2d_T_weight", "sg", F.linear, In([3, 4]), In([5, 4], layout="T"), b)
    case("linear:1d", "sg", F.linear, In([4]), w, b)
    case("linear:3d", "sg", F.linear, In([2, 3, 4]), w, b)
    case("linear:3d_T", "sg", F.linear, In([2, 3, 4], layout="T"), w, b)
    case("linear:3d_P102", "sg", F.linear, In([2, 3, 4], layout="P102"), w, b)
    case("linear:3d_N", "sg", F.linear, In([2, 3, 4], layout="N"), w, b)
    case("linear:4d", "sg", F.linear, In([2, 2, 3, 4]), w, b)
    case("linear:4d_T", "sg", F.linear, In([2, 2, 3, 4], layout="T"), w, b)
    case("linear:5d", "sg", F.linear, In([2, 1, 2, 3, 4]), w, b)
    case("linearNoBias:3d", "sg", lambda x, w: F.linear(x, w), In([2, 3, 4]), w)
    case("linearNoBias:4d", "sg", lambda x, w: F.linear(x, w), In([2, 2, 3, 4]), w)
    case("linear:3d_bias_only", "sg", F.linear, In([2, 3, 4], rg=False), In([5, 4], rg=False), b)
    zero_w = In([5, 0], rg=False)
    case("linear:0in_1d", "sg", F.linear, In([0], rg=False), zero_w, b)
    case("linear:0in_2d", "sg", F.linear, In([3, 0], rg=False), zero_w, b)
    case("linear:0in_3d", "sg", F.linear, In([2, 3, 0], rg=False), zero_w, b)
    case("linear:0in_4d", "sg", F.linear, In([2, 2, 3, 0], rg=False), zero_w, b)
    case("linear:0in_3d_rg", "sg", F.linear, In([2, 3, 0]), In([5, 0]), b)
    case("linear:0in_4d_rg", "sg", F.linear, In([2, 2, 3, 0]), In([5, 0]), b)
    case("linearNoBias:0in_4d", "s", lambda x, w: F.linear(x, w), In([2, 2, 3, 0], rg=False), zero_w)
    case("linear:0batch_3d", "sg", F.linear, In([0, 3, 4]), w, b)


# ---- defect 7: what is saved for backward -------------------------------------------------------

def define_saved():
    s = [3, 4]
    case("mul:twice_a", "t", torch.mul, In(s), In(s, rg=False))
    case("mul:twice_b", "t", torch.mul, In(s, rg=False), In(s))
    case("mulScalar:twice", "t", lambda a: a * -1.5, In(s))
    case("divScalar:twice", "t", lambda a: a / 4.0, In(s))
    case("addScalar:twice", "t", lambda a: a + 1.5, In(s))
    case("rsub:twice", "t", lambda a: 2.5 - a, In(s))
    case("add:twice", "t", torch.add, In(s), In([4]))
    case("pow0:twice", "t", lambda a: a ** 0.0, In(s))
    case("neg:twice", "t", torch.neg, In(s))
    case("sign:twice", "t", torch.sign, In(s))
    case("relu:twice", "t", torch.relu, In(s))
    case("exp:twice", "t", torch.exp, In(s))
    case("sum:twice", "t", torch.sum, In(s))
    case("sumDim:twice", "t", lambda a: a.sum(1), In(s))
    case("mean:twice", "t", torch.mean, In(s))
    case("meanDim:twice", "t", lambda a: a.mean(0), In(s))
    case("meanDimKeep:twice", "t", lambda a: a.mean(-1, keepdim=True), In(s))
    case("max:twice", "t", torch.max, In(s, "distinct"))
    case("maxDim:twice", "t", lambda a: a.max(1)[0], In(s, "distinct"))
    case("norm:twice", "t", torch.norm, In(s))
    case("where:twice", "t", lambda a, b: torch.where(a > 0, a, b), In(s), In([4]))
    case("where:twice_b", "t", lambda a, b: torch.where(a > 0, a, b), In(s, rg=False), In([4]))
    case("sumToSize_1x4:twice", "t", lambda a: a.sum_to_size(1, 4), In(s))
    case("views:twice", "t", views, In(s))
    case("softmax:twice", "t", lambda a: a.softmax(1), In(s))
    case("matmul:twice_mm_a", "t", torch.matmul, In(s), In([4, 2], rg=False))
    case("matmul:twice_mm_b", "t", torch.matmul, In(s, rg=False), In([4, 2]))
    case("matmul:twice_mv_a", "t", torch.matmul, In(s), In([4], rg=False))
    case("matmul:twice_dot_b", "t", torch.matmul, In([4], rg=False), In([4]))
    case("linear:twice_bias_only", "t", F.linear, In(s, rg=False), In([2, 4], rg=False), In([2]))
    case("linear:twice_bias_only_1d", "t", F.linear, In([4], rg=False), In([2, 4], rg=False), In([2]))
    case("linear:twice_bias_only_3d", "t", F.linear, In([2, 3, 4], rg=False), In([2, 4], rg=False), In([2]))
    case("linear:twice_bias_only_4d", "t", F.linear, In([2, 2, 3, 4], rg=False), In([2, 4], rg=False), In([2]))
    case("linear:twice_weight", "t", F.linear, In(s, rg=False), In([2, 4]), In([2], rg=False))
    case("nllLoss:twice", "t", lambda a: F.nll_loss(a, torch.tensor([0, 3, 1])), In(s))
    case("mse:twice", "t", F.mse_loss, In(s), In(s, rg=False))
    image = [1, 2, 5, 5]
    case("maxPool2d:twice", "t", lambda x: F.max_pool2d(x, 3, 2, 1), In(image, "distinct"))
    case("avgPool2d:twice", "t", lambda x: F.avg_pool2d(x, 3, 2, 1), In(image))
    case("adaptiveAvgPool2d_3:twice", "t", lambda x: F.adaptive_avg_pool2d(x, 3), In(image))
    case("adaptiveAvgPool2d_1:twice", "t", lambda x: F.adaptive_avg_pool2d(x, 1), In(image))
    case("conv2d:twice_bias_only", "t", lambda x, w, b: F.conv2d(x, w, b, 2, 1, 1), In(image, rg=False),
         In([3, 2, 3, 3], rg=False), In([3]))
    case("batchNormTrain:twice_bias_only", "t", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         In([3, 2, 4], rg=False), In([2], rg=False), In([2]))


# ---- defect 8: memory format of elementwise results ----------------------------------------------

def define_strides():
    s = [3, 4]
    for layout in ("c", "T", "N", "S", "E3x1", "E1x4"):
        case("exp:layout_" + layout, "s", torch.exp, In(s, layout=layout))
    case("add:T_T", "s", torch.add, In(s, layout="T"), In(s, layout="T"))
    case("add:T_c", "s", torch.add, In(s, layout="T"), In(s))
    case("add:c_T", "s", torch.add, In(s), In(s, layout="T"))
    case("add:T_row", "s", torch.add, In(s, layout="T"), In([4]))
    case("add:row_T", "s", torch.add, In([4]), In(s, layout="T"))
    case("add:T_col", "s", torch.add, In(s, layout="T"), In([3, 1]))
    case("add:col_T", "s", torch.add, In([3, 1]), In(s, layout="T"))
    case("add:0d_T", "s", torch.add, In([]), In(s, layout="T"))
    case("add:0d_0d", "s", torch.add, In([]), In([]))
    case("add:E_T", "s", torch.add, In(s, layout="E3x1"), In(s, layout="T"))
    case("add:T1_T1", "s", torch.add, In([2, 3], layout="T"), In([1, 3], layout="T"))
    case("add:N_T", "s", torch.add, In(s, layout="N"), In(s, layout="T"))
    case("addScalar:T", "s", lambda a: a + 1.5, In(s, layout="T"))
    case("addScalar:P201", "s", lambda a: a + 1.5, In([2, 3, 4], layout="P201"))
    case("addScalar:P120", "s", lambda a: a + 1.5, In([2, 3, 4], layout="P120"))
    case("addScalar:size1_P120", "s", lambda a: a + 1.5, In([1, 3, 4], layout="P120"))
    case("exp:size1_P120", "s", torch.exp, In([1, 3, 4], layout="P120"))
    case("exp:size1_P102", "s", torch.exp, In([1, 3, 4], layout="P102"))
    case("exp:size1_T", "s", torch.exp, In([4, 1], layout="T"))
    case("add:P201_P210", "s", torch.add, In([2, 3, 4], layout="P201"), In([2, 3, 4], layout="P210"))
    case("add:P210_bcast", "s", torch.add, In([2, 3, 4], layout="P210"), In([3, 1]))
    case("mul:P021_P201", "s", torch.mul, In([2, 3, 4], layout="P021"), In([2, 3, 4], layout="P201"))
    case("exp:CL", "s", torch.exp, In([2, 3, 4, 5], layout="CL"))
    case("add:CL_CL", "s", torch.add, In([2, 3, 4, 5], layout="CL"), In([2, 3, 4, 5], layout="CL"))
    case("add:CL_c", "s", torch.add, In([2, 3, 4, 5], layout="CL"), In([2, 3, 4, 5]))
    case("add:c_CL", "s", torch.add, In([2, 3, 4, 5]), In([2, 3, 4, 5], layout="CL"))
    case("add:CL_bias", "s", torch.add, In([2, 3, 4, 5], layout="CL"), In([3, 1, 1]))
    case("exp:CL_C1", "s", torch.exp, In([2, 1, 4, 5], layout="CL"))
    case("exp:empty_T", "s", torch.exp, In([3, 0], layout="T"))
    case("addScalar:empty_T", "s", lambda a: a + 1.5, In([0, 3], layout="T"))
    case("exp:empty_P201", "s", torch.exp, In([3, 2, 0], layout="P201"))
    unary = [("neg", torch.neg, "n"), ("log", torch.log, "pos"), ("sin", torch.sin, "n"), ("cos", torch.cos, "n"),
             ("tanh", torch.tanh, "n"), ("sigmoid", torch.sigmoid, "n"), ("relu", torch.relu, "n"),
             ("sqrt", torch.sqrt, "pos"), ("abs", torch.abs, "n"), ("sign", torch.sign, "n")]
    for name, fn, dist in unary:
        case(name + ":layout_P120", "s", fn, In([2, 3, 4], dist, "P120"))
    case("sub:T_c", "s", torch.sub, In(s, layout="T"), In(s))
    case("div:T_row", "s", torch.div, In(s, layout="T"), In([4], "pos"))
    case("maximum:T_c", "s", torch.maximum, In(s, layout="T"), In(s))
    case("powTensor:T_row", "s", torch.pow, In(s, "pos", "T"), In([4]))
    case("pow2:T", "s", lambda a: a ** 2.0, In(s, layout="T"))
    case("rsub:T", "s", lambda a: 2.5 - a, In(s, layout="T"))
    case("mulScalar:T", "s", lambda a: a * -1.5, In(s, layout="T"))
    case("gt:T_0d", "s", lambda a, b: (a > b).float(), In(s, layout="T"), In([]))
    case("where:T", "s", lambda a, b: torch.where(a > 0, a, b), In(s, layout="T"), In([]))
    case("whereZero:cond_c", "s", lambda c, a: torch.where(c > 0, a, torch.tensor(0.0)), In(s), In(s, layout="T"))
    case("relu:grad_T", "sg", torch.relu, In(s, "away", "T"))
    case("mul:grad_T_T", "sg", torch.mul, In(s, layout="T"), In(s, layout="T"))
    case("addScalarView:T", "e", lambda a: (a + 1.0).view(12), In(s, layout="T"))
    case("addScalarView:c", "s", lambda a: (a + 1.0).view(12), In(s))


# ---- encoding -------------------------------------------------------------------------------------

def shape_str(dims):
    return "x".join(str(s) for s in dims) if len(dims) else "-"


def bits(t):
    if t._is_zerotensor():
        t = torch.zeros(t.shape)
    values = t.detach().reshape(-1).tolist()
    if not values:
        return "-"
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in values)


def tensor_line(t):
    return shape_str(list(t.shape)) + "\t" + bits(t)


def tree(fn):
    if fn is None:
        return "None"
    children = [tree(f) for f, _ in fn.next_functions]
    return fn.name() + ("(" + ",".join(children) + ")" if children else "")


def second_order(lines, y, xs, g, gen):
    positions = [i for i, x in enumerate(xs) if x.requires_grad]
    wanted = [xs[i] for i in positions]
    first = torch.autograd.grad(y, wanted, g, create_graph=True)
    phi = None
    for i, f in zip(positions, first):
        lines.append("first\t%d\t%d\t%s" % (i, 1 if f.requires_grad else 0,
                                              f.grad_fn.name() if f.grad_fn is not None else "-"))
        v = torch.rand(f.shape, generator=gen) * 2 - 1
        lines.append("v\t%d\t%s" % (i, tensor_line(v)))
        if f.requires_grad:
            term = (f * v).sum()
            phi = term if phi is None else phi + term
    if phi is None:
        return
    seconds = torch.autograd.grad(phi, wanted, allow_unused=True)
    for i, sec in zip(positions, seconds):
        lines.append("gg\t%d\t%s" % (i, "none" if sec is None else tensor_line(sec)))


def input_line(spec, base, view):
    strides = shape_str(list(view.stride()))
    return "in\t%s\t%s\t%d\t%d\t%s" % (shape_str(spec.shape), strides, view.storage_offset(),
                                       1 if spec.rg else 0, bits(base))


def emit(name, checks, fn, inputs):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    lines = ["case\t%s\t%s" % (name, checks)]
    xs = []
    for spec in inputs:
        base, view = spec.build(gen)
        lines.append(input_line(spec, base, view))
        xs.append(view.detach().requires_grad_(spec.rg))
    if "e" in checks:
        try:
            fn(*xs)
            raise AssertionError(name + " did not raise")
        except RuntimeError as e:
            lines.append("error\t" + str(e).split("\n")[0])
        lines.append("end")
        return lines
    y = fn(*xs)
    lines.append("out\t%s\t%s\t%s" % (shape_str(list(y.shape)), shape_str(list(y.stride())), bits(y)))
    if "s" in checks or "g" in checks:
        lines.append("graph\t" + tree(y.grad_fn))
    if "g" in checks or "2" in checks:
        g = torch.rand(y.shape, generator=gen) * 2 - 1
        lines.append("g\t" + tensor_line(g))
        if "2" in checks:
            second_order(lines, y, xs, g, gen)
        if "g" in checks and y.requires_grad:
            y.backward(g)
            for i, x in enumerate(xs):
                lines.append("grad\t%d\t%s" % (i, "none" if x.grad is None else tensor_line(x.grad)))
    if "t" in checks:
        total = y.sum()
        total.backward()
        try:
            total.backward()
            lines.append("twice\tok")
        except RuntimeError as e:
            assert "second time" in str(e), str(e)
            lines.append("twice\traises")
    lines.append("end")
    return lines


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    define_sum_to_size()
    define_relu_nan()
    define_second_order()
    define_linear()
    define_saved()
    define_strides()
    names = [c[0] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    out = ["# Issue 11, autograd defects 3-8: cases replayed by AutogradDefectsTest.",
           "# generated by tools/pytorch/gen_autograd_defects_fixtures.py with torch " + torch.__version__,
           "# format: see the script's docstring"]
    for c in CASES:
        out.extend(emit(*c))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n", encoding="ascii")
    print("wrote %d cases to %s" % (len(CASES), output))


if __name__ == "__main__":
    main()
