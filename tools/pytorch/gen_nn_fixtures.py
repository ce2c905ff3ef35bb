#!/usr/bin/env python3
"""Writes the nn fixtures that NnPyTorchTest replays against Vectorgrad's nn.Functional.

Every expected value is computed by real PyTorch 1.13. Run from the repository root with the
system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_nn_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/nn.txt. Deterministic: each case draws its
inputs from a generator seeded with the CRC32 of its name (the In helper and the encodings are
gen_autograd_fixtures.py's, so both fixtures read the same way).

File format: '#' lines are comments; a case is a block of tab-separated lines
    case   NAME
    in     SHAPE  RG  LAYOUT  BITS    one line per input, in argument order (RG 0/1; LAYOUT c/T/N)
    out    SHAPE  BITS                forward value
    graph  TREE                       grad_fn tree, NAME(CHILD,...) over next_functions; 'None'
    g      SHAPE  BITS                the gradient passed to y.backward(g) (absent when y has no grad_fn)
    grad   I  SHAPE  BITS             x_I.grad after backward ('none' instead of SHAPE BITS for None)
    after  I  SHAPE  BITS             input I (one that needs no grad) after the call: running statistics
                                      updated in place, every other such input unchanged
    end
and every bad call is one line
    error  NAME  TYPE  MESSAGE        PyTorch's exception type and str(exception)
The Java side (NnPyTorchTest) defines the same call for each NAME; the two lists must match.
"""

import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_autograd_fixtures import In, bits, shape_str, tensor_line, tree  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/nn.txt"

CASES = []
ERRORS = []


def case(name, fn, *inputs):
    CASES.append((name, fn, list(inputs)))


def const(shape, dist="n"):
    return In(shape, dist, rg=False)


def define_convolution():
    conv = F.conv2d
    case("conv_basic", lambda x, w, b: conv(x, w, b), In([2, 3, 7, 6]), In([4, 3, 3, 3]), In([4]))
    case("conv_stride2_pad1", lambda x, w, b: conv(x, w, b, 2, 1), In([2, 3, 8, 7]), In([5, 3, 3, 3]), In([5]))
    case("conv_dilation2_pad2", lambda x, w, b: conv(x, w, b, 1, 2, 2), In([1, 2, 9, 9]), In([3, 2, 3, 3]),
         In([3]))
    case("conv_1x1_nobias", lambda x, w: conv(x, w), In([2, 4, 5, 5]), In([6, 4, 1, 1]))
    case("conv_1x1_stride2", lambda x, w: conv(x, w, None, 2), In([2, 4, 6, 6]), In([3, 4, 1, 1]))
    case("conv_3d_input", lambda x, w, b: conv(x, w, b, 1, 1), In([3, 6, 6]), In([2, 3, 3, 3]), In([2]))
    case("conv_rect_kernel", lambda x, w, b: conv(x, w, b), In([1, 3, 6, 7]), In([2, 3, 2, 3]), In([2]))
    case("conv_stem_7x7", lambda x, w: conv(x, w, None, 2, 3), In([2, 3, 16, 16]), In([4, 3, 7, 7]))
    case("conv_T_input", lambda x, w, b: conv(x, w, b, 1, 1), In([1, 2, 5, 5], layout="T"), In([3, 2, 3, 3]),
         In([3]))
    case("conv_const_weight", lambda x, w, b: conv(x, w, b, 1, 1), In([2, 2, 4, 4]), const([3, 2, 3, 3]),
         const([3]))
    case("conv_const_input", lambda x, w, b: conv(x, w, b, 2, 0), const([2, 2, 5, 5]), In([3, 2, 3, 3]), In([3]))


def define_pooling():
    case("maxpool_k2s2", lambda x: F.max_pool2d(x, 2, 2), In([2, 3, 6, 6], "distinct"))
    case("maxpool_k3s2p1", lambda x: F.max_pool2d(x, 3, 2, 1), In([2, 2, 9, 8], "distinct"))
    case("maxpool_3d_k2s1", lambda x: F.max_pool2d(x, 2, 1), In([3, 5, 5], "distinct"))
    case("maxpool_ties", lambda x: F.max_pool2d(x, 2, 1), In([1, 1, 3, 4], [1, 1, 1, 1, 2, 0, 2, 2, 1, 1, 0, 2]))
    case("maxpool_odd_k3s3", lambda x: F.max_pool2d(x, 3, 3), In([1, 2, 8, 7], "distinct"))
    case("maxpool_T", lambda x: F.max_pool2d(x, 2, 2), In([2, 2, 4, 6], "distinct", layout="T"))
    case("avgpool_k2s2", lambda x: F.avg_pool2d(x, 2, 2), In([2, 3, 6, 6]))
    case("avgpool_k3s1p1", lambda x: F.avg_pool2d(x, 3, 1, 1), In([2, 2, 5, 4]))
    case("avgpool_3d_k3s2p1", lambda x: F.avg_pool2d(x, 3, 2, 1), In([3, 7, 6]))
    case("adaptive_1", lambda x: F.adaptive_avg_pool2d(x, 1), In([2, 3, 4, 5]))
    case("adaptive_1_3d", lambda x: F.adaptive_avg_pool2d(x, 1), In([3, 4, 4]))
    case("adaptive_3_from_5x7", lambda x: F.adaptive_avg_pool2d(x, 3), In([2, 2, 5, 7]))
    case("adaptive_2_from_4x4", lambda x: F.adaptive_avg_pool2d(x, 2), In([1, 3, 4, 4]))
    case("adaptive_4_from_3x3", lambda x: F.adaptive_avg_pool2d(x, 4), In([1, 2, 3, 3]))


