package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class InPlaceTest {
    @Test
    void copyFromBroadcastsIntoATransposedView() {
        Tensor base = Tensor.zeros(2, 3);
        Tensor view = base.t();
        assertSame(view, view.copyFrom(Tensor.of(1f, 2f)));
        // view[i][j] = src[j] → base[j][i] = j + 1
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, base.toArray());
    }

    @Test
    void overlappingSourceIsReadBeforeAnyWrite() {
        Tensor a = Tensor.arange(5);
        a.narrow(0, 1, 4).copyFrom(a.narrow(0, 0, 4));
        assertArrayEquals(new float[] {0, 0, 1, 2, 3}, a.toArray());
    }

    @Test
    void addInPlaceScalesTheAddendAndWorksOnStridedViews() {
        Tensor a = Tensor.ones(2, 2);
        a.addInPlace(Tensor.of(new float[][] {{1, 2}, {3, 4}}), -0.5f);
        assertArrayEquals(new float[] {0.5f, 0f, -0.5f, -1f}, a.toArray());
        Tensor base = Tensor.zeros(3, 2);
        base.select(1, 1).addInPlace(Tensor.of(1f, 2f, 3f), 2f);
        assertArrayEquals(new float[] {0, 2, 0, 4, 0, 6}, base.toArray());
        Tensor self = Tensor.of(1f, 2f);
        self.addInPlace(self, 1f);
        assertArrayEquals(new float[] {2, 4}, self.toArray());
    }

    @Test
    void mulAndFill() {
        Tensor a = Tensor.of(1f, -2f).mulInPlace(3f);
        assertArrayEquals(new float[] {3, -6}, a.toArray());
        assertArrayEquals(new float[] {7, 7}, a.fill(7f).toArray());
    }

    @Test
    void leavesThatRequireGradChangeOnlyWithoutGradMode() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.mulInPlace(2f));
        assertEquals("a leaf Variable that requires grad is being used in an in-place operation.", e.getMessage());
        assertArrayEquals(new float[] {1, 1}, w.toArray());
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            w.addInPlace(Tensor.of(1f, 2f), 1f);
        }
        assertArrayEquals(new float[] {2, 3}, w.toArray());
        assertEquals(true, w.requiresGrad());
    }

    @Test
    void recordedResultsRefuseInPlaceUpdates() {
        Tensor y = Tensor.ones(2).requiresGrad(true).mul(2f);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.fill(0f));
        assertEquals("fill_ is not differentiable in Vectorgrad: run it under Autograd.noGrad() or on detached"
                + " tensors", e.getMessage());
    }

    @Test
    void shapeMismatchNamesBothShapesAndWritesNothing() {
        Tensor a = Tensor.ones(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.copyFrom(Tensor.zeros(2)));
        assertEquals("copy_: the source of shape torch.Size([2]) is not broadcastable to the destination of"
                + " shape torch.Size([2, 3])", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> a.addInPlace(Tensor.zeros(3, 3), 1f));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1}, a.toArray());
    }
}
