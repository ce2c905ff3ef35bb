#!/usr/bin/env python3
"""The PyTorch side of `./vectorgrad bench --compare`.

Runs the workloads of the JMH suite (bench/src/main/java/org/vectorgrad/bench/) in PyTorch and
prints one JSON document: the machine, the timing settings and, per workload and thread count,
the median time per operation. Workloads carry the JMH benchmark name and parameters of their
Vectorgrad twin, so the Java side can match them row by row.

Timing mirrors JMH's average-time mode: warm up for a while, then several timed runs of a fixed
duration, each giving (elapsed time / calls); the reported value is the median of the runs.

Usage (from the repository root; Debian's torch is only on /usr/bin/python3):
    /usr/bin/python3 tools/pytorch/bench_torch.py [--quick] [--filter REGEX] [--output FILE]
    /usr/bin/python3 tools/pytorch/bench_torch.py --list > bench/src/test/resources/torch-workloads.jsonl
The --list output (no timing, deterministic) is the fixture CompareSuiteTest holds the JMH suite
against, so the two sides cannot drift apart unnoticed.
"""
import argparse
import json
import os
import platform
import re
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

PACKAGE = "org.vectorgrad.bench."
THREADS = (1, 2)
# The @Param values of the Java benchmarks, in the same spelling.
MATMUL_SHAPES = ("64", "128", "256", "512", "1024", "2048", "64x784x256", "256x784x256")
ELEMENTWISE_OPS = ("add", "mul", "exp", "tanh", "relu")
ELEMENTWISE_SIZES = ("1M", "16M")
SUM_SIZES = ("16M",)
MLP_BATCHES = ("64", "256")
MLP_LEARNING_RATE = 0.001
MLP_MOMENTUM = 0.9
CONV_NETS = ("cnn", "resnet18")
SEED_PHASES = ("cold", "shift")
SEED_ITERATIONS = 20_000


def parse_count(text):
    """BenchData.parseCount: 1024, 64K (x 2^10) or 16M (x 2^20)."""
    shift = {"K": 10, "M": 20}.get(text[-1].upper(), 0)
    return int(text[:-1] if shift else text) << shift


def matmul_dims(text):
    """MatmulShape.parse: "N" (square) or "MxKxN"."""
    parts = [int(p) for p in text.split("x")]
    return (parts[0], parts[0], parts[0]) if len(parts) == 1 else tuple(parts)


def matmul(params):
    m, k, n = matmul_dims(params["shape"])
    a, b = torch.randn(m, k), torch.randn(k, n)
    return lambda: torch.mm(a, b)


def elementwise_tensor(params):
    n = parse_count(params["size"])
    a, b = torch.randn(n), torch.randn(n)
    return {
        "add": lambda: torch.add(a, b),
        "mul": lambda: torch.mul(a, b),
        "exp": lambda: torch.exp(a),
        "tanh": lambda: torch.tanh(a),
        "relu": lambda: torch.relu(a),
    }[params["op"]]


def elementwise_out(params):
    n = parse_count(params["size"])
    a, b, c = torch.randn(n), torch.randn(n), torch.empty(n)
    return {
        "add": lambda: torch.add(a, b, out=c),
        "mul": lambda: torch.mul(a, b, out=c),
        "exp": lambda: torch.exp(a, out=c),
        "tanh": lambda: torch.tanh(a, out=c),
        # torch.relu has no out= form; clamp(min=0) is the same function through the same kind of kernel.
        "relu": lambda: torch.clamp(a, min=0, out=c),
    }[params["op"]]


def reduction_sum(params):
    a = torch.randn(parse_count(params["size"]))
    return lambda: torch.sum(a)


def seed_graph(params):
    a = torch.tensor([2.0, 3.0], requires_grad=True)
    b = torch.tensor([6.0, 4.0], requires_grad=True)

    def step():
        a.grad = None
        b.grad = None
        q = 3 * a**3 - b**2
        q.sum().backward()

    return step


def cold_seed_graph(params):
    """ColdSeedGraphBenchmark: one timed batch of 20k seed-graph iterations. PyTorch has no JIT, so
    `cold` runs after nothing and `shift` after a few seconds of 1M-element forward+backward work
    (the same phase the Java side runs); both are still single shots, marked by "single_shot"."""
    step = seed_graph(params)
    if params["phase"] == "shift":
        x = torch.randn(1 << 20, requires_grad=True)
        y = torch.randn(1 << 20, requires_grad=True)
        end = time.perf_counter() + 3.0
        while time.perf_counter() < end:
            x.grad = None
            y.grad = None
            q = 3 * x**3 - y**2 + (x * y).exp().relu()
            q.sum().backward()

    def batch():
        for _ in range(SEED_ITERATIONS):
            step()

    batch.single_shot = SEED_ITERATIONS
    return batch


def sgd_step(model, x, y):
    """One training step as TrainingSteps.step runs it: zero the gradients, forward, cross-entropy, backward, update."""
    optimizer = torch.optim.SGD(model.parameters(), lr=MLP_LEARNING_RATE, momentum=MLP_MOMENTUM)

    def step():
        # set_to_none matches Vectorgrad's zeroGrad (and PyTorch 2's default).
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    return step