def define_normalization():
    def bn(training, momentum=0.1, eps=1e-5):
        return lambda x, rm, rv, w, b: F.batch_norm(x, rm, rv, w, b, training, momentum, eps)
    stats = lambda c: (const([c]), const([c], "pos"))  # noqa: E731
    case("bn_train_4d", bn(True), In([4, 3, 5, 5]), *stats(3), In([3]), In([3]))
    case("bn_eval_4d", bn(False), In([4, 3, 5, 5]), *stats(3), In([3]), In([3]))
    case("bn_train_2d", bn(True), In([8, 5]), *stats(5), In([5]), In([5]))
    case("bn_eval_2d", bn(False), In([8, 5]), *stats(5), In([5]), In([5]))
    case("bn_train_3d", bn(True), In([4, 3, 6]), *stats(3), In([3]), In([3]))
    case("bn_train_momentum_eps", bn(True, 0.3, 1e-3), In([3, 2, 4, 4]), *stats(2), In([2]), In([2]))
    case("bn_train_T", bn(True), In([2, 3, 4, 5], layout="T"), *stats(3), In([3]), In([3]))
    case("bn_train_no_affine", lambda x, rm, rv: F.batch_norm(x, rm, rv, None, None, True, 0.1, 1e-5),
         In([4, 3, 3, 3]), *stats(3))
    case("bn_train_no_stats", lambda x, w, b: F.batch_norm(x, None, None, w, b, True, 0.1, 1e-5),
         In([4, 3, 3, 3]), In([3]), In([3]))
    case("bn_eval_no_affine", lambda x, rm, rv: F.batch_norm(x, rm, rv, None, None, False, 0.1, 1e-5),
         In([2, 3, 4, 4]), *stats(3))


TARGETS = [3, 0, 6, 6, 2]


def define_losses():
    t = torch.tensor(TARGETS)
    case("ce_basic", lambda x: F.cross_entropy(x, t), In([5, 7]))
    case("ce_T", lambda x: F.cross_entropy(x, t), In([5, 7], layout="T"))
    case("ce_label_smoothing", lambda x: F.cross_entropy(x, t, label_smoothing=0.1), In([5, 7]))
    case("ce_label_smoothing_1", lambda x: F.cross_entropy(x, t, label_smoothing=1.0), In([5, 7]))
    case("nll_basic", lambda x: F.nll_loss(x, t), In([5, 7]))
    case("nll_log_softmax", lambda x: F.nll_loss(x.log_softmax(1), t), In([5, 7]))
    case("ce_large_logits", lambda x: F.cross_entropy(x * 50, t), In([5, 7]))


def define_linear():
    case("linear_2d", F.linear, In([4, 3]), In([5, 3]), In([5]))
    case("linear_2d_nobias", lambda x, w: F.linear(x, w), In([4, 3]), In([5, 3]))
    case("linear_1d", F.linear, In([3]), In([5, 3]), In([5]))
    case("linear_3d", F.linear, In([2, 4, 3]), In([5, 3]), In([5]))
    case("linear_const_weight", F.linear, In([4, 3]), const([5, 3]), const([5]))
    case("linear_T_weight", F.linear, In([4, 3]), In([5, 3], layout="T"), In([5]))


def define_dropout():
    case("dropout_p1", lambda x: F.dropout(x, 1.0, True), In([3, 4]))
    case("dropout_eval", lambda x: F.dropout(x, 0.5, False), In([3, 4]))
    case("dropout_p0", lambda x: F.dropout(x, 0.0, True), In([3, 4]))


