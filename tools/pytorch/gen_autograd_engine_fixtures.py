#!/usr/bin/env python3
"""Writes the fixtures of issue 11's engine work (defects 1-2, hooks, anomaly mode), read by
AutogradEngineTest.

Every expected text or value is produced by real PyTorch 1.13. Run from the repository root with
the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_autograd_engine_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/autograd_engine.txt. Deterministic (no random
inputs). Tab-separated lines, one per case: NAME, then what PyTorch gave:
    error message text (first line; '\\n' and '\\\\' escaped), 'ok' when nothing was raised,
    or values as space-separated floats printed with repr(float).
The Java test rebuilds each case by name from the same code (quoted in the comments below).
"""

import sys
import warnings
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/autograd_engine.txt"


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def error_of(fn):
    try:
        fn()
    except RuntimeError as e:
        return escape(str(e).split("\n")[0])
    return "ok"


def values(t):
    return " ".join(repr(float(v)) for v in t.detach().reshape(-1).tolist())


def leaf(*vals):
    return torch.tensor(vals, requires_grad=True)


def version_cases(out):
    # The repro: w saved by mul, changed in place before backward.
    def leaf_saved():
        w, x = leaf(2.0, 3.0), leaf(5.0, 7.0)
        y = x.mul(w).sum()
        with torch.no_grad():
            w.add_(torch.tensor([100.0, 100.0]))
        y.backward()
    out.append(("version:leaf_saved", error_of(leaf_saved)))

    def leaf_saved_anomaly():
        with torch.autograd.detect_anomaly():
            leaf_saved()
    out.append(("version:leaf_saved_anomaly", error_of(leaf_saved_anomaly)))

    # A saved output (exp saves its result) changed twice, 2-D.
    def output_saved():
        x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        e = x.exp()
        with torch.no_grad():
            e.mul_(2.0)
            e.fill_(1.0)
        e.sum().backward()
    out.append(("version:output_saved", error_of(output_saved)))

    # A saved non-leaf input (t = x * 2 saved by the second mul).
    def nonleaf_saved():
        x, w = leaf(1.0, 2.0), leaf(3.0, 4.0)
        t = x * 2
        y = (t * w).sum()
        with torch.no_grad():
            t.copy_(torch.tensor([0.0, 0.0]))
        y.backward()
    out.append(("version:nonleaf_saved", error_of(nonleaf_saved)))

    # A view saved, its base written (no grad needed anywhere but x): the counter is shared.
    def view_saved():
        base = torch.tensor([[2.0, 3.0], [4.0, 5.0]])
        x = leaf(5.0, 7.0)
        y = (x * base[0]).sum()
        base.add_(torch.ones(2, 2))
        y.backward()
    out.append(("version:view_saved", error_of(view_saved)))

    # 0-d saved tensor.
    def scalar_saved():
        s = torch.tensor(3.0)
        x = leaf(1.0, 2.0)
        y = (x * s).sum()
        s.mul_(2.0)
        y.backward()
    out.append(("version:scalar_saved", error_of(scalar_saved)))

    # Unaffected: a write into a tensor nobody saved (add does not save its operands).
    def add_unsaved():
        x, w = leaf(1.0, 2.0), leaf(3.0, 4.0)
        y = (x + w).sum()
        with torch.no_grad():
            w.add_(torch.ones(2))
        y.backward()
    out.append(("version:add_unsaved", error_of(add_unsaved)))

    # The counter: t = zeros(2,3); v = t[1] (select); d = t.detach()
    t = torch.zeros(2, 3)
    v = t[1]
    d = t.detach()
    seq = [t._version]
    t.add_(torch.ones(3))
    seq.append(v._version)
    v.fill_(2.0)
    seq.append(t._version)
    d.mul_(3.0)
    seq.append(v._version)
    v.copy_(torch.ones(3))
    seq.append(d._version)
    t.add_(torch.ones(2, 3), alpha=2.0)
    seq.append(t._version)
    t.t().mul_(2.0)
    seq.append(t._version)
    u = t.add(1)
    seq.append(u._version)
    out.append(("version:sequence", " ".join(str(s) for s in seq)))

    # Writes into an expanded view.
    for op in ["add_", "mul_", "fill_", "copy_"]:
        def write(op=op):
            e = torch.zeros(1).expand(3)
            if op == "add_":
                e.add_(torch.ones(3))
            elif op == "mul_":
                e.mul_(2.0)
            elif op == "fill_":
                e.fill_(1.0)
            else:
                e.copy_(torch.ones(3))
        out.append(("expanded:" + op, error_of(write)))
    # Expanded along a size-1 dim only is no overlap: allowed.
    def size1():
        e = torch.zeros(1, 3).expand(1, 3)
        e.add_(torch.ones(3))
    out.append(("expanded:size1", error_of(size1)))


