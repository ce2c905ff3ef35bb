package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * ReLU's backward runs as one fused pass for contiguous operands and through a mask and where
 * otherwise: both give PyTorch's threshold_backward (grad where self > 0, 0 elsewhere, the
 * gradient passed at a NaN self), the same graph (ThresholdBackwardBackward0, differentiable
 * again), and the same values for a large input that splits across threads.
 */
class ThresholdBackwardTest {
    private static final float NAN = Float.NaN;

    @Test
    void passesTheGradientWhereTheOutputIsPositiveAndAtNaN() {
        float[] x = {-2f, -0f, 0f, 3f, NAN, Float.NEGATIVE_INFINITY, 1e-40f};
        float[] g = {1f, 2f, 3f, 4f, 5f, NAN, -0f};
        float[] expected = {0f, 0f, 0f, 4f, 5f, 0f, -0f};
        Tensor leaf = Tensor.fromArray(x, 7).requiresGrad(true);
        leaf.relu().backward(Tensor.fromArray(g, 7));
        assertArrayEquals(expected, leaf.grad().toArray());
        // the same through a strided grad (the mask-and-where path)
        Tensor strided = Tensor.fromArray(x, 7).requiresGrad(true);
        float[] padded = new float[14];
        for (int i = 0; i < 7; i++) {
            padded[2 * i] = g[i];
        }
        strided.relu().backward(Tensor.fromArray(padded, 7, 2).select(1, 0));
        assertArrayEquals(expected, strided.grad().toArray());
    }

    @Test
    void fusedAndStridedPathsAgreeOnALargeInput() {
        Tensor.manualSeed(3);
        Tensor x = Tensor.randn(300, 1001);
        Tensor g = Tensor.randn(1001, 300);
        Tensor contiguous = x.detach().requiresGrad(true);
        contiguous.relu().backward(g.transpose(0, 1).contiguous());
        Tensor viaWhere = x.detach().requiresGrad(true);
        viaWhere.relu().backward(g.transpose(0, 1));
        assertArrayEquals(viaWhere.grad().toArray(), contiguous.grad().toArray());
    }

    @Test
    void theBackwardIsRecordedAndDifferentiable() {
        Tensor x = Tensor.fromArray(new float[] {-1f, 2f, 3f}, 3).requiresGrad(true);
        Tensor g = Tensor.fromArray(new float[] {5f, 6f, 7f}, 3).requiresGrad(true);
        Tensor[] dx = Autograd.grad(new Tensor[] {x.relu()}, new Tensor[] {x}, new Tensor[] {g}, true, true);
        assertEquals("ThresholdBackwardBackward0", dx[0].gradFn().name());
        Tensor[] dg = Autograd.grad(new Tensor[] {dx[0].sum()}, new Tensor[] {g}, null, true, false);
        assertArrayEquals(new float[] {0f, 1f, 1f}, dg[0].toArray());
    }
}
