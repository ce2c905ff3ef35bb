package org.vectorgrad.cli;

import java.util.Arrays;
import java.util.Locale;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.FashionMnist;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.nn.models.ResNet;

/**
 * The models {@code vectorgrad train} can train on Fashion-MNIST. Their state_dict names match
 * the PyTorch definitions in tools/pytorch/train_reference.py, so a checkpoint loads there.
 */
enum ModelKind {
    /** 784-256-128-10 with ReLUs. */
    MLP(DataLoader.InputShape.FLAT),
    /** (conv3x3-relu-maxpool2) ×2 with 16 and 32 channels, then 1568-128-10 with a ReLU. */
    CNN(DataLoader.InputShape.IMAGE),
    /** torchvision's ResNet-18 on the grey channel repeated three times. */
    RESNET18(DataLoader.InputShape.IMAGE_RGB);

    private final DataLoader.InputShape inputShape;

    ModelKind(DataLoader.InputShape inputShape) {
        this.inputShape = inputShape;
    }

    DataLoader.InputShape inputShape() {
        return inputShape;
    }

    /** A freshly initialised model, drawing its initial weights from the default generator. */
    Module build() {
        int side = FashionMnist.SIDE;
        return switch (this) {
            case MLP -> new Sequential(new Flatten(), new Linear(side * side, 256), new ReLU(), new Linear(256, 128),
                    new ReLU(), new Linear(128, FashionMnist.CLASSES));
            case CNN -> new Sequential(
                    new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                    new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                    new Flatten(), new Linear(32 * (side / 4) * (side / 4), 128), new ReLU(),
                    new Linear(128, FashionMnist.CLASSES));
            case RESNET18 -> ResNet.resnet18(FashionMnist.CLASSES);
        };
    }

    /** The option spelling: {@code mlp}, {@code cnn}, {@code resnet18}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    static ModelKind parse(String text) {
        for (ModelKind kind : values()) {
            if (kind.toString().equalsIgnoreCase(text.strip())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown model '" + text + "'; expected one of " + Arrays.toString(values()));
    }
}
