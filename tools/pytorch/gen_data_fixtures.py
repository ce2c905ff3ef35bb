#!/usr/bin/env python3
"""Writes the data, metrics and explicit-generator fixtures (fixtures/data.txt).

Read by TensorDatasetTest, DataLoaderBatchesTest, MetricsTest and GeneratorModulesTest. Run from the
repository root with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_data_fixtures.py [OUTPUT]

Splits, epoch orders and rand/randn come from real PyTorch 1.13 (random kernels pinned
to AVX2, what Vectorgrad's Generator reproduces). Metric inputs are drawn with numpy (seeded) and the
expected values computed in float64 by numpy code written independently of the Java algorithms:
accuracy by argmax, log-loss by sklearn's clip-then-log, ROC AUC by sklearn's roc_curve
construction (distinct thresholds, cumulative counts) and the trapezoidal rule -- not by ranks.
Deterministic. Format: '#' lines are comments; one case per line, fields separated by tabs:

    split   N  FRACTION  SEED  FIRST  SECOND     random_split(range(N), [F, 1 - F],
                                                 generator=torch.Generator().manual_seed(SEED));
                                                 FIRST/SECOND the indices, space-separated ('-' if none)
    splitcrc  N  FRACTION  SEED  LEN0  CRC0  CRC1    the same for large N: lengths and the CRC32 of
                                                 each part's indices as int32 little-endian
    epoch   N  SEED  K  ORDER                    torch.randperm(N, generator=Generator().manual_seed(SEED + K))
    random  SEED  OPS  BITS                      g = Generator().manual_seed(SEED); then OPS, e.g.
                                                 'rand:3 randn:4x5', each torch.rand/randn(shape,
                                                 generator=g) in turn; BITS all results concatenated
    accuracy  NAME  SHAPE  BITS  TARGETS  VALUE  VALUE as repr(float64)
    logloss   NAME  SHAPE  BITS  TARGETS  VALUE
    rocauc    NAME  SHAPE  BITS  TARGETS  VALUE
SHAPE is dims joined by 'x'; BITS concatenated '%08x' float32 words ('-' if empty).
"""

import os
import struct
import sys
import warnings
import zlib
from pathlib import Path

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.utils.data import random_split  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/data.txt"
FLOAT32_EPS = float(np.finfo(np.float32).eps)


def bits(values):
    values = np.asarray(values, dtype=np.float32).reshape(-1)
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", float(v)))[0] for v in values) or "-"


def shape_text(shape):
    return "x".join(str(d) for d in shape)


def ints(values):
    return " ".join(str(int(v)) for v in values) or "-"


def crc(indices):
    return "%08x" % zlib.crc32(np.asarray(indices, dtype="<i4").tobytes())


def split_cases(out):
    small = [(10, 0.25, 0), (10, 0.3, 1), (10, 0.7, 2), (7, 0.5, 42), (100, 0.1, 3), (1000, 1 / 3, 7),
             (5, 0.0, 0), (5, 1.0, 5), (1, 0.5, 9), (0, 0.5, 0), (33, 0.9, -1), (12, 0.2, 2 ** 40 + 3)]
    for n, frac, seed in small:
        first, second = split(n, frac, seed)
        out.append("split\t%d\t%r\t%d\t%s\t%s" % (n, frac, seed, ints(first), ints(second)))
    for n, frac, seed in [(200000, 0.8, 0), (100003, 0.3, 123)]:
        first, second = split(n, frac, seed)
        out.append("splitcrc\t%d\t%r\t%d\t%d\t%s\t%s" % (n, frac, seed, len(first), crc(first), crc(second)))


def split(n, frac, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch warns about empty parts
        # PyTorch reinterprets a negative seed as its uint64 bit pattern, like a Java long.
        generator = torch.Generator().manual_seed(seed & (2 ** 64 - 1))
        parts = random_split(range(n), [frac, 1 - frac], generator=generator)
    return list(parts[0].indices), list(parts[1].indices)


def epoch_cases(out):
    for n, seed, epochs in [(23, 7, 3), (10, 0, 2), (1, 5, 1)]:
        for k in range(epochs):
            order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + k)).tolist()
            out.append("epoch\t%d\t%d\t%d\t%s" % (n, seed, k, ints(order)))


def random_cases(out):
    cases = [(0, "rand:5"), (1, "randn:3x7"), (2, "rand:2x3x4 randn:5 randn:16 rand:1"),
             (3, "randn:2 randn:3 rand:17"), (2 ** 33 + 11, "randn:40")]
    for seed, ops in cases:
        g = torch.Generator().manual_seed(seed)
        values = []
        for op in ops.split():
            kind, shape = op.split(":")
            dims = [int(d) for d in shape.split("x")]
            fn = torch.rand if kind == "rand" else torch.randn
            values.append(fn(*dims, generator=g).reshape(-1))
        out.append("random\t%d\t%s\t%s" % (seed, ops, bits(torch.cat(values).numpy())))