def training_step(params):
    batch = int(params["batch"])
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return sgd_step(model, torch.randn(batch, 784), torch.randint(0, 10, (batch,)))


def conv_net(name):
    """ConvNetStepBenchmark's models: the CNN of ./vectorgrad train, or torchvision's ResNet-18."""
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10)), (64, 1, 28, 28), 10
    import torchvision
    return torchvision.models.resnet18(), (16, 3, 64, 64), 1000


def conv_net_step(params):
    model, shape, classes = conv_net(params["model"])
    return sgd_step(model, torch.randn(*shape), torch.randint(0, classes, (shape[0],)))


def workloads():
    """(JMH benchmark name, params, builder) in the order JMH runs them."""
    yield "AutogradBenchmark.seedGraph", {}, seed_graph
    for method, builder in (("out", elementwise_out), ("tensor", elementwise_tensor)):
        for op in ELEMENTWISE_OPS:
            for size in ELEMENTWISE_SIZES:
                yield "ElementwiseBenchmark." + method, {"op": op, "size": size}, builder
    for shape in MATMUL_SHAPES:
        yield "MatmulBenchmark.matmul", {"shape": shape}, matmul
    for size in SUM_SIZES:
        yield "ReductionBenchmark.sum", {"size": size}, reduction_sum
    for batch in MLP_BATCHES:
        yield "TrainingStepBenchmark.step", {"batch": batch}, training_step
    for model in CONV_NETS:
        yield "ConvNetStepBenchmark.step", {"model": model}, conv_net_step
    for phase in SEED_PHASES:
        yield "ColdSeedGraphBenchmark.seedGraph", {"phase": phase}, cold_seed_graph


def time_calls(fn, warmup_seconds, runs, run_seconds):
    """Seconds per call of each timed run, after warming up (every phase calls fn at least once)."""
    deadline = time.perf_counter() + warmup_seconds
    fn()
    while time.perf_counter() < deadline:
        fn()
    per_call = []
    for _ in range(runs):
        calls, start = 0, time.perf_counter()
        deadline = start + run_seconds
        while True:
            fn()
            calls += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        per_call.append((now - start) / calls)
    return per_call


def cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loaded_blas():
    """The BLAS libraries mapped into this process (after a matmul has loaded them)."""
    torch.mm(torch.ones(8, 8), torch.ones(8, 8))
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line}
        return sorted(paths)
    except OSError:
        return []


def blas_summary(paths):
    """The BLAS doing torch's matmuls, e.g. openblas-openmp/libopenblasp-r0.3.21.so."""
    openblas = [p for p in paths if os.path.basename(p).startswith("libopenblas")]
    shown = openblas or paths
    return ", ".join(os.path.basename(os.path.dirname(p)) + "/" + os.path.basename(p) for p in shown) or "none loaded"


def machine():
    config = torch.__config__.show()
    capability = re.search(r"CPU capability usage: (\S+)", config)
    return {
        "cpu": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_cpu_capability": capability.group(1) if capability else "unknown",
        "torch_default_threads": torch.get_num_threads(),
        "blas": blas_summary(loaded_blas()),
        "torch_config": config,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="very short timing, for a smoke test")
    parser.add_argument("--filter", default="", help="regex searched in the full JMH benchmark name")
    parser.add_argument("--output", help="write the JSON here instead of standard output")
    parser.add_argument("--list", action="store_true", help="print the workloads, one JSON line each, and exit")
    args = parser.parse_args()
    pattern = re.compile(args.filter)
    if args.list:
        for name, params, _ in workloads():
            if pattern.search(PACKAGE + name):
                for threads in THREADS:
                    print(json.dumps({"benchmark": PACKAGE + name, "params": params, "threads": threads}))
        return
    warmup, runs, run_seconds = (0.1, 3, 0.1) if args.quick else (2.0, 5, 0.6)
    info = machine()
    if "openblas" not in info["blas"]:
        print("bench_torch: PyTorch is not using OpenBLAS, so its matmul is ~20x slower than it should be;"
              " install it: apt-get install -y libopenblas0-openmp", file=sys.stderr)
    results = []
    for name, params, builder in workloads():
        benchmark = PACKAGE + name
        if not pattern.search(benchmark):
            continue
        for threads in THREADS:
            torch.set_num_threads(threads)
            torch.manual_seed(0)
            fn = builder(params)
            iterations = getattr(fn, "single_shot", 0)
            if iterations:
                start = time.perf_counter()
                fn()
                per_call = [(time.perf_counter() - start) / iterations]
            else:
                per_call = time_calls(fn, warmup, runs, run_seconds)
            median = statistics.median(per_call)
            print(f"bench_torch: {name} {params} threads={threads}: {median * 1e6:.1f} us", file=sys.stderr)
            results.append({"benchmark": benchmark, "params": params, "threads": threads,
                            "seconds_per_op": median, "runs": per_call})
    document = {"machine": info,
                "settings": {"warmup_seconds": warmup, "runs": runs, "run_seconds": run_seconds},
                "results": results}
    text = json.dumps(document, indent=2)
    if args.output:
        with open(args.output, "w") as out:
            out.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