def define_errors():
    z = torch.zeros
    e = ERRORS.append
    e(("conv_channels", lambda: F.conv2d(z(1, 4, 32, 32), z(8, 3, 3, 3))))
    e(("conv_channels_3d", lambda: F.conv2d(z(4, 32, 32), z(8, 3, 3, 3))))
    e(("conv_rank", lambda: F.conv2d(z(4, 32), z(8, 3, 3, 3))))
    e(("conv_small", lambda: F.conv2d(z(1, 3, 2, 2), z(8, 3, 3, 3))))
    e(("conv_small_dilated", lambda: F.conv2d(z(1, 3, 4, 4), z(8, 3, 3, 3), dilation=2)))
    e(("conv_bias", lambda: F.conv2d(z(1, 3, 8, 8), z(8, 3, 3, 3), z(7))))
    e(("conv_stride", lambda: F.conv2d(z(1, 3, 8, 8), z(8, 3, 3, 3), stride=0)))
    e(("conv_padding", lambda: F.conv2d(z(1, 3, 8, 8), z(8, 3, 3, 3), padding=-1)))
    e(("conv_dilation", lambda: F.conv2d(z(1, 3, 8, 8), z(8, 3, 3, 3), dilation=0)))
    # an effective kernel (dilation * (k - 1) + 1) beyond int32: must not wrap around to fit the input
    e(("conv_dilation_huge", lambda: F.conv2d(z(1, 3, 4, 4), z(8, 3, 3, 3), dilation=2**30)))
    e(("maxpool_small", lambda: F.max_pool2d(z(1, 3, 2, 2), 3, 3)))
    e(("maxpool_pad", lambda: F.max_pool2d(z(1, 3, 8, 8), 3, 1, 2)))
    e(("maxpool_rank", lambda: F.max_pool2d(z(8, 8), 2, 2)))
    e(("avgpool_small", lambda: F.avg_pool2d(z(1, 3, 2, 2), 3, 3)))
    e(("avgpool_pad", lambda: F.avg_pool2d(z(1, 3, 8, 8), 3, 1, 2)))
    e(("adaptive_rank", lambda: F.adaptive_avg_pool2d(z(8, 8), 2)))
    e(("adaptive_negative", lambda: F.adaptive_avg_pool2d(z(1, 1, 8, 8), -1)))
    e(("adaptive_empty", lambda: F.adaptive_avg_pool2d(z(1, 1, 0, 8), 2)))
    e(("nll_target_high", lambda: F.nll_loss(z(4, 10), torch.tensor([0, 1, 10, 2]))))
    e(("nll_target_negative", lambda: F.nll_loss(z(4, 10), torch.tensor([0, 1, -1, 2]))))
    e(("nll_batch", lambda: F.nll_loss(z(4, 10), torch.tensor([0, 1, 2]))))
    e(("ce_target_high", lambda: F.cross_entropy(z(4, 10), torch.tensor([0, 1, 10, 2]))))
    e(("ce_batch", lambda: F.cross_entropy(z(4, 10), torch.tensor([0, 1, 2]))))
    e(("ce_label_smoothing_range", lambda: F.cross_entropy(z(4, 10), torch.tensor([0, 1, 2, 3]), label_smoothing=1.5)))
    e(("linear_shapes", lambda: F.linear(z(4, 3), z(5, 4))))
    e(("linear_bias", lambda: F.linear(z(4, 3), z(5, 3), z(4))))
    e(("bn_running_mean", lambda: F.batch_norm(z(4, 3, 5, 5), z(4), z(4), None, None, True)))
    e(("bn_weight", lambda: F.batch_norm(z(4, 3, 5, 5), z(3), z(3), z(4), None, True)))
    e(("bn_one_value", lambda: F.batch_norm(z(1, 3, 1, 1), z(3), z(3), None, None, True)))
    e(("bn_eval_no_stats", lambda: F.batch_norm(z(2, 3, 4, 4), None, None, None, None, False)))
    e(("dropout_p", lambda: F.dropout(z(3), 1.5, True)))


def emit(name, fn, inputs):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    xs = [spec.build(spec.values(gen)) for spec in inputs]
    lines = ["case\t" + name]
    for spec, x in zip(inputs, xs):
        lines.append("in\t%s\t%d\t%s\t%s" % (shape_str(spec.shape), 1 if spec.rg else 0, spec.layout, bits(x)))
    y = fn(*xs)
    lines.append("out\t" + tensor_line(y))
    lines.append("graph\t" + tree(y.grad_fn))
    if y.grad_fn is not None:
        g = torch.rand(y.shape, generator=gen) * 2 - 1
        lines.append("g\t" + tensor_line(g))
        y.backward(g)
    for i, x in enumerate(xs):
        if x.requires_grad:
            lines.append("grad\t%d\t%s" % (i, "none" if x.grad is None else tensor_line(x.grad)))
        else:
            lines.append("after\t%d\t%s" % (i, tensor_line(x)))
    lines.append("end")
    return lines


def error_line(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- recording whatever PyTorch raises is the point
        text = str(e)
        if "\t" in text or "\n" in text:
            sys.exit("case %s: message has a tab or newline: %r" % (name, text))
        return "error\t%s\t%s\t%s" % (name, type(e).__name__, text)
    sys.exit("case %s: PyTorch did not raise" % name)


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    for define in (define_convolution, define_pooling, define_normalization, define_losses, define_linear,
                   define_dropout, define_errors):
        define()
    names = [c[0] for c in CASES] + [e[0] for e in ERRORS]
    assert len(names) == len(set(names)), "duplicate case names"
    out = ["# nn.Functional cases replayed by NnPyTorchTest.",
           "# generated by tools/pytorch/gen_nn_fixtures.py with torch " + torch.__version__,
           "# format: see the script's docstring; cross-entropy targets are " + str(TARGETS)]
    for c in CASES:
        out.extend(emit(*c))
    out.extend(error_line(name, fn) for name, fn in ERRORS)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n", encoding="ascii")
    print("wrote %d cases and %d errors to %s" % (len(CASES), len(ERRORS), output))


if __name__ == "__main__":
    main()
