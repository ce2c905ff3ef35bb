package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.nn.models.ResNet;

/**
 * A {@link Sequential} of built-in layers leases its intermediate activations
 * ({@link ActivationLease}): once a backward pass has freed the graph, their buffers return to
 * the pool. The oracles: the pool's size (the activations come back, exactly), and tensors the
 * caller can reach staying bit-identical while later allocations take every pooled buffer.
 * Sizes are above {@link BufferPool#MIN_LENGTH}, where recycling happens.
 */
class ActivationLeaseTest {
    private static final int BATCH = 67;
    private static final int WIDTH = 509; // BATCH·WIDTH = 34,103 floats: one size no other test pools

    private static Sequential mlp() {
        Tensor.manualSeed(3);
        return new Sequential(new Linear(WIDTH, WIDTH), new ReLU(), new Linear(WIDTH, 10));
    }

    /** Allocates and fills many results of the activations' size, which would overwrite any wrongly pooled buffer. */
    private static void churn() {
        churn(BATCH, WIDTH);
    }

    private static void churn(int... shape) {
        Tensor source = Tensor.randn(shape);
        for (int i = 0; i < 8; i++) {
            source.mul(-1000f - i).exp();
        }
    }

    @Test
    void intermediatesReturnToThePoolOnceTheGraphIsFreed() {
        Sequential model = mlp();
        Tensor out = model.forward(Tensor.randn(BATCH, WIDTH).requiresGrad(true));
        Node head = out.edge();
        assertNotNull(head.lease);
        long before = BufferPool.pooledFloats();
        out.sum().backward();
        assertNull(head.lease);
        // Linear's and ReLU's outputs at least (gradients of their size may come back too).
        assertTrue(BufferPool.pooledFloats() - before >= 2L * BATCH * WIDTH);
    }

    @Test
    void nothingIsLeasedPastAHookOrWithoutGrad() {
        Sequential model = mlp();
        model.get(1).registerForwardHook((module, input, output) -> output);
        assertNull(model.forward(Tensor.randn(BATCH, WIDTH).requiresGrad(true)).edge().lease);
        Sequential other = mlp();
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            assertNull(other.forward(Tensor.randn(BATCH, WIDTH)).edge());
        }
    }

    @Test
    void trainingMatchesAModelThatLeasesNothing() {
        Tensor x = Tensor.randn(BATCH, WIDTH);
        Sequential leasing = mlp();
        Sequential plain = mlp();
        plain.get(1).registerForwardHook((module, input, output) -> output);
        for (int step = 0; step < 3; step++) {
            float[] a = stepOf(leasing, x);
            float[] b = stepOf(plain, x);
            assertArrayEquals(b, a, "step " + step);
        }
        assertArrayEquals(plain.get(0).parameters().get(0).grad().toArray(),
                leasing.get(0).parameters().get(0).grad().toArray());
    }

    private static float[] stepOf(Sequential model, Tensor x) {
        for (Tensor p : model.parameters()) {
            p.setGrad(null);
        }
        Tensor out = model.forward(x);
        out.relu().sum().backward();
        churn();
        for (Tensor p : model.parameters()) {
            try (Autograd.Guard ignored = Autograd.noGrad()) {
                p.addInPlace(p.grad(), -0.01f);
            }
        }
        return out.toArray();
    }

    @Test
    void anActivationSeenByAForwardHookStaysIntact() {
        Sequential model = mlp();
        List<Tensor> seen = new ArrayList<>();
        model.get(1).registerForwardHook((module, input, output) -> {
            seen.add(output);
            return output;
        });
        model.forward(Tensor.randn(BATCH, WIDTH).requiresGrad(true)).sum().backward();
        float[] copy = seen.get(0).toArray();
        churn();
        assertArrayEquals(copy, seen.get(0).toArray());
    }

    /**
     * A ReLU after a linear layer writes over that layer's output only when nothing else can see
     * it: a hook on the linear layer keeps the values it saw (negative ones included), equal to
     * the layer applied on its own.
     */
    @Test
    void aLinearOutputSeenByAHookIsNotOverwrittenByTheReLU() {
        Sequential model = mlp();
        Tensor x = Tensor.randn(BATCH, WIDTH).requiresGrad(true);
        List<Tensor> seen = new ArrayList<>();
        model.get(0).registerForwardHook((module, input, output) -> {
            seen.add(output);
            return output;
        });
        model.forward(x).sum().backward();
        float[] expected = model.get(0).forward(x).toArray();
        assertArrayEquals(expected, seen.get(0).toArray());
        float min = Float.MAX_VALUE;
        for (float v : expected) {
            min = Math.min(min, v);
        }
        assertTrue(min < 0f, "the linear output has negative values for ReLU to clear");
    }

    /**
     * A hook two levels down (on layer1's last block) sees ResNet's own intermediate, the stage's
     * output: nothing of the forward it watched is leased.
     */
    @Test
    void aHookBelowAChildKeepsWhatItSawIntact() {
        Tensor.manualSeed(5);
        ResNet model = ResNet.resnet18(10);
        List<Tensor> seen = new ArrayList<>();
        model.namedModules().get("layer1.1").registerForwardHook((module, input, output) -> {
            seen.add(output);
            return output;
        });
        model.forward(Tensor.randn(2, 3, 64, 64).requiresGrad(true)).sum().backward();
        float[] copy = seen.get(0).toArray();
        churn(seen.get(0).shape());
        assertArrayEquals(copy, seen.get(0).toArray());
    }

    /** Flatten last: the output is a view of the layer before's output, whose buffer is never leased. */
    @Test
    void anOutputSharingAnIntermediatesBufferStaysIntact() {
        Tensor.manualSeed(4);
        Sequential model = new Sequential(new Linear(WIDTH, WIDTH), new ReLU(), new Flatten(0, 1));
        Tensor out = model.forward(Tensor.randn(BATCH, WIDTH).requiresGrad(true));
        float[] copy = out.toArray();
        out.sum().backward();
        churn();
        assertArrayEquals(copy, out.toArray());
    }

    @Test
    void aRetainedGraphKeepsItsActivations() {
        Sequential model = mlp();
        Tensor x = Tensor.randn(BATCH, WIDTH).requiresGrad(true);
        Tensor loss = model.forward(x).relu().sum();
        loss.backward(Tensor.scalar(1f), true);
        float[] once = x.grad().toArray();
        churn();
        loss.backward(Tensor.scalar(1f), true);
        float[] twice = x.grad().toArray();
        for (int i = 0; i < once.length; i++) {
            assertEquals(once[i] + once[i], twice[i], "element " + i);
        }
    }

    @Test
    void aFreedGraphStillRefusesASecondBackward() {
        Sequential model = mlp();
        Tensor loss = model.forward(Tensor.randn(BATCH, WIDTH).requiresGrad(true)).sum();
        loss.backward();
        churn();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertEquals(Node.SECOND_BACKWARD, e.getMessage());
    }
}
