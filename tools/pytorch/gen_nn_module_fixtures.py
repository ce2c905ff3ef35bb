#!/usr/bin/env python3
"""Writes the torch.nn module fixtures that ModulePyTorchTest and ResNetTest replay against Vectorgrad.

Every expected value is computed by real PyTorch 1.13 (+ torchvision). Run from the repository root
with the system python that has torch:

    /usr/bin/python3 tools/pytorch/gen_nn_module_fixtures.py [OUTPUT]

OUTPUT defaults to core/src/test/resources/fixtures/nn_modules.txt. Deterministic: layer cases draw
from a torch.Generator seeded with the CRC32 of the case name; init cases use torch.manual_seed.
The random kernels are pinned to AVX2 (what Vectorgrad's Generator reproduces).

File format: '#' lines are comments; blocks of tab-separated lines:
    layer   NAME  MODE                 MODE 'train' or 'eval'; the Java test builds the same module
    state   KEY  SHAPE  BITS           load_state_dict entry (every parameter and buffer)
    in      SHAPE  BITS                the input
    out     SHAPE  BITS                module(input)
    gout    SHAPE  BITS                the gradient given to out.backward
    gin     SHAPE  BITS                the input's gradient
    gparam  KEY  SHAPE  BITS           each parameter's gradient
    after   KEY  SHAPE  BITS           each buffer after the forward pass
    end
    init    NAME  SEED                 torch.manual_seed(SEED), then the module NAME is built
    entry   KIND  KEY  SHAPE  CRC  HEAD  state_dict() in order; KIND 'param' or 'buffer'; CRC the
                                       CRC32 of the float32 little-endian bytes; HEAD the first
                                       (up to) 8 values as BITS
    end
    resnet  NAME  SEED  BATCH  SIZE    torch.manual_seed(SEED); m = resnet18(num_classes); then
                                       x = torch.rand(BATCH, 3, SIZE, SIZE), labels = torch.rand(out shape);
                                       loss = (m(x) - labels).sum(); loss.backward();
                                       SGD(lr=0.01, momentum=0.9).step()
    classes N
    out     SHAPE  BITS                m(x) in training mode
    loss    BITS
    stat    KEY  SHAPE  SUM  ABSSUM  HEAD   after the step (params) / the forward (buffers):
                                       float64 sums of the values and of |values|, HEAD as above
    eval    SHAPE  BITS                m.eval()(x) after the step
    end
SHAPE is dims joined by 'x' ('-' for 0-d); BITS concatenated '%08x' float32 words ('-' if empty).
NOTE: num_batches_tracked is int64 in PyTorch; it is written here as float32 (Vectorgrad's buffer).
"""

import os
import struct
import sys
import zlib
from pathlib import Path

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torchvision  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = REPO_ROOT / "core/src/test/resources/fixtures/nn_modules.txt"


def f32(t):
    return t.detach().to(torch.float32).contiguous().reshape(-1)


def bits(t):
    return "".join("%08x" % struct.unpack("<I", struct.pack("<f", v))[0] for v in f32(t).tolist()) or "-"


def shape(t):
    return "x".join(str(s) for s in t.shape) or "-"


def crc(t):
    return "%08x" % zlib.crc32(f32(t).numpy().astype("<f4").tobytes())


# The Java side (ModulePyTorchTest.LAYERS) builds the same module for each name.
def layers():
    return [
        ("linear", "train", lambda: nn.Linear(5, 3), [4, 5]),
        ("linear_nobias_3d", "train", lambda: nn.Linear(4, 2, bias=False), [2, 3, 4]),
        ("linear_1d", "train", lambda: nn.Linear(3, 2), [3]),
        ("conv", "train", lambda: nn.Conv2d(3, 4, 3), [2, 3, 7, 6]),
        ("conv_stride_pad", "train", lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), [2, 2, 9, 8]),
        ("conv_dilation_nobias", "train", lambda: nn.Conv2d(2, 3, 3, stride=1, padding=2, dilation=2, bias=False),
         [1, 2, 7, 7]),
        ("conv_1x1_stride2", "train", lambda: nn.Conv2d(4, 2, 1, stride=2, bias=False), [2, 4, 5, 5]),
        ("conv_unbatched", "train", lambda: nn.Conv2d(2, 2, 2), [2, 5, 4]),
        ("batchnorm2d_train", "train", lambda: nn.BatchNorm2d(3), [4, 3, 3, 2]),
        ("batchnorm2d_eval", "eval", lambda: nn.BatchNorm2d(3), [2, 3, 2, 2]),
        ("batchnorm2d_momentum", "train", lambda: nn.BatchNorm2d(2, eps=1e-3, momentum=0.3), [3, 2, 2, 2]),
        ("batchnorm1d_2d", "train", lambda: nn.BatchNorm1d(4), [6, 4]),
        ("batchnorm1d_3d", "train", lambda: nn.BatchNorm1d(3), [2, 3, 5]),
        ("batchnorm1d_eval", "eval", lambda: nn.BatchNorm1d(4), [3, 4]),
        ("relu", "train", lambda: nn.ReLU(), [3, 4]),
        ("maxpool", "train", lambda: nn.MaxPool2d(2, 2), [2, 3, 6, 5]),
        ("maxpool_k3_s2_p1", "train", lambda: nn.MaxPool2d(3, 2, 1), [1, 2, 7, 8]),
        ("avgpool", "train", lambda: nn.AvgPool2d(2), [2, 2, 5, 6]),
        ("avgpool_k3_s2_p1", "train", lambda: nn.AvgPool2d(3, 2, 1), [1, 2, 7, 6]),
        ("adaptive_1", "train", lambda: nn.AdaptiveAvgPool2d(1), [2, 3, 5, 4]),
        ("adaptive_2", "train", lambda: nn.AdaptiveAvgPool2d(2), [1, 2, 5, 7]),
        ("flatten", "train", lambda: nn.Flatten(), [2, 3, 2, 2]),
        ("dropout_eval", "eval", lambda: nn.Dropout(0.5), [3, 4]),
        ("small_cnn", "train", lambda: nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(4, 6, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3)),
         [4, 3, 8, 8]),
    ]


