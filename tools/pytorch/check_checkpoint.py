"""Loads a `vectorgrad train` checkpoint into the PyTorch model of the same name and evaluates it.

Usage (from the repository root):
  /usr/bin/python3 tools/pytorch/check_checkpoint.py runs/cnn.safetensors

The file is read with a small reader written here from the safetensors format description
(struct + json + numpy; Debian has no python3-safetensors), independent of Vectorgrad's code.
Uses `safetensors.torch.load_file` as well when that package is installed. Checks: the model's
state_dict loads with strict=True (same names and shapes), the optimizer's momentum buffers have
the parameters' shapes, and PyTorch's test accuracy matches the checkpoint's recorded one.
"""
import json
import struct
import sys

import numpy as np
import torch

from train_reference import build, evaluate, load


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, entry in header.items():
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data[begin:end], dtype="<f4").copy()
        tensors[name] = torch.from_numpy(values).reshape(entry["shape"])
    assert sum(t.numel() * 4 for t in tensors.values()) == len(data), "data section size"
    return tensors, metadata


def main():
    path = sys.argv[1]
    tensors, metadata = read_safetensors(path)
    try:
        from safetensors.torch import load_file
        official = load_file(path)
        assert official.keys() == tensors.keys() and all(torch.equal(official[k], tensors[k]) for k in tensors)
        print("safetensors.torch.load_file agrees with the reader here")
    except ImportError:
        print("(safetensors not installed; used the reader here only)")
    options = json.loads(metadata["options"])
    history = json.loads(metadata["history"])
    print(f"{path}: format {metadata['format']}, epoch {metadata['epoch']}, options {options}")

    model = build(options["model"])
    state = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    model.load_state_dict(state, strict=True)
    params = list(model.parameters())
    for i, p in enumerate(params):
        buffer = tensors.get(f"optimizer.state.{i}.momentum_buffer")
        assert buffer is None or buffer.shape == p.shape, (i, buffer.shape, p.shape)
    print(f"model state_dict loads strictly ({len(state)} tensors); optimizer buffers fit the {len(params)} parameters")

    limit = options["test_limit"] if options["test_limit"] < 2**31 - 1 else None
    x_test, y_test = load("test", "/usr/share/datasets/fashion-mnist", limit)
    accuracy = evaluate(model, options["model"], x_test, y_test)
    recorded = history[-1]["test_accuracy"]
    print(f"test accuracy in PyTorch {100 * accuracy:.2f}%, recorded by Vectorgrad {100 * recorded:.2f}%")
    assert abs(accuracy - recorded) <= 0.002, "accuracies differ by more than 0.2 points"
    print("OK")


if __name__ == "__main__":
    main()
