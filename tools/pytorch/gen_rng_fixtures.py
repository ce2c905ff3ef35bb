#!/usr/bin/env python3
"""Writes the PyTorch random-number fixtures that GeneratorTest replays bit for bit.

Run from the repository root with the interpreter that has PyTorch 1.13:

    /usr/bin/python3 tools/pytorch/gen_rng_fixtures.py [--out PATH]

The default output is core/src/test/resources/fixtures/rng.txt (found relative to this script).

Format (one record per line, tokens separated by single spaces, '#' lines are comments):

    case <name> <mode> <seed>        start a case; seed is a signed 64-bit integer
                                     mode: generator -> torch.Generator().manual_seed(seed)
                                           default   -> torch.manual_seed(seed), global functions
                                           fresh     -> torch.Generator() never seeded
    initial_seed <u64>               expected initial_seed(), unsigned decimal
    seed <seed>                      reseed mid-case (manual_seed), signed 64-bit
    rand <n> : <v>...                torch.rand(n)
    randn <n> : <v>...               torch.randn(n)
    uniform <n> <from> <to> : <v>... torch.empty(n).uniform_(from, to)
    normal <n> <mean> <std> : <v>... torch.empty(n).normal_(mean, std)
    randperm <n> : <i>...            torch.randperm(n), decimal
    end                              end of the case

Floats (values and parameters) are float32 bit patterns as %08x. Parameters are float32-exact so the
Java side, whose API takes floats, asks PyTorch's kernels exactly the same question.

PyTorch's float normal_ kernel differs by CPU capability; the fixtures pin the AVX2 kernels, which is
what PyTorch 1.13 selects on x86-64 machines with AVX2.
"""
import argparse
import os
import random
import struct
import sys
from pathlib import Path

# Must be set before torch is imported: it chooses which compiled kernels run.
os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import torch  # noqa: E402

SIZES = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 100, 1000, 4099]
SWEEP_SEEDS = [0, 1, 42, 2**32 + 5, 67280421310721, -1]
EXTRA_SEEDS = [2**31, -(2**63), 3141592653589793]
PERM_SIZES = [0, 1, 2, 5, 10, 100, 1000]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def bits(x):
    return "%08x" % struct.unpack("<I", struct.pack("<f", x))[0]


UNIFORM_PARAMS = [(0.0, 1.0), (-1.0, 1.0), (f32(0.1), f32(0.3)), (f32(-3.7), f32(12.3)),
                  (f32(-1e-3), f32(2e-3)), (5.0, 5.0), (f32(-1e30), f32(1e30)), (f32(1e-7), f32(1.5))]
NORMAL_PARAMS = [(0.0, 1.0), (1.5, 2.5), (f32(-0.75), f32(0.1)), (100.0, f32(1e-3)),
                 (f32(0.3), 0.0), (f32(-2.2), f32(7.77))]


class Runner:
    """Applies operations to one generator and records them as fixture lines."""

    def __init__(self, out, name, mode, seed):
        self.out = out
        if mode == "default":
            torch.manual_seed(seed)
            self.gen = None
        else:
            self.gen = torch.Generator()
            if mode == "generator":
                self.gen.manual_seed(seed)
            else:
                seed = self.gen.initial_seed()
        out.append("case %s %s %d" % (name, mode, seed))
        initial = torch.initial_seed() if self.gen is None else self.gen.initial_seed()
        out.append("initial_seed %d" % initial)

    def kw(self):
        return {} if self.gen is None else {"generator": self.gen}

    def floats(self, head, t):
        vals = " ".join(bits(v) for v in t.tolist())
        self.out.append((head + " : " + vals).rstrip())

    def seed(self, s):
        if self.gen is None:
            torch.manual_seed(s)
        else:
            self.gen.manual_seed(s)
        self.out.append("seed %d" % s)

    def rand(self, n):
        self.floats("rand %d" % n, torch.rand(n, **self.kw()))

    def randn(self, n):
        self.floats("randn %d" % n, torch.randn(n, **self.kw()))

    def uniform(self, n, a, b):
        t = torch.empty(n).uniform_(a, b, **self.kw())
        self.floats("uniform %d %s %s" % (n, bits(a), bits(b)), t)

    def normal(self, n, m, s):
        t = torch.empty(n).normal_(m, s, **self.kw())
        self.floats("normal %d %s %s" % (n, bits(m), bits(s)), t)

    def randperm(self, n):
        vals = " ".join(str(v) for v in torch.randperm(n, **self.kw()).tolist())
        self.out.append(("randperm %d : %s" % (n, vals)).rstrip())

    def end(self):
        self.out.append("end")


