package org.vectorgrad.nn.models;

import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.BatchNorm2d;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/** torchvision's ResNet BasicBlock: two 3×3 conv-BN pairs and a shortcut (projected when the shape changes). */
public final class BasicBlock extends Module {
    static final int EXPANSION = 1;

    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Sequential downsample;

    BasicBlock(int inPlanes, int planes, int stride, Sequential downsample, Generator generator) {
        conv1 = registerModule("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, 1, false, generator));
        bn1 = registerModule("bn1", new BatchNorm2d(planes));
        relu = registerModule("relu", new ReLU());
        conv2 = registerModule("conv2", new Conv2d(planes, planes, 3, 1, 1, 1, false, generator));
        bn2 = registerModule("bn2", new BatchNorm2d(planes));
        this.downsample = downsample == null ? null : registerModule("downsample", downsample);
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor out = relu.call(bn1.call(conv1.call(x)));
        out = bn2.call(conv2.call(out));
        Tensor identity = downsample == null ? x : downsample.call(x);
        return relu.call(out.add(identity));
    }
}
