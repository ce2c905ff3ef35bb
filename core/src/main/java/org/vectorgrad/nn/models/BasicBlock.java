package org.vectorgrad.nn.models;

import java.util.List;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;
import org.vectorgrad.nn.BatchNorm2d;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/** torchvision's ResNet BasicBlock: two 3×3 conv-BN pairs and a shortcut (projected when the shape changes). */
public final class BasicBlock extends Module {
    static final int EXPANSION = 1;
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();

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
        long since = INTERNALS.nextNodeSequence();
        Tensor c1 = conv1.call(x);
        Tensor b1 = bn1.call(c1);
        Tensor r1 = relu.call(b1);
        Tensor c2 = conv2.call(r1);
        Tensor b2 = bn2.call(c2);
        Tensor identity = downsample == null ? x : downsample.call(x);
        Tensor sum = b2.add(identity);
        Tensor out = relu.call(sum);
        // Seen by the graph alone (unless a hook watches): recycled once a backward pass freed the block's nodes.
        INTERNALS.leaseActivations(this, x, List.of(c1, b1, r1, c2, b2, identity, sum), out, since);
        return out;
    }
}
