package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.optim.SGD;

/** Flat parameter and gradient vectors: order, scaling, missing gradients, write-back into .grad. */
class ParameterVectorsTest {

    private static List<Tensor> params() {
        Tensor.manualSeed(3);
        return new Sequential(new Linear(3, 2), new ReLU(), new Linear(2, 1)).parameters();
    }

    @Test
    void parametersAreConcatenatedRowMajorInListOrder() {
        List<Tensor> params = params();
        float[] flat = ParameterVectors.parametersToArray(params);
        assertEquals(6 + 2 + 2 + 1, flat.length);
        assertEquals(flat.length, ParameterVectors.numel(params));
        int at = 0;
        for (Tensor p : params) {
            float[] values = p.toArray();
            for (float v : values) {
                assertEquals(v, flat[at++]);
            }
        }
    }

    @Test
    void anArrayWritesEveryParameterInPlaceInListOrder() {
        List<Tensor> params = params();
        float[] flat = new float[ParameterVectors.numel(params) + 1];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = 0.5f * i - 3;
        }
        Tensor first = params.getFirst();
        ParameterVectors.arrayToParameters(flat, params);
        assertTrue(first == params.getFirst() && first.requiresGrad() && first.gradFn() == null);
        int at = 0;
        for (Tensor p : params) {
            for (float v : p.toArray()) {
                assertEquals(flat[at++], v);
            }
        }
        flat[0] = 99;
        assertEquals(-3f, params.getFirst().toArray()[0], "copied, not aliased");
        IllegalArgumentException tooShort = assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.arrayToParameters(new float[4], params));
        assertEquals("arrayToParameters: the parameters hold 11 elements but the array has 4", tooShort.getMessage());
    }

    @Test
    void gradientsAreScaledAndMissingOnesAreZero() {
        List<Tensor> params = params();
        params.get(0).mul(2f).sum().backward();
        float[] flat = new float[ParameterVectors.numel(params) + 1];
        flat[flat.length - 1] = 7f;
        ParameterVectors.gradientsToArray(params, 0.5f, flat);
        for (int i = 0; i < 6; i++) {
            assertEquals(1f, flat[i]);
        }
        for (int i = 6; i < flat.length - 1; i++) {
            assertEquals(0f, flat[i]);
        }
        assertEquals(7f, flat[flat.length - 1], "room after the gradients is left alone");
    }

    @Test
    void gradientsFromArraySetEveryGradWhetherPresentOrNot() {
        List<Tensor> params = params();
        params.get(0).sum().backward();
        assertNull(params.get(1).grad());
        float[] flat = new float[ParameterVectors.numel(params)];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = i + 0.25f;
        }
        ParameterVectors.gradientsFromArray(flat, params);
        float[] back = new float[flat.length];
        ParameterVectors.gradientsToArray(params, 1f, back);
        assertArrayEquals(flat, back);
        for (Tensor p : params) {
            assertNotNull(p.grad());
            assertTrue(p.grad().gradFn() == null && !p.grad().requiresGrad());
            assertArrayEquals(p.shape(), p.grad().shape());
        }
        flat[0] = -1f;
        assertEquals(0.25f, params.get(0).grad().toArray()[0], "the gradients own their storage");
    }

    @Test
    void anOptimizerStepsOnWrittenGradientsAsOnComputedOnes() {
        List<Tensor> computed = params();
        List<Tensor> written = params();
        computed.get(0).pow(2f).sum().backward();
        computed.get(3).mul(3f).sum().backward();
        float[] flat = new float[ParameterVectors.numel(computed)];
        ParameterVectors.gradientsToArray(computed, 1f, flat);
        ParameterVectors.gradientsFromArray(flat, written);
        new SGD(computed, 0.1f, 0.9f).step();
        new SGD(written, 0.1f, 0.9f).step();
        assertArrayEquals(ParameterVectors.parametersToArray(computed), ParameterVectors.parametersToArray(written));
    }

    @Test
    void tooShortArraysNameBothSizes() {
        List<Tensor> params = params();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.gradientsFromArray(new float[3], params));
        assertEquals("gradientsFromArray: the parameters hold 11 elements but the array has 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ParameterVectors.gradientsToArray(params, 1f, new float[10]));
    }
}
