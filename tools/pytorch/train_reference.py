"""PyTorch reference for `./vectorgrad train`: the same models, data order, normalisation and
optimizer, timed per epoch on this machine.

Usage (from the repository root):
  /usr/bin/python3 tools/pytorch/train_reference.py --model cnn --epochs 3 --threads 2
The data comes from Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist); no
download. Epoch e visits the training set in torch.randperm(n) order from a generator seeded
with seed + e, exactly as Vectorgrad's DataLoader does.
"""
import argparse
import gzip
import struct
import time

import numpy as np
import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"
MEAN, STD = 0.2860, 0.3530


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    zero, dtype, rank = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split, data_dir, limit=None):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(f"{data_dir}/{prefix}-images-idx3-ubyte.gz")
    labels = read_idx(f"{data_dir}/{prefix}-labels-idx1-ubyte.gz")
    if limit:
        images, labels = images[:limit], labels[:limit]
    x = (torch.from_numpy(images.astype(np.float32)) / 255.0 - MEAN) / STD
    return x.unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def build(name):
    """The architectures of org.vectorgrad.cli.Models, with the same state_dict names."""
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "resnet18":
        import torchvision
        return torchvision.models.resnet18(num_classes=10)
    raise SystemExit(f"unknown model {name}")


def model_input(name, x):
    return x.expand(-1, 3, -1, -1) if name == "resnet18" else x


def evaluate(model, name, x, y, batch_size=100):  # the CLI's eval batch (TrainingRun.EVAL_BATCH)
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), batch_size):
            logits = model(model_input(name, x[i:i + batch_size]))
            correct += (logits.argmax(1) == y[i:i + batch_size]).sum().item()
    return correct / len(y)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="cnn", choices=["mlp", "cnn", "resnet18"])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--lr-schedule", default="cosine", choices=["cosine", "constant"],
                   help="cosine: CosineAnnealingLR(T_max=epochs), stepped after every epoch")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=None, help="train on the first N samples")
    p.add_argument("--data-dir", default=DATA_DIR)
    args = p.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train = load("train", args.data_dir, args.limit)
    x_test, y_test = load("test", args.data_dir)
    model = build(args.model)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs) \
        if args.lr_schedule == "cosine" else None
    n = len(y_train)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, model {args.model}, "
          f"{sum(p.numel() for p in model.parameters())} parameters, {n} training samples")
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed + epoch))
        start = time.perf_counter()
        total = 0.0
        for i in range(0, n, args.batch_size):
            idx = order[i:i + args.batch_size]
            loss = nn.functional.cross_entropy(model(model_input(args.model, x_train[idx])), y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - start
        if schedule:
            schedule.step()
        accuracy = evaluate(model, args.model, x_test, y_test)
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {total / n:.4f}, test accuracy {100 * accuracy:.2f}%, "
              f"{seconds:.1f} s, {n / seconds:.0f} samples/s", flush=True)


if __name__ == "__main__":
    main()