def layer_case(out, name, mode, make, in_shape):
    gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    module = make()
    with torch.no_grad():
        # Values unlike any init, so a layer that ignores its loaded state fails.
        for key, t in module.state_dict().items():
            if key.endswith("num_batches_tracked"):
                t.fill_(3)
            elif key.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=gen))
    module.train(mode == "train")
    out.append("layer\t%s\t%s" % (name, mode))
    for key, t in module.state_dict().items():
        out.append("state\t%s\t%s\t%s" % (key, shape(t), bits(t)))
    x = torch.randn(in_shape, generator=gen).requires_grad_()
    y = module(x)
    g = torch.randn(y.shape, generator=gen)
    y.backward(g)
    out.append("in\t%s\t%s" % (shape(x), bits(x)))
    out.append("out\t%s\t%s" % (shape(y), bits(y)))
    out.append("gout\t%s\t%s" % (shape(g), bits(g)))
    out.append("gin\t%s\t%s" % (shape(x.grad), bits(x.grad)))
    for key, p in module.named_parameters():
        out.append("gparam\t%s\t%s\t%s" % (key, shape(p.grad), bits(p.grad)))
    for key, b in module.named_buffers():
        out.append("after\t%s\t%s\t%s" % (key, shape(b), bits(b)))
    out.append("end")


# The Java side (ModuleInitTest) builds the same modules, in the same order, after the same seed.
def init_cases():
    return [
        ("linear_5_3", 0, lambda: nn.Linear(5, 3)),
        ("linear_stack", 42, lambda: nn.Sequential(nn.Linear(7, 4), nn.Linear(4, 2, bias=False), nn.Linear(2, 1))),
        ("conv_mix", 3, lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(8, 2, 1, bias=False),
                                              nn.Conv2d(1, 1, 2), nn.BatchNorm2d(2), nn.Linear(3, 16))),
        ("conv_kaiming_normal_small", 9, conv_kaiming_normal_small),
        ("resnet18_10", 0, lambda: torchvision.models.resnet18(num_classes=10)),
    ]


def conv_kaiming_normal_small():
    """Fewer than 16 elements: normal_ takes PyTorch's scalar double path."""
    conv = nn.Conv2d(1, 2, 2)
    nn.init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
    return conv


def init_case(out, name, seed, make):
    torch.manual_seed(seed)
    module = make()
    named = dict(module.named_parameters())
    out.append("init\t%s\t%d" % (name, seed))
    for key, t in module.state_dict().items():
        kind = "param" if key in named else "buffer"
        out.append("entry\t%s\t%s\t%s\t%s\t%s" % (kind, key, shape(t), crc(t), bits(f32(t)[:8])))
    out.append("end")


STAT_KEYS = ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
             "layer1.0.conv1.weight", "layer2.0.downsample.0.weight", "layer3.1.bn2.bias",
             "layer4.1.conv2.weight", "layer4.1.bn2.running_var", "fc.weight", "fc.bias"]


def stat(out, key, t):
    v = f32(t).double()
    out.append("stat\t%s\t%s\t%r\t%r\t%s" % (key, shape(t), v.sum().item(), v.abs().sum().item(), bits(f32(t)[:8])))


def resnet_case(out, name, seed, batch, size, classes):
    torch.manual_seed(seed)
    model = torchvision.models.resnet18(num_classes=classes)
    x = torch.rand(batch, 3, size, size)
    labels = torch.rand(batch, classes)
    prediction = model(x)
    loss = (prediction - labels).sum()
    loss.backward()
    optim = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9, foreach=False)
    optim.step()
    out.append("resnet\t%s\t%d\t%d\t%d" % (name, seed, batch, size))
    out.append("classes\t%d" % classes)
    out.append("out\t%s\t%s" % (shape(prediction), bits(prediction)))
    out.append("loss\t%s" % bits(loss))
    state = model.state_dict()
    for key in STAT_KEYS:
        stat(out, key, state[key])
    model.eval()
    with torch.no_grad():
        y = model(x)
    out.append("eval\t%s\t%s" % (shape(y), bits(y)))
    out.append("end")


def main():
    if not torch.__version__.startswith("1.13"):
        sys.exit("expected PyTorch 1.13, found %s" % torch.__version__)
    torch.set_num_threads(1)
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    out = ["# PyTorch %s / torchvision %s torch.nn fixtures; generated by tools/pytorch/gen_nn_module_fixtures.py"
           % (torch.__version__, torchvision.__version__), "# (see that script for the format)"]
    for name, mode, make, in_shape in layers():
        layer_case(out, name, mode, make, in_shape)
    for name, seed, make in init_cases():
        init_case(out, name, seed, make)
    # Seed 004: a 1x3x64x64 image, 1000 classes; and a batch of 2 with 10 classes. NOTE: at 32x32 a
    # batch of 2 leaves batch norm 2 values per channel in layer4, so ill-conditioned that PyTorch in
    # float32 and float64 differ by 1e-2: the size is chosen so float rounding stays at float level.
    resnet_case(out, "seed004", 0, 1, 64, 1000)
    resnet_case(out, "batch2_classes10", 1, 2, 64, 10)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(out) + "\n")
    print("wrote %s" % output)


if __name__ == "__main__":
    main()
