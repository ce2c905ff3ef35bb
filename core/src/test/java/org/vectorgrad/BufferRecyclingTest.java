package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.vectorgrad.nn.Conv2d;
import org.vectorgrad.nn.Flatten;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.MaxPool2d;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.nn.models.ResNet;
import org.vectorgrad.optim.SGD;

/**
 * The engine recycles the buffers of gradients it has consumed ({@link BufferPool}). The oracle
 * is plain allocation: with recycling on, every value must equal the run with it off, bit for
 * bit, and no tensor the caller can reach may change afterwards. Sizes are above
 * {@link BufferPool#MIN_LENGTH}, where recycling happens.
 */
class BufferRecyclingTest {
    private static final int LARGE = 3 * BufferPool.MIN_LENGTH + 5;

    @AfterEach
    void recyclingBackOn() {
        BufferPool.setEnabled(true);
    }

    /** Takes every pooled buffer of LARGE floats out, so that no test sees one an earlier test left. */
    @BeforeEach
    void noLargeBufferPooled() {
        long pooled = BufferPool.pooledFloats();
        while (true) {
            BufferPool.forOverwrite(LARGE);
            if (BufferPool.pooledFloats() == pooled) {
                return;
            }
            pooled = BufferPool.pooledFloats();
        }
    }