def sweep_cases(out, seed, with_params):
    r = Runner(out, "rand-sizes/%d" % seed, "generator", seed)
    for n in SIZES:
        r.rand(n)
    r.end()
    r = Runner(out, "randn-sizes/%d" % seed, "generator", seed)
    for n in SIZES:
        r.randn(n)
    r.end()
    if with_params:
        r = Runner(out, "uniform-normal-sizes/%d" % seed, "generator", seed)
        for i, n in enumerate(SIZES):
            r.uniform(n, *UNIFORM_PARAMS[i % len(UNIFORM_PARAMS)])
            r.normal(n, *NORMAL_PARAMS[i % len(NORMAL_PARAMS)])
        r.end()
    r = Runner(out, "randperm/%d" % seed, "generator", seed)
    for n in PERM_SIZES:
        r.randperm(n)
    r.end()


def interleaved_case(out, seed, mode):
    """Small (cached double Box-Muller) and large (16-wide) normal calls mixed with everything else."""
    r = Runner(out, "interleaved-%s/%d" % (mode, seed), mode, seed)
    r.randn(1)       # leaves a cached sine sample
    r.rand(3)        # uniform draws do not touch the cache
    r.randn(1)       # consumes the cache without drawing
    r.randn(17)      # 16-wide path with tail recompute; cache untouched
    r.randn(2)
    r.rand(1)
    r.randn(3)       # leaves a cached sample again
    r.uniform(7, f32(0.1), f32(0.3))
    r.normal(1, 1.5, 2.5)  # consumes the cache with a different mean/std
    r.randn(16)
    r.normal(15, f32(-0.75), f32(0.1))
    r.randn(1)
    r.randperm(10)
    r.rand(2)
    r.randn(5)
    r.randn(33)
    r.normal(2, f32(-2.2), f32(7.77))
    r.rand(100)
    r.randn(1000)
    r.randn(1)
    r.randn(0)
    r.rand(0)
    r.randn(1)
    r.end()


def reseed_case(out, seed):
    r = Runner(out, "reseed/%d" % seed, "generator", seed)
    r.randn(1)       # cached sample pending
    r.seed(seed)     # must drop the cached sample
    r.randn(1)
    r.randn(3)
    r.rand(5)
    r.seed(seed + 1)
    r.randn(16)
    r.randn(7)
    r.seed(seed)
    r.rand(5)
    r.randperm(5)
    r.end()


def mixed_case(out, seed, index):
    """A deterministic pseudo-random sequence of operations and sizes."""
    rng = random.Random(1000 + index)
    r = Runner(out, "mixed/%d" % seed, "generator", seed)
    sizes = [n for n in SIZES if n <= 1000]
    for _ in range(30):
        kind = rng.choice(["rand", "randn", "randn", "uniform", "normal", "randperm"])
        n = rng.choice(sizes)
        if kind == "rand":
            r.rand(n)
        elif kind == "randn":
            r.randn(n)
        elif kind == "uniform":
            r.uniform(n, *rng.choice(UNIFORM_PARAMS))
        elif kind == "normal":
            r.normal(n, *rng.choice(NORMAL_PARAMS))
        else:
            r.randperm(rng.choice([0, 1, 2, 5, 10, 100]))
    r.end()


def special_cases(out):
    r = Runner(out, "fresh-generator", "fresh", 0)
    r.rand(5)
    r.randn(5)
    r.randn(20)
    r.randperm(10)
    r.end()
    r = Runner(out, "randperm-large/0", "generator", 0)
    r.randperm(100000)
    r.end()
    r = Runner(out, "upper-seed-bits/%d" % (5 + 2**32), "default", 5 + 2**32)
    r.rand(3)
    r.seed(5)        # same low 32 bits: same stream, different initial_seed
    r.rand(3)
    r.end()


def build():
    out = ["# PyTorch %s CPU generator fixtures, kernels: %s" % (torch.__version__, capability()),
           "# generated by tools/pytorch/gen_rng_fixtures.py; see that script for the format"]
    for i, seed in enumerate(SWEEP_SEEDS):
        # Keeps the fixture small: parameterised sweeps for half of the seeds are enough.
        sweep_cases(out, seed, with_params=i % 2 == 0)
        interleaved_case(out, seed, "generator")
        reseed_case(out, seed)
        mixed_case(out, seed, i)
    for i, seed in enumerate(EXTRA_SEEDS):
        interleaved_case(out, seed, "generator")
        mixed_case(out, seed, len(SWEEP_SEEDS) + i)
    interleaved_case(out, 0, "default")
    interleaved_case(out, 42, "default")
    special_cases(out)
    return out


def capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


def main():
    default_out = Path(__file__).resolve().parents[2] / "core/src/test/resources/fixtures/rng.txt"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out)
    args = parser.parse_args()
    if not torch.__version__.startswith("1.13"):
        sys.exit("expected PyTorch 1.13, found %s" % torch.__version__)
    if capability() != "AVX2":
        sys.exit("expected the AVX2 kernels, found %r (does this CPU have AVX2?)" % capability())
    lines = build()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    cases = sum(1 for line in lines if line.startswith("case "))
    print("wrote %d cases to %s" % (cases, args.out))


if __name__ == "__main__":
    main()
