package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
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

    /** Three replicas' gradients: uneven values, missing ones, a -0.0, a transposed (non-contiguous) one. */
    private static List<List<Tensor>> replicaGradients(List<Tensor> params) {
        List<List<Tensor>> replicas = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                int[] shape = params.get(i).shape();
                boolean missing = r == 1 && i % 2 == 0;
                grads.add(missing ? null : Tensor.randn(shape).mul(1f / (3 + r + i)));
            }
            replicas.add(grads);
        }
        // A -0.0 that only zeros follow: a sum of vectors makes it 0.0, so must a sum that skips nothing.
        replicas.get(0).set(2, Tensor.fromArray(new float[] {-0f, 1e-30f}, 1, 2));
        replicas.get(2).set(2, null);
        replicas.get(2).set(0, Tensor.randn(3, 2).transpose(0, 1));
        return replicas;
    }

    // The reference: each replica's vector built through gradientsToArray, added in replica order.
    private static float[] sumOfVectors(List<Tensor> params, List<List<Tensor>> replicas) {
        float[] sum = null;
        for (List<Tensor> grads : replicas) {
            List<Tensor> holders = params.stream().map(p -> Tensor.zeros(p.shape()).requiresGrad(true)).toList();
            for (int i = 0; i < holders.size(); i++) {
                holders.get(i).setGrad(grads.get(i));
            }
            float[] v = new float[ParameterVectors.numel(params)];
            ParameterVectors.gradientsToArray(holders, 1f, v);
            if (sum == null) {
                sum = v;
            } else {
                for (int k = 0; k < v.length; k++) {
                    sum[k] += v[k];
                }
            }
        }
        return sum;
    }

    @Test
    void summedGradientsAreTheBitsOfSummedVectorsOverAnyRange() {
        List<Tensor> params = params();
        List<List<Tensor>> replicas = replicaGradients(params);
        float[] expected = sumOfVectors(params, replicas);
        int n = expected.length;
        for (int[] range : new int[][] {{0, n}, {0, 0}, {5, 7}, {6, 6}, {3, 10}, {10, 11}, {0, 1}}) {
            float[] dst = new float[n + 4];
            Arrays.fill(dst, Float.NaN);
            ParameterVectors.sumGradients(params, replicas, range[0], range[1], dst, 2);
            for (int k = range[0]; k < range[1]; k++) {
                assertEquals(Float.floatToRawIntBits(expected[k]), Float.floatToRawIntBits(dst[2 + k - range[0]]),
                        "element " + k + " of range " + Arrays.toString(range));
            }
            assertTrue(Float.isNaN(dst[1]) && Float.isNaN(dst[2 + range[1] - range[0]]), "nothing outside the range");
        }
        float[] one = new float[n];
        ParameterVectors.sumGradients(params, List.of(replicas.get(1)), 0, n, one, 0);
        assertArrayEquals(sumOfVectors(params, List.of(replicas.get(1))), one, "a single replica is copied");
        // Two replicas are added in one pass: the same bits, with a transposed gradient, a missing one and a -0.0.
        List<List<Tensor>> two = List.of(replicas.get(2), replicas.get(0));
        float[] pair = new float[n];
        ParameterVectors.sumGradients(params, two, 0, n, pair, 0);
        float[] pairExpected = sumOfVectors(params, two);
        for (int k = 0; k < n; k++) {
            assertEquals(Float.floatToRawIntBits(pairExpected[k]), Float.floatToRawIntBits(pair[k]), "element " + k + " of two");
        }
    }

    @Test
    void summingGradientsRefusesBadRangesAndShapesNamingThem() {
        List<Tensor> params = params();
        List<List<Tensor>> replicas = replicaGradients(params);
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.sumGradients(params, replicas, 4, 12, new float[20], 0));
        assertEquals("sumGradients: range [4, 12) of 11 gradient elements into an array of 20 from 0", range.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.sumGradients(params, replicas, 0, 11, new float[11], 1));
        replicas.get(2).set(3, Tensor.zeros(2));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.sumGradients(params, replicas, 0, 11, new float[11], 0));
        assertEquals("sumGradients: replica 2's gradient 3 has shape [2], its parameter [1]", shape.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> ParameterVectors.sumGradients(params, List.of(List.of()), 0, 0, new float[11], 0));
        assertEquals("sumGradients: replica 0 has 0 gradients for 4 parameters", count.getMessage());
    }

    @Test
    void gradientsAsViewsShareTheArrayAndAnOptimizerStepsOnThemAsOnCopies() {
        List<Tensor> viewed = params();
        List<Tensor> copied = params();
        float[] flat = new float[ParameterVectors.numel(viewed) + 1];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = 0.1f * i - 0.4f;
        }
        ParameterVectors.gradientsAsViews(flat, viewed);
        ParameterVectors.gradientsFromArray(flat, copied);
        new SGD(viewed, 0.1f, 0.9f).step();
        new SGD(copied, 0.1f, 0.9f).step();
        assertArrayEquals(ParameterVectors.parametersToArray(copied), ParameterVectors.parametersToArray(viewed));
        assertEquals(0.1f * 6 - 0.4f, flat[6], "the step only read the gradients");
        flat[6] = 42f;
        assertEquals(42f, viewed.get(1).grad().toArray()[0], "views, not copies");
        for (Tensor p : viewed) {
            assertArrayEquals(p.shape(), p.grad().shape());
        }
        assertThrows(IllegalArgumentException.class, () -> ParameterVectors.gradientsAsViews(new float[10], viewed));
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
