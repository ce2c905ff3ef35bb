package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * {@code t.grad = g} as PyTorch 1.13 behaves (checked with it): the assigned tensor itself
 * becomes .grad, a view keeps sharing its storage, backward accumulates into it, None drops it,
 * and another size or dtype is refused with PyTorch's message (plus the sizes).
 */
class SetGradTest {

    @Test
    void theAssignedTensorIsTheGradAndBackwardAccumulatesIntoIt() {
        Tensor x = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor storage = Tensor.arange(12);
        Tensor view = storage.narrow(0, 0, 6).view(2, 3);
        x.setGrad(view);
        assertSame(view, x.grad());
        storage.detach().fill(0f);
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0}, storage.toArray(),
                "accumulated into the view's storage, the rest untouched");
        x.setGrad(null);
        assertNull(x.grad());
    }

    @Test
    void anotherSizeOrDtypeIsRefusedAndTheOldGradKept() {
        Tensor x = Tensor.zeros(2, 3).requiresGrad(true);
        Tensor kept = Tensor.ones(2, 3);
        x.setGrad(kept);
        IllegalArgumentException transposed = assertThrows(IllegalArgumentException.class,
                () -> x.setGrad(Tensor.zeros(3, 2)));
        assertEquals("assigned grad has data of a different size: torch.Size([3, 2]) for a tensor of size"
                + " torch.Size([2, 3])", transposed.getMessage());
        IllegalArgumentException flat = assertThrows(IllegalArgumentException.class, () -> x.setGrad(Tensor.zeros(6)));
        assertEquals("assigned grad has data of a different size: torch.Size([6]) for a tensor of size"
                + " torch.Size([2, 3])", flat.getMessage());
        Tensor bools = Tensor.zeros(2, 3).gt(Tensor.scalar(0f));
        IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class, () -> x.setGrad(bools));
        assertEquals("assigned grad has data of a different type: " + bools.dtype() + " for a tensor of type "
                + x.dtype(), dtype.getMessage());
        assertSame(kept, x.grad());
    }
}