def metric_line(kind, name, values, targets, value):
    out = "%s\t%s\t%s\t%s\t%s\t%r" % (kind, name, shape_text(values.shape), bits(values), ints(targets), value)
    return out


def accuracy_reference(logits, targets):
    if logits.ndim == 1 or logits.shape[1] == 1:
        predicted = (logits.reshape(-1) > 0).astype(np.int64)
    else:
        predicted = torch.from_numpy(logits).argmax(dim=1).numpy()  # torch's argmax: first max, NaN wins
    return float(np.mean(predicted == targets))


def log_loss_reference(probs, targets):
    p = probs.astype(np.float64)
    if p.ndim == 1 or p.shape[1] == 1:
        p = p.reshape(-1)
        p = np.stack([1 - p, p], axis=1)
    p = np.clip(p, FLOAT32_EPS, 1 - FLOAT32_EPS)
    return float(np.mean(-np.log(p[np.arange(len(targets)), targets])))


def roc_auc_reference(scores, labels):
    """sklearn's roc_curve (without dropping collinear points) followed by the trapezoidal rule."""
    s = scores.astype(np.float64).reshape(-1)
    order = np.argsort(-s, kind="mergesort")
    s, y = s[order], labels[order]
    threshold_idxs = np.r_[np.where(np.diff(s))[0], y.size - 1]
    tps = np.cumsum(y)[threshold_idxs]
    fps = 1 + threshold_idxs - tps
    tpr = np.r_[0, tps] / tps[-1]
    fpr = np.r_[0, fps] / fps[-1]
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def metric_cases(out):
    rng = np.random.default_rng(2024)
    ties = np.round(rng.normal(size=(300, 4)), 1).astype(np.float32)
    nan_row = rng.normal(size=(6, 3)).astype(np.float32)
    nan_row[2, 1] = np.nan
    logits = {
        "multi": (rng.normal(size=(257, 10)).astype(np.float32), rng.integers(0, 10, 257)),
        "ties": (ties, rng.integers(0, 4, 300)),
        "nan": (nan_row, np.array([0, 1, 1, 2, 0, 2])),
        "binary": (rng.normal(size=101).astype(np.float32), rng.integers(0, 2, 101)),
        "column": (rng.normal(size=(40, 1)).astype(np.float32), rng.integers(0, 2, 40)),
    }
    for name, (values, targets) in logits.items():
        out.append(metric_line("accuracy", name, values, targets, accuracy_reference(values, targets)))

    soft = torch.softmax(torch.from_numpy(rng.normal(size=(200, 5)).astype(np.float32) * 3), dim=1).numpy()
    extreme = np.array([0, 1, 1e-9, 1 - 1e-7, 0.5, 1e-30, 0.25], dtype=np.float32)
    probs = {
        "multi": (soft, rng.integers(0, 5, 200)),
        "binary": (rng.uniform(size=500).astype(np.float32), rng.integers(0, 2, 500)),
        "extreme": (extreme, np.array([1, 0, 1, 1, 0, 0, 1])),
        "column": (rng.uniform(size=(30, 1)).astype(np.float32), rng.integers(0, 2, 30)),
        "onehot": (np.eye(3, dtype=np.float32)[[0, 1, 2, 2]], np.array([0, 1, 2, 0])),
    }
    for name, (values, targets) in probs.items():
        out.append(metric_line("logloss", name, values, targets, log_loss_reference(values, targets)))

    labels = rng.integers(0, 2, 5000)
    scores = {
        "sklearn-doc": (np.array([0.1, 0.4, 0.35, 0.8], dtype=np.float32), np.array([0, 0, 1, 1])),
        "large": ((rng.normal(size=5000) + labels).astype(np.float32), labels),
        "ties": (np.round(rng.normal(size=400), 0).astype(np.float32), rng.integers(0, 2, 400)),
        "all-tied": (np.full(9, 0.5, dtype=np.float32), np.array([0, 1, 0, 1, 1, 0, 0, 0, 1])),
        "perfect": (np.arange(10, dtype=np.float32), np.array([0] * 4 + [1] * 6)),
        "inverted": (-np.arange(10, dtype=np.float32), np.array([0] * 4 + [1] * 6)),
        "column": (rng.normal(size=(50, 1)).astype(np.float32), rng.integers(0, 2, 50)),
    }
    for name, (values, targets) in scores.items():
        out.append(metric_line("rocauc", name, values, targets, roc_auc_reference(values, targets)))


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    out = ["# PyTorch %s data/metrics/generator fixtures, kernels: %s" % (
        torch.__version__, os.environ["ATEN_CPU_CAPABILITY"].upper()),
        "# generated by tools/pytorch/gen_data_fixtures.py; see that script for the format"]
    split_cases(out)
    epoch_cases(out)
    random_cases(out)
    metric_cases(out)
    output.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
