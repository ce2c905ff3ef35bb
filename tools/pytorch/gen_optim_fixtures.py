#!/usr/bin/env python3
"""Writes the optimizer and scheduler fixtures that OptimizerPyTorchTest replays against Vectorgrad.

Every expected value is computed by real PyTorch 1.13 (torch.optim, single-tensor code path,
foreach=False). Run from the repository root with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_optim_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/optim.txt. The output is deterministic: each
case draws its parameters and gradients from a torch.Generator seeded with the CRC32 of its name.

File format: '#' lines are comments; a case is a block of tab-separated lines:
    case    NAME  CLASS  ARGS            ARGS: Python keyword arguments as k=v joined by ','
                                         (floats in the decimal the Java test parses as float)
    param   I  SHAPE  BITS               initial value of parameter I
    sched   CLASS  ARGS                  optional: a scheduler stepped after every optimizer step
    grad    STEP  I  SHAPE  BITS         the gradient of parameter I at STEP ('none' for None)
    after   STEP  I  SHAPE  BITS         parameter I after optimizer.step() at STEP
    lr      STEP  DBITS                  the optimizer's lr after the scheduler step at STEP
    end
    schedule  NAME  CLASS  ARGS  LR0     a scheduler alone: SGD([p], lr=LR0), N scheduler steps
    lrs     DBITS...                     param_groups[0]['lr'] after construction, then after each step
SHAPE is the dims joined by 'x' ('-' for 0-d); BITS concatenated '%08x' float32 words; DBITS a
float64 bit pattern as '%016x'.
"""

import struct
import sys
import zlib
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/optim.txt"

SHAPES = [[3, 4], [5], []]
STEPS = 6


def bits(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in t.reshape(-1).tolist()) or "-"


def dbits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def shape(t):
    return "x".join(str(s) for s in t.shape) or "-"


def args_text(kwargs):
    return ",".join("%s=%s" % (k, v) for k, v in kwargs.items())


OPTIMIZERS = [
    ("sgd_plain", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.01, momentum=0.9)),
    ("sgd_dampening_wd", "SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    ("sgd_nesterov", "SGD", dict(lr=0.02, momentum=0.9, nesterov=True)),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.02, momentum=0.5, weight_decay=0.1, nesterov=True)),
    ("sgd_wd_only", "SGD", dict(lr=0.3, weight_decay=0.05)),
    ("adam_default", "Adam", dict(lr=0.001)),
    ("adam_large_lr", "Adam", dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6)),
    ("adam_wd", "Adam", dict(lr=0.01, weight_decay=0.1)),
    ("adamw_default", "AdamW", dict(lr=0.001)),
    ("adamw_wd", "AdamW", dict(lr=0.05, betas=(0.85, 0.95), eps=1e-7, weight_decay=0.2)),
]

WITH_SCHEDULER = [
    ("sgd_momentum_steplr", "SGD", dict(lr=0.1, momentum=0.9), "StepLR", dict(step_size=2, gamma=0.5)),
    ("adamw_cosine", "AdamW", dict(lr=0.01, weight_decay=0.05), "CosineAnnealingLR", dict(T_max=4, eta_min=0.001)),
]

SCHEDULES = [
    ("steplr_3_0.1", "StepLR", dict(step_size=3), 0.1, 12),
    ("steplr_1_0.9", "StepLR", dict(step_size=1, gamma=0.9), 0.05, 12),
    ("cosine_10", "CosineAnnealingLR", dict(T_max=10), 0.1, 35),
    ("cosine_7_eta", "CosineAnnealingLR", dict(T_max=7, eta_min=0.001), 0.01, 30),
    ("cosine_1", "CosineAnnealingLR", dict(T_max=1, eta_min=0.0001), 0.3, 6),
]


def kwargs_for(cls, kwargs):
    """Python kwargs as the Java constructors take them (betas split into beta1, beta2)."""
    out = dict(kwargs)
    if "betas" in out:
        out["beta1"], out["beta2"] = out.pop("betas")
    return out


def optimizer_case(out, name, cls, kwargs, sched=None):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    params = [torch.randn(s, generator=gen).requires_grad_() for s in SHAPES]
    opt = getattr(torch.optim, cls)(params, foreach=False, **kwargs)
    out.append("case\t%s\t%s\t%s" % (name, cls, args_text(kwargs_for(cls, kwargs))))
    for i, p in enumerate(params):
        out.append("param\t%d\t%s\t%s" % (i, shape(p), bits(p.detach())))
    scheduler = None
    if sched is not None:
        scheduler = getattr(torch.optim.lr_scheduler, sched[0])(opt, **sched[1])
        out.append("sched\t%s\t%s" % (sched[0], args_text(sched[1])))
    for step in range(STEPS):
        for i, p in enumerate(params):
            # Parameter 1 has no gradient at step 2: the optimizer must skip it entirely.
            if i == 1 and step == 2:
                p.grad = None
                out.append("grad\t%d\t%d\tnone" % (step, i))
            else:
                p.grad = torch.randn(p.shape, generator=gen) * (1 + step)
                out.append("grad\t%d\t%d\t%s\t%s" % (step, i, shape(p.grad), bits(p.grad)))
        opt.step()
        for i, p in enumerate(params):
            out.append("after\t%d\t%d\t%s\t%s" % (step, i, shape(p), bits(p.detach())))
        if scheduler is not None:
            scheduler.step()
            out.append("lr\t%d\t%s" % (step, dbits(opt.param_groups[0]["lr"])))
    out.append("end")


def schedule_case(out, name, cls, kwargs, lr0, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr0)
    scheduler = getattr(torch.optim.lr_scheduler, cls)(opt, **kwargs)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        lrs.append(opt.param_groups[0]["lr"])
    out.append("schedule\t%s\t%s\t%s\t%s" % (name, cls, args_text(kwargs), lr0))
    out.append("lrs\t" + " ".join(dbits(x) for x in lrs))


def main():
    if not torch.__version__.startswith("1.13"):
        sys.exit("expected PyTorch 1.13, found %s" % torch.__version__)
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    out = ["# PyTorch %s torch.optim fixtures; generated by tools/pytorch/gen_optim_fixtures.py" % torch.__version__,
           "# (see that script for the format)"]
    for name, cls, kwargs in OPTIMIZERS:
        optimizer_case(out, name, cls, kwargs)
    for name, cls, kwargs, sched, sched_kwargs in WITH_SCHEDULER:
        optimizer_case(out, name, cls, kwargs, (sched, sched_kwargs))
    for name, cls, kwargs, lr0, steps in SCHEDULES:
        schedule_case(out, name, cls, kwargs, lr0, steps)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n")
    print("wrote %s" % output)


if __name__ == "__main__":
    main()