def hook_cases(out):
    # Leaf: hooks in registration order, the second sees the first's result; None keeps.
    seen = []
    x = leaf(1.0, 2.0, 3.0)
    x.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: seen.append(g.clone()))
    x.register_hook(lambda g: g + 1)
    (x * x).sum().backward()
    out.append(("hook:leaf_grad", values(x.grad)))
    out.append(("hook:leaf_seen", values(seen[0])))

    # Removed hook does not run; accumulation adds the hooked gradient to the existing .grad.
    x = leaf(1.0, 2.0)
    h = x.register_hook(lambda g: g * 100)
    x.register_hook(lambda g: g * 3)
    h.remove()
    (x * 5).sum().backward()
    (x * 5).sum().backward()
    out.append(("hook:removed", values(x.grad)))

    # Non-leaf: the hook sees the total gradient flowing into z and replaces it.
    seen = []
    x = leaf(1.0, 2.0)
    z = x * 2
    z.register_hook(lambda g: seen.append(g.clone()) or g * 10)
    (z * z + z).sum().backward()
    out.append(("hook:nonleaf_seen", values(seen[0])))
    out.append(("hook:nonleaf_grad", values(x.grad)))

    # retain_grad registered after a hook: .grad of the non-leaf.
    x = leaf(1.0, 2.0)
    z = x * 2
    z.register_hook(lambda g: g * 10)
    z.retain_grad()
    z.sum().backward()
    out.append(("hook:retain_after", values(z.grad)))

    out.append(("hook:no_grad", error_of(lambda: torch.tensor([1.0]).register_hook(lambda g: g))))


def anomaly_cases(out):
    warnings.simplefilter("ignore")

    def log_nan():
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        with torch.autograd.detect_anomaly():
            (x.log() * 0).sum().backward()
    out.append(("anomaly:log", error_of(log_nan)))

    def mul_nan():
        a = torch.tensor([float("inf")], requires_grad=True)
        b = torch.tensor([1.0], requires_grad=True)
        with torch.autograd.detect_anomaly():
            (a * b).mul(0.0).sum().backward()
    out.append(("anomaly:mul", error_of(mul_nan)))

    def outside():
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        (x.log() * 0).sum().backward()
        return x
    out.append(("anomaly:off", error_of(outside)))
    x = outside()
    out.append(("anomaly:off_grad", values(x.grad)))

    def finite():
        x = torch.tensor([2.0, 4.0], requires_grad=True)
        with torch.autograd.detect_anomaly():
            x.log().sum().backward()
        return x
    out.append(("anomaly:finite_grad", values(finite().grad)))


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    out = []
    version_cases(out)
    hook_cases(out)
    anomaly_cases(out)
    lines = ["# Issue 11, engine: version counters, expanded writes, hooks, anomaly mode.",
             "# generated by tools/pytorch/gen_autograd_engine_fixtures.py with torch " + torch.__version__,
             "# format: see the script's docstring"]
    lines += [name + "\t" + text for name, text in out]
    output.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