    @Test
    void consumedGradientsReturnToThePoolAndAreReused() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        long before = BufferPool.pooledFloats();
        x.mul(2f).exp().mul(x).sum().backward();
        long after = BufferPool.pooledFloats();
        assertTrue(after >= before + LARGE, "pool grew from " + before + " to " + after);
        Tensor reused = x.detach().mul(3f);
        assertEquals(after - LARGE, BufferPool.pooledFloats());
        assertArrayEquals(map(x.toArray(), v -> v * 3f), reused.toArray());
    }

    @Test
    void convNetTrainingIsBitIdenticalWithAndWithoutRecycling() {
        Supplier<Module> cnn = () -> new Sequential(new Conv2d(1, 8, 3, 1, 1), new ReLU(), new MaxPool2d(2, 2),
                new Flatten(), new Linear(8 * 14 * 14, 10));
        assertTrainingMatches(cnn, new int[] {24, 1, 28, 28});
    }

    /** ResNet-18 leases the activations of its stem and blocks (ActivationLease): steps after the first reuse them. */
    @Test
    void resNetTrainingIsBitIdenticalWithAndWithoutRecycling() {
        assertTrainingMatches(() -> ResNet.resnet18(10), new int[] {4, 3, 40, 40});
    }

    @Test
    void residualFanOutTrainingIsBitIdenticalWithAndWithoutRecycling() {
        Supplier<Module> residual = () -> new Module() {
            private final Linear first = registerModule("first", new Linear(256, 256));
            private final Linear second = registerModule("second", new Linear(256, 10));

            @Override
            public Tensor forward(Tensor x) {
                Tensor h = first.forward(x).relu();
                // h is used three times, once through a view: its gradient buffers are shared and summed.
                Tensor mixed = h.add(x).mul(h).add(h.t().t().exp().mul(0.01f));
                return second.forward(mixed);
            }
        };
        assertTrainingMatches(residual, new int[] {96, 256});
    }

    private static void assertTrainingMatches(Supplier<Module> model, int[] inputShape) {
        List<float[]> plain = train(model, inputShape, false);
        List<float[]> recycled = train(model, inputShape, true);
        assertEquals(plain.size(), recycled.size());
        for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i), recycled.get(i), "value " + i);
        }
    }

    /** Losses of 4 SGD-momentum steps, then every parameter and gradient. */
    private static List<float[]> train(Supplier<Module> build, int[] inputShape, boolean recycling) {
        BufferPool.setEnabled(recycling);
        Tensor.manualSeed(7);
        Module model = build.get();
        Tensor inputs = Tensor.randn(inputShape);
        int[] labels = new int[inputShape[0]];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 7) % 10;
        }
        SGD optimizer = new SGD(model.parameters(), 0.05f, 0.9f);
        List<float[]> values = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            optimizer.zeroGrad();
            Tensor loss = Functional.crossEntropy(model.forward(inputs), labels);
            loss.backward();
            optimizer.step();
            values.add(loss.toArray());
        }
        for (Tensor p : model.parameters()) {
            values.add(p.toArray());
            values.add(p.grad().toArray());
        }
        return values;
    }

    private static float[] map(float[] values, java.util.function.DoubleUnaryOperator f) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) f.applyAsDouble(values[i]);
        }
        return out;
    }

    /** Allocates and fills many same-sized results, which would overwrite any wrongly pooled buffer. */
    private static void churn(Tensor like) {
        Tensor source = like.detach();
        for (int i = 0; i < 8; i++) {
            source.mul(-1000f - i).exp();
        }
    }

    @Test
    void aGradientPassedToBackwardIsNeverRecycled() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor gradient = Tensor.randn(LARGE);
        float[] expected = gradient.toArray();
        x.mul(2f).mul(x).backward(gradient);
        churn(x);
        assertArrayEquals(expected, gradient.toArray());
    }

    @Test
    void gradientsSeenByHooksStayIntact() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor h = x.mul(3f);
        List<Tensor> seen = new ArrayList<>();
        List<float[]> copies = new ArrayList<>();
        h.registerHook(grad -> {
            Tensor derived = grad.mul(2f);
            seen.add(grad);
            seen.add(derived);
            copies.add(grad.toArray());
            copies.add(derived.toArray());
            return null;
        });
        h.exp().mul(h).sum().backward();
        churn(x);
        for (int i = 0; i < seen.size(); i++) {
            assertArrayEquals(copies.get(i), seen.get(i).toArray(), "tensor " + i + " seen by the hook");
        }
    }

    @Test
    void gradientsKeptByACustomDerivativeStayIntact() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        List<Tensor> kept = new ArrayList<>();
        List<float[]> copies = new ArrayList<>();
        doubledByAKeepingDerivative(x, kept, copies).exp().sum().backward();
        churn(x);
        assertKeptIntact(kept, copies);
    }

    /**
     * 2x through a custom derivative that keeps the gradient it receives and the result it returns
     * (and copies of their values when it ran).
     */
    private static Tensor doubledByAKeepingDerivative(Tensor x, List<Tensor> kept, List<float[]> copies) {
        Tensor y;
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            y = x.mul(2f);
        }
        return Autograd.attach("DoubleBackward", y, new Tensor[] {x}, new Tensor[0], (grad, saved, needs) -> {
            Tensor result = grad.mul(2f);
            kept.add(grad);
            kept.add(result);
            copies.add(grad.toArray());
            copies.add(result.toArray());
            return new Tensor[] {result};
        });
    }

    private static void assertKeptIntact(List<Tensor> kept, List<float[]> copies) {
        assertEquals(2, kept.size());
        for (int i = 0; i < kept.size(); i++) {
            assertArrayEquals(copies.get(i), kept.get(i).toArray(), "tensor " + i + " kept by the derivative");
        }
    }

    @Test
    void retainedAndLeafGradientsStayIntact() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor h = x.mul(3f).retainGrad();
        h.exp().mul(h).sum().backward();
        float[] hGrad = h.grad().toArray();
        float[] xGrad = x.grad().toArray();
        churn(x);
        assertArrayEquals(hGrad, h.grad().toArray());
        assertArrayEquals(xGrad, x.grad().toArray());
    }

    @Test
    void gradientsReturnedByAutogradGradStayIntact() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor h = x.mul(3f);
        Tensor[] grads = Autograd.grad(new Tensor[] {h.exp().mul(h).sum()}, new Tensor[] {x, h}, null, false, false);
        float[][] copies = {grads[0].toArray(), grads[1].toArray()};
        churn(x);
        assertArrayEquals(copies[0], grads[0].toArray());
        assertArrayEquals(copies[1], grads[1].toArray());
    }

    /** add's backward hands one tensor to both leaves: at most one of them may keep its buffer. */
    @Test
    void leavesSharingAGradientGetTheirOwnBuffers() {
        Tensor x1 = Tensor.randn(LARGE).requiresGrad(true);
        Tensor x2 = Tensor.randn(LARGE).requiresGrad(true);
        x1.add(x2).mul(x1.detach()).sum().backward();
        float[] second = x2.grad().toArray();
        x1.grad().addInPlace(Tensor.ones(LARGE), 1f);
        churn(x1);
        assertArrayEquals(second, x2.grad().toArray());
        assertArrayEquals(map(second, v -> v + 1f), x1.grad().toArray());
    }

    @Test
    void aRetainedGraphGivesTheSameGradientTwice() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor loss = x.mul(2f).exp().mul(x).sum();
        loss.backward(Tensor.scalar(1f), true);
        float[] once = x.grad().toArray();
        churn(x);
        loss.backward(Tensor.scalar(1f), true);
        assertArrayEquals(map(once, v -> v + v), x.grad().toArray());
    }

    /**
     * ReLU's backward writes over the gradient it consumes when only the engine holds it: the
     * gradient of x.relu().mul(3).sum() is ·3's buffer, rewritten by relu and adopted by x, so
     * nothing returns to the pool. A result buffer of relu's own would leave ·3's there. A length
     * no other test uses keeps the pool's list for it empty at the start.
     */
    @Test
    void reluBackwardWritesOverTheGradientItConsumes() {
        int length = LARGE + 11;
        Tensor x = Tensor.randn(length).requiresGrad(true);
        long before = BufferPool.pooledFloats();
        x.relu().mul(3f).sum().backward();
        assertEquals(before, BufferPool.pooledFloats());
        assertArrayEquals(map(x.detach().toArray(), v -> v > 0f ? 3f : 0f), x.grad().toArray());
    }

    /**
     * add's backward hands one tensor to both ReLUs: the first must leave it intact for the
     * second, which may then write over it. The oracle is relu's derivative computed here.
     */
    @Test
    void reluBackwardsSharingAGradientEachSeeItIntact() {
        Tensor a = Tensor.randn(LARGE).requiresGrad(true);
        Tensor b = Tensor.randn(LARGE).requiresGrad(true);
        Tensor w = Tensor.randn(LARGE);
        a.relu().add(b.relu()).mul(w).sum().backward();
        float[] weights = w.toArray();
        float[] av = a.detach().toArray();
        float[] bv = b.detach().toArray();
        float[] expectedA = new float[LARGE];
        float[] expectedB = new float[LARGE];
        for (int i = 0; i < LARGE; i++) {
            expectedA[i] = av[i] > 0f ? weights[i] : 0f;
            expectedB[i] = bv[i] > 0f ? weights[i] : 0f;
        }
        assertArrayEquals(expectedA, a.grad().toArray());
        assertArrayEquals(expectedB, b.grad().toArray());
    }

    @Test
    void aGradientPassedToReluBackwardIsNeverOverwritten() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor gradient = Tensor.randn(LARGE);
        float[] expected = gradient.toArray();
        x.mul(1f).relu().backward(gradient);
        assertArrayEquals(expected, gradient.toArray());
        float[] values = x.detach().toArray();
        float[] expectedGrad = new float[LARGE];
        for (int i = 0; i < LARGE; i++) {
            expectedGrad[i] = values[i] > 0f ? expected[i] : 0f;
        }
        assertArrayEquals(expectedGrad, x.grad().toArray());
    }

    // ---- zeroGrad gives back a .grad buffer only backward and the engine ever held ----

    @Test
    void aDroppedGradientNobodyWasGivenReturnsToThePoolAndIsReused() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        x.mul(x).sum().backward();
        float[] dropped = x.gradForStep().data;
        long before = BufferPool.pooledFloats();
        x.zeroGrad();
        assertEquals(before + LARGE, BufferPool.pooledFloats());
        Tensor next = x.detach().mul(3f);
        assertSame(dropped, next.data, "the next result of that size reuses the dropped gradient's buffer");
        assertArrayEquals(map(x.toArray(), v -> v * 3f), next.toArray());
    }

    @Test
    void aGradientTheCallerTookStaysIntactAfterZeroGrad() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        x.mul(x).sum().backward();
        Tensor taken = x.grad();
        float[] expected = taken.toArray();
        long before = BufferPool.pooledFloats();
        x.zeroGrad();
        assertEquals(before, BufferPool.pooledFloats());
        x.mul(-5f).sum().backward();
        churn(x);
        assertArrayEquals(expected, taken.toArray());
    }

    @Test
    void anAssignedGradientStaysIntactAfterZeroGrad() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor assigned = Tensor.randn(LARGE);
        float[] expected = assigned.toArray();
        // First a gradient backward created, which the assignment replaces.
        x.mul(x).sum().backward();
        x.setGrad(assigned);
        x.mul(2f).sum().backward();
        x.zeroGrad();
        churn(x);
        assertArrayEquals(map(expected, v -> v + 2f), assigned.toArray());
    }

    @Test
    void aGradientPassedToALeafsBackwardStaysIntactAfterZeroGrad() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Tensor gradient = Tensor.randn(LARGE);
        float[] expected = gradient.toArray();
        x.backward(gradient);
        x.zeroGrad();
        churn(x);
        assertArrayEquals(expected, gradient.toArray());
    }

    @Test
    void aResultKeptByACustomDerivativeStaysIntactAfterZeroGrad() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        List<Tensor> kept = new ArrayList<>();
        List<float[]> copies = new ArrayList<>();
        doubledByAKeepingDerivative(x, kept, copies).exp().sum().backward();
        x.zeroGrad();
        churn(x);
        assertKeptIntact(kept, copies);
    }

    @Test
    void aCreateGraphGradientIsNotRecycled() {
        Tensor x = Tensor.randn(LARGE).requiresGrad(true);
        Engine.backward(new Tensor[] {x.mul(x).sum()}, new Tensor[] {null}, false, true);
        long before = BufferPool.pooledFloats();
        x.zeroGrad();
        assertEquals(before, BufferPool.pooledFloats());
    }

    @Test
    void theOptimizersStepDoesNotKeepTheGradientFromBeingRecycled() {
        Tensor w = Tensor.randn(LARGE).requiresGrad(true);
        SGD optimizer = new SGD(List.of(w), 0.1f, 0.9f);
        w.mul(w).sum().backward();
        optimizer.step();
        long before = BufferPool.pooledFloats();
        optimizer.zeroGrad();
        assertEquals(before + LARGE, BufferPool.pooledFloats());
    }
}
