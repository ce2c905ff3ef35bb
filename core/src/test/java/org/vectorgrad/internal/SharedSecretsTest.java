package org.vectorgrad.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;

/** The accessor the nn primitives use: installed by Tensor, once, and not replaceable afterwards. */
class SharedSecretsTest {

    @Test
    void tensorInstallsTheAccessorAndNothingCanReplaceIt() {
        TensorInternals internals = SharedSecrets.tensorInternals();
        Tensor t = Tensor.of(1f, 2f, 3f, 4f, 5f, 6f).view(2, 3).t();
        assertArrayEquals(new int[] {3, 2}, internals.shape(t));
        assertArrayEquals(new int[] {1, 3}, internals.strides(t));
        assertThrows(IllegalStateException.class, () -> SharedSecrets.setTensorInternals(internals));
    }
}
