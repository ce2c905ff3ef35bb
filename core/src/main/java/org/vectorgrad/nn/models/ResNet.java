package org.vectorgrad.nn.models;

import java.util.ArrayList;
import java.util.List;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.internal.SharedSecrets;
import org.vectorgrad.internal.TensorInternals;
import org.vectorgrad.nn.AdaptiveAvgPool2d;
import org.vectorgrad.nn.BatchNorm;
import org.vectorgrad.nn.BatchNorm2d;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Init;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/**
 * torchvision's ResNet (BasicBlock variant): the same modules, parameter names, construction order
 * and initialisation, so after the same {@code manualSeed} the weights equal torchvision's bit for bit.
 */
public final class ResNet extends Module {
    private static final TensorInternals INTERNALS = SharedSecrets.tensorInternals();
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final ReLU relu;
    private final MaxPool2d maxpool;
    private final Sequential[] layers = new Sequential[4];
    private final AdaptiveAvgPool2d avgpool;
    private final Linear fc;
    private int inPlanes = 64;

    private ResNet(int[] blocks, int numClasses, Generator generator) {
        conv1 = registerModule("conv1", new Conv2d(3, 64, 7, 2, 3, 1, false, generator));
        bn1 = registerModule("bn1", new BatchNorm2d(64));
        relu = registerModule("relu", new ReLU());
        maxpool = registerModule("maxpool", new MaxPool2d(3, 2, 1));
        for (int i = 0; i < 4; i++) {
            layers[i] = registerModule("layer" + (i + 1), makeLayer(64 << i, blocks[i], i == 0 ? 1 : 2, generator));
        }
        avgpool = registerModule("avgpool", new AdaptiveAvgPool2d(1));
        fc = registerModule("fc", new Linear(512 * BasicBlock.EXPANSION, numClasses, generator));
        // torchvision re-initialises after construction, in module order; the defaults drawn above
        // still consumed the generator, exactly as in PyTorch.
        for (Module module : namedModules().values()) {
            if (module instanceof Conv2d conv) {
                Init.kaimingNormalFanOutRelu(conv.weight(), generator);
            } else if (module instanceof BatchNorm norm) {
                Init.constant(norm.weight(), 1f);
                Init.constant(norm.bias(), 0f);
            }
        }
    }

    /** torchvision's {@code resnet18(num_classes=numClasses)}, randomly initialised (no pretrained weights). */
    public static ResNet resnet18(int numClasses) {
        return resnet18(numClasses, Generator.defaultGenerator());
    }

    /**
     * {@link #resnet18(int)} with every initial weight drawn from {@code generator}: the same bits as
     * {@code resnet18(numClasses)} right after {@code manualSeed(s)} when {@code generator} is a
     * fresh {@code new Generator(s)}.
     */
    public static ResNet resnet18(int numClasses, Generator generator) {
        if (numClasses <= 0) {
            throw new IllegalArgumentException("resnet18: numClasses must be positive, got " + numClasses);
        }
        if (generator == null) {
            throw new IllegalArgumentException("resnet18: generator must not be null");
        }
        return new ResNet(new int[] {2, 2, 2, 2}, numClasses, generator);
    }

    private Sequential makeLayer(int planes, int blocks, int stride, Generator generator) {
        Sequential downsample = null;
        if (stride != 1 || inPlanes != planes * BasicBlock.EXPANSION) {
            downsample = new Sequential(
                    new Conv2d(inPlanes, planes * BasicBlock.EXPANSION, 1, stride, 0, 1, false, generator),
                    new BatchNorm2d(planes * BasicBlock.EXPANSION));
        }
        Sequential layer = new Sequential(new BasicBlock(inPlanes, planes, stride, downsample, generator));
        inPlanes = planes * BasicBlock.EXPANSION;
        for (int i = 1; i < blocks; i++) {
            layer.add(new BasicBlock(inPlanes, planes, 1, null, generator));
        }
        return layer;
    }

    @Override
    public Tensor forward(Tensor x) {
        long since = INTERNALS.nextNodeSequence();
        List<Tensor> intermediates = new ArrayList<>();
        Tensor out = x;
        for (Module stage : new Module[] {conv1, bn1, relu, maxpool, layers[0], layers[1], layers[2], layers[3],
            avgpool}) {
            out = stage.call(out);
            intermediates.add(out);
        }
        Tensor flat = out.reshape(out.shape()[0], -1);
        intermediates.add(flat);
        Tensor logits = fc.call(flat);
        // Seen by the graph alone (unless a hook watches): recycled once a backward pass freed the graph.
        INTERNALS.leaseActivations(this, x, intermediates, logits, since);
        return logits;
    }
}
