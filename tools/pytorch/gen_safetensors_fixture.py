"""Writes a safetensors file with PyTorch tensors, independently of Vectorgrad's writer.

The layout follows the published format (and the reference implementation's choices: tensors
ordered by name within one dtype, header padded with spaces to 8 bytes), so SafetensorsTest can
check that Vectorgrad reads what other tools write. Deterministic: reruns are byte-identical.
Run from the repository root:  /usr/bin/python3 tools/pytorch/gen_safetensors_fixture.py
"""
import json
import struct

import torch

OUT = "core/src/test/resources/fixtures/safetensors/pytorch-written.safetensors"


def write(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].contiguous().to(torch.float32)
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def main():
    tensors = {
        # Values SafetensorsTest recomputes: arange / 8 - 1 reshaped, a scalar, an empty tensor.
        "conv.weight": (torch.arange(2 * 1 * 3 * 3, dtype=torch.float32) / 8 - 1).reshape(2, 1, 3, 3),
        "conv.bias": torch.tensor([0.5, -0.25]),
        "scale": torch.tensor(3.0),
        "empty": torch.zeros(0, 4),
        "fc.weight": torch.tensor([[1e-30, -2.5e30, float("inf")], [float("-inf"), 0.0, -0.0]]),
    }
    write(OUT, tensors, {"written_by": "torch", "note": "ünïcödé ✓"})


if __name__ == "__main__":
    main()
