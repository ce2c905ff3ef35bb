#!/usr/bin/env python3
"""Writes the PyTorch error-message fixtures that OpsErrorTest compares Vectorgrad's messages with.

Run from the repository root with the interpreter that has PyTorch 1.13:

    /usr/bin/python3 tools/pytorch/gen_error_fixtures.py [--out PATH]

The default output is core/src/test/resources/fixtures/errors.txt (found relative to this script).

Format: '#' lines are comments; every other line is three tab-separated fields

    <case name>  <Python exception type>  <str(exception)>

Case names are the names OpsErrorTest gives its Java calls; each case below is the PyTorch
spelling of the same call on the same shapes (Vectorgrad's creation methods map to torch.zeros,
torch.tensor, ...). Every case must raise: the script fails if one does not, or if a message holds
a tab or a newline (the fixture format could not carry it).
"""
import argparse
import sys
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F

z = torch.zeros


def scalar():
    return torch.tensor(1.0)


def leaf(*shape):
    return torch.zeros(*shape, requires_grad=True)


CASES = {
    # broadcasting
    "add_shapes": lambda: z(2, 3) + z(4, 3),
    "sub_shapes": lambda: z(2, 3) - z(4),
    "mul_shapes": lambda: z(5) * z(4),
    "div_shapes": lambda: z(2, 3) / z(2),
    "pow_shapes": lambda: z(2, 3) ** z(3, 2),
    "maximum_shapes": lambda: torch.maximum(z(2, 1, 3), z(4, 2)),
    "eq_shapes": lambda: z(3) == z(2),
    "where_condition_shapes": lambda: torch.where(z(4) == 0, z(2, 3), z(3)),
    "where_value_shapes": lambda: torch.where(z(3) == 0, z(2, 3), z(2, 1, 4)),
    "where_float_condition": lambda: torch.where(z(3), z(3), z(3)),
    "mse_loss_shapes": lambda: F.mse_loss(z(2, 3), z(4)),
    # matmul, every rank combination
    "matmul_1d_1d": lambda: z(3) @ z(4),
    "matmul_2d_1d": lambda: z(2, 3) @ z(4),
    "matmul_1d_2d": lambda: z(3) @ z(4, 5),
    "matmul_2d_2d": lambda: z(2, 3) @ z(4, 5),
    "matmul_3d_1d": lambda: z(2, 2, 3) @ z(4),
    "matmul_3d_2d": lambda: z(2, 2, 3) @ z(4, 5),
    "matmul_1d_3d": lambda: z(3) @ z(2, 4, 5),
    "matmul_2d_3d": lambda: z(2, 3) @ z(2, 4, 5),
    "matmul_3d_3d": lambda: z(2, 2, 3) @ z(2, 4, 5),
    "matmul_4d_3d": lambda: z(2, 1, 2, 3) @ z(3, 4, 5),
    "matmul_batch_shapes": lambda: z(2, 2, 3) @ z(3, 3, 5),
    "matmul_0d_1d": lambda: torch.matmul(scalar(), z(3)),
    "matmul_1d_0d": lambda: torch.matmul(z(3), scalar()),
    "matmul_0d_0d": lambda: torch.matmul(scalar(), scalar()),
    # dimensions
    "sum_dim_high": lambda: z(2, 3).sum(2),
    "sum_dim_low": lambda: z(2, 3).sum(-3),
    "sum_dims_duplicate": lambda: z(2, 3).sum((0, 0)),
    "sum_dims_duplicate_negative": lambda: z(2, 3).sum((1, -1)),
    "sum_dims_duplicate_0d": lambda: scalar().sum((0, -1)),
    "sum_dim_0d": lambda: scalar().sum(1),
    "mean_dim": lambda: z(2, 3).mean(5),
    "max_dim": lambda: z(2, 3).max(-3),
    "argmax_dim": lambda: z(2, 3).argmax(2),
    "softmax_dim": lambda: z(2, 3).softmax(2),
    "log_softmax_dim": lambda: z(2, 3).log_softmax(-3),
    "transpose_dim": lambda: z(2, 3).transpose(0, 2),
    "permute_duplicate": lambda: z(2, 3).permute(0, 0),
    "permute_duplicate_negative": lambda: z(2, 3).permute(1, -1),
    "permute_length": lambda: z(2, 3).permute(0),
    "permute_range": lambda: z(2, 3).permute(0, 2),
    "unsqueeze_dim": lambda: z(2, 3).unsqueeze(3),
    "unsqueeze_dim_negative": lambda: z(2, 3).unsqueeze(-4),
    "squeeze_dim": lambda: z(2, 3).squeeze(2),
    "squeeze_dim_0d": lambda: scalar().squeeze(1),
    "select_dim": lambda: z(2, 3).select(2, 0),
    "narrow_dim": lambda: z(2, 3).narrow(2, 0, 1),
    # indices
    "select_index": lambda: z(2, 3).select(1, 3),
    "select_index_negative": lambda: z(2, 3).select(1, -4),
    "select_0d": lambda: scalar().select(0, 0),
    "narrow_length": lambda: z(2, 3).narrow(1, 2, 2),
    "narrow_length_negative_start": lambda: z(2, 3).narrow(1, -1, 2),
    "narrow_start": lambda: z(2, 3).narrow(1, 4, 0),
    "narrow_start_negative": lambda: z(2, 3).narrow(1, -4, 1),
    "narrow_negative_length": lambda: z(2, 3).narrow(1, 0, -1),
    "narrow_0d": lambda: scalar().narrow(0, 0, 1),
    # a length whose start + length overflows int32: the check must not wrap around
    "narrow_nested_huge_length": lambda: torch.arange(10.0).narrow(0, 2, 3).narrow(0, 1, 2**31 - 1),
    "get_index": lambda: z(2, 3)[0, 3],
    "get_index_negative": lambda: z(2, 3)[-3, 0],
    "get_index_count": lambda: z(2, 3)[0, 0, 0],
    # shapes
    "expand_size": lambda: z(2, 3).expand(4, 3),
    "expand_fewer_dims": lambda: z(2, 3).expand(3),
    "expand_new_minus_one": lambda: z(2, 3).expand(-1, 2, 3),
    "expand_negative": lambda: z(2, 3).expand(2, -2),
    "expand_negative_singleton": lambda: z(2, 1).expand(2, -2),
    "expand_negative_singletons": lambda: z(1, 1).expand(-2, -2),
    "view_strides": lambda: z(2, 3).t().view(6),
    "view_numel": lambda: z(2, 3).view(4),
    "reshape_numel": lambda: z(2, 3).reshape(4, 2),
    "reshape_two_inferred": lambda: z(2, 3).reshape(-1, -1),
    "reshape_minus_two": lambda: z(2, 3).reshape(-2, 3),
    "view_minus_two": lambda: z(2, 3).view(3, -2),
    "reshape_inferred_empty": lambda: z(0, 3).reshape(0, -1),
    "view_inferred_zero": lambda: z(2, 3).view(0, -1),
    "t_3d": lambda: z(2, 3, 4).t(),
    "sum_to_size_larger": lambda: z(2, 3).sum_to_size(4, 3),
    "sum_to_size_singleton": lambda: z(1).sum_to_size(3),
    "sum_to_size_rank": lambda: z(3).sum_to_size(1, 3),
    "bce_shapes": lambda: F.binary_cross_entropy_with_logits(z(2, 3), z(3)),
    "bce_shapes_broadcastable": lambda: F.binary_cross_entropy_with_logits(z(2, 3), z(2, 1)),
    # creation
    "from_array_count": lambda: torch.tensor([0.0, 0.0, 0.0]).reshape(2, 2),
    "from_array_negative": lambda: torch.empty(-1, 0),
    "of_ragged": lambda: torch.tensor([[1.0, 2.0], [3.0]]),
    "zeros_negative": lambda: torch.zeros(2, -1),
    "ones_negative": lambda: torch.ones(-1),
    "full_negative": lambda: torch.full((-1,), 2.0),
    "rand_negative": lambda: torch.rand(-1),
    "randn_negative": lambda: torch.randn(-1),
    "eye_negative": lambda: torch.eye(-1),
    "arange_negative": lambda: torch.arange(-1),
    # reductions of empty tensors
    "max_empty": lambda: z(0).max(),
    "max_empty_2d": lambda: z(2, 0).max(),
    "max_dim_empty": lambda: z(2, 0).max(1),
    "max_dim_empty_negative": lambda: z(0, 3).max(-2),
    "argmax_dim_empty": lambda: z(2, 0).argmax(1),
    # scalars and autograd
    "item_many": lambda: z(2).item(),
    "item_empty": lambda: z(0).item(),
    "requires_grad_bool": lambda: (z(2) == 0).requires_grad_(True),
    "backward_shape": lambda: leaf(2, 3).exp().backward(z(3)),
    "backward_shape_scalar": lambda: leaf(2, 3).sum().backward(z(1)),
}


def message(name, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 -- recording whatever PyTorch raises is the point
        text = str(e)
        if "\t" in text or "\n" in text:
            sys.exit("case %s: message has a tab or newline: %r" % (name, text))
        return "%s\t%s\t%s" % (name, type(e).__name__, text)
    sys.exit("case %s: PyTorch did not raise" % name)


def main():
    default = Path(__file__).resolve().parents[2] / "core/src/test/resources/fixtures/errors.txt"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default)
    args = parser.parse_args()
    # mse_loss warns about the broadcast it is about to attempt; only the error matters here.
    warnings.simplefilter("ignore")
    lines = ["# PyTorch %s error messages, one per OpsErrorTest case" % torch.__version__,
             "# generated by tools/pytorch/gen_error_fixtures.py; see that script for the format"]
    lines += [message(name, fn) for name, fn in CASES.items()]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
