package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Views share storage with their base and read it through their own strides; copies happen only
 * where PyTorch copies. Also the edge shapes: 0-d tensors through every view, and empty tensors
 * through every op.
 */
final class ViewsTest {

    /** 0, 1, 2, ... in a fresh contiguous tensor of the shape, so every element is distinguishable. */
    private static Tensor iota(int... shape) {
        return Tensor.arange(Arrays.stream(shape).reduce(1, (a, b) -> a * b)).reshape(shape);
    }

    /** The row-major reading of {@code t}, element by element through {@link Tensor#get}. */
    private static float[] readByGet(Tensor t) {
        float[] out = new float[t.numel()];
        int[] shape = t.shape();
        int[] index = new int[shape.length];
        for (int k = 0; k < out.length; k++) {
            int rest = k;
            for (int d = shape.length - 1; d >= 0; d--) {
                index[d] = rest % shape[d];
                rest /= shape[d];
            }
            out[k] = t.get(index);
        }
        return out;
    }

    /** Every kind of view of a 2x3x4 base, including views of views and a copying reshape. */
    private static Map<String, Tensor> viewsOf(Tensor x) {
        Map<String, Tensor> views = new LinkedHashMap<>();
        views.put("transpose(0, 2)", x.transpose(0, 2));
        views.put("permute(1, 2, 0)", x.permute(1, 2, 0));
        views.put("select(1, -1)", x.select(1, -1));
        views.put("narrow(2, 1, 2)", x.narrow(2, 1, 2));
        views.put("unsqueeze(1)", x.unsqueeze(1));
        views.put("view(6, 4)", x.view(6, 4));
        views.put("reshape(4, -1)", x.reshape(4, -1));
        views.put("select(0, 1).t()", x.select(0, 1).t());
        views.put("narrow(1, 1, 1).squeeze(1)", x.narrow(1, 1, 1).squeeze(1));
        views.put("select(2, 0).unsqueeze(2).expand(2, 3, 5)", x.select(2, 0).unsqueeze(2).expand(2, 3, 5));
        views.put("expand(2, 2, 3, 4)", x.expand(2, 2, 3, 4));
        views.put("transpose(1, 2).narrow(0, 1, 1)", x.transpose(1, 2).narrow(0, 1, 1));
        views.put("transpose(0, 1).reshape(24)", x.transpose(0, 1).reshape(24));
        views.put("permute(2, 0, 1).flatten()", x.permute(2, 0, 1).flatten());
        return views;
    }

    @Test
    void toArrayOfEveryViewIsItsRowMajorReadingThroughGet() {
        Tensor x = iota(2, 3, 4);
        viewsOf(x).forEach((name, view) ->
                assertArrayEquals(readByGet(view), view.toArray(), name));
    }

    @Test
    void viewsReadTheBaseStorageAtTheMappedIndex() {
        Tensor x = iota(2, 3, 4);
        forEachIndex(new int[] {2, 3, 4}, (i, msg) -> assertAll(msg,
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.transpose(0, 2).get(i[2], i[1], i[0])),
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.permute(1, 2, 0).get(i[1], i[2], i[0])),
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.select(1, i[1]).get(i[0], i[2])),
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.view(6, 4).get(i[0] * 3 + i[1], i[2])),
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.unsqueeze(0).expand(5, 2, 3, 4).get(4, i[0], i[1], i[2])),
                () -> assertEquals(x.get(i[0], i[1], i[2]), x.get(i[0] - 2, i[1] - 3, i[2] - 4))));
        assertEquals(x.get(1, 2, 3), x.narrow(2, 1, 3).get(1, 2, 2));
        assertEquals(x.get(0, 1, 2), x.narrow(0, 0, 1).squeeze(0).t().get(2, 1));
    }

    private static void forEachIndex(int[] shape, BiConsumer<int[], String> check) {
        for (int a = 0; a < shape[0]; a++) {
            for (int b = 0; b < shape[1]; b++) {
                for (int c = 0; c < shape[2]; c++) {
                    check.accept(new int[] {a, b, c}, "at [" + a + ", " + b + ", " + c + "]");
                }
            }
        }
    }

    /** Writing the base's storage shows through every view: they alias it, not a copy of it. */
    @Test
    void viewsShareStorageWithTheirBase() {
        Tensor x = iota(2, 3, 4);
        Map<String, Tensor> views = viewsOf(x);
        views.remove("transpose(0, 1).reshape(24)");
        views.remove("permute(2, 0, 1).flatten()");
        views.put("detach()", x.detach());
        views.forEach((name, view) -> assertSame(x.data, view.data, name));
        x.data[x.layout.indexOf(new int[] {1, 2, 3})] = -7f;
        assertEquals(-7f, x.transpose(0, 2).get(3, 2, 1));
        assertEquals(-7f, x.view(6, 4).get(5, 3));
        assertEquals(-7f, x.select(1, 2).narrow(1, 3, 1).get(1, 0));
    }

    /** PyTorch's reshape copies exactly when view would fail; the copy reads like the source. */
    @Test
    void reshapeOfANonViewableTensorCopies() {
        Tensor t = iota(2, 3).t();
        Tensor flat = t.reshape(6);
        assertNotSame(t.data, flat.data);
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, flat.toArray());
        assertTrue(flat.isContiguous());
        Tensor base = iota(2, 3);
        assertSame(base.data, base.reshape(3, 2).data, "a viewable reshape must not copy");
    }

    @Test
    void contiguousReturnsTheSameTensorOrAnEqualCopy() {
        Tensor x = iota(2, 3, 4);
        assertSame(x, x.contiguous());
        Tensor y = iota(1, 3).t();
        assertSame(y, y.contiguous(), "the stride of a size-1 dim doesn't affect contiguity");
        Tensor row = x.narrow(0, 1, 1);
        assertSame(row, row.contiguous(), "an offset doesn't either");
        Tensor t = x.transpose(1, 2);
        Tensor copy = t.contiguous();
        assertNotSame(t, copy);
        assertNotSame(t.data, copy.data);
        assertTrue(copy.isContiguous());
        assertArrayEquals(t.shape(), copy.shape());
        assertArrayEquals(readByGet(t), copy.toArray());
        Tensor expanded = Tensor.scalar(3f).expand(2, 2);
        assertArrayEquals(new float[] {3, 3, 3, 3}, expanded.contiguous().toArray());
    }

    @Test
    void squeezeOfADimThatIsNotOneChangesNothing() {
        Tensor x = iota(2, 3);
        for (int dim : new int[] {0, 1, -1, -2}) {
            Tensor s = x.squeeze(dim);
            assertArrayEquals(new int[] {2, 3}, s.shape(), "squeeze(" + dim + ")");
            assertArrayEquals(x.toArray(), s.toArray());
            assertSame(x.data, s.data);
        }
        assertArrayEquals(new int[] {2, 0}, Tensor.zeros(2, 0).squeeze(1).shape());
        assertArrayEquals(new int[] {3}, iota(1, 3).squeeze(0).shape());
    }

    @Test
    void flattenOfOneDimensionalReturnsTheSameTensor() {
        Tensor v = Tensor.of(1f, 2f, 3f);
        assertSame(v, v.flatten());
        Tensor strided = iota(3, 2).select(1, 1);
        assertSame(strided, strided.flatten(), "even a strided 1-D tensor");
        assertArrayEquals(new int[] {6}, iota(2, 3).flatten().shape());
    }

    @Test
    void zeroDimTensorsGoThroughEveryView() {
        Tensor s = Tensor.scalar(4.5f);
        Map<String, Tensor> views = new LinkedHashMap<>();
        views.put("reshape()", s.reshape());
        views.put("view(1, 1)", s.view(1, 1));
        views.put("reshape(-1)", s.reshape(-1));
        views.put("transpose(0, -1)", s.transpose(0, -1));
        views.put("t()", s.t());
        views.put("permute()", s.permute());
        views.put("unsqueeze(-1)", s.unsqueeze(-1));
        views.put("squeeze(0)", s.squeeze(0));
        views.put("expand(2, 3)", s.expand(2, 3));
        views.put("expand()", s.expand());
        views.put("flatten()", s.flatten());
        views.put("unsqueeze(0).squeeze(0)", s.unsqueeze(0).squeeze(0));
        views.put("view(1).select(0, -1)", s.view(1).select(0, -1));
        int[][] shapes = {{}, {1, 1}, {1}, {}, {}, {}, {1}, {}, {2, 3}, {}, {1}, {}, {}};
        int i = 0;
        for (Map.Entry<String, Tensor> e : views.entrySet()) {
            assertArrayEquals(shapes[i++], e.getValue().shape(), e.getKey());
            assertArrayEquals(readByGet(e.getValue()), e.getValue().toArray(), e.getKey());
            assertEquals(4.5f, e.getValue().toArray()[0], e.getKey());
            assertSame(s.data, e.getValue().data, e.getKey());
        }
        assertSame(s, s.contiguous());
    }

    @Test
    void emptyTensorsGoThroughEveryView() {
        Tensor e = Tensor.zeros(2, 0, 3);
        assertArrayEquals(new int[] {3, 0, 2}, e.transpose(0, 2).shape());
        assertArrayEquals(new int[] {0, 3, 2}, e.permute(1, 2, 0).shape());
        assertArrayEquals(new int[] {0, 3}, e.select(0, 1).shape());
        assertArrayEquals(new int[] {2, 0, 0}, e.narrow(2, 3, 0).shape());
        assertArrayEquals(new int[] {0, 3}, e.reshape(-1, 3).shape());
        assertArrayEquals(new int[] {3, 0, 7}, e.view(3, 0, 7).shape());
        assertArrayEquals(new int[] {0}, e.flatten().shape());
        assertArrayEquals(new int[] {4, 2, 0, 3}, e.expand(4, -1, -1, -1).shape());
        assertArrayEquals(new int[] {2, 0, 1, 3}, e.unsqueeze(2).shape());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(1, 0, 3).squeeze(0).shape());
        assertEquals(0, e.permute(1, 2, 0).toArray().length);
        Tensor permuted = Tensor.zeros(0, 2, 3).permute(0, 2, 1);
        assertTrue(permuted.isContiguous(), "every empty tensor is contiguous in PyTorch");
        assertSame(permuted, permuted.contiguous());
    }

    @Test
    void emptyTensorsGoThroughElementwiseOps() {
        Tensor e = Tensor.zeros(2, 0, 3);
        Tensor row = Tensor.ones(3);
        for (Tensor out : new Tensor[] {e.add(row), e.sub(1f), e.rsub(1f), e.mul(row), e.div(row), e.pow(2f),
                e.pow(row), e.maximum(row), e.neg(), e.exp(), e.log(), e.sin(), e.cos(), e.tanh(), e.sigmoid(),
                e.relu(), e.sqrt(), e.abs(), e.softmax(1), e.logSoftmax(-1), Tensor.where(e.eq(row), e, row)}) {
            assertArrayEquals(new int[] {2, 0, 3}, out.shape());
            assertEquals(0, out.toArray().length);
        }
        assertArrayEquals(new int[] {2, 0, 3}, e.eq(row).shape());
        assertArrayEquals(new int[] {2, 0, 3}, Tensor.zeros(2, 1, 3).add(e).shape(), "1 broadcasts to 0");
    }

    /** PyTorch: an empty sum is 0, an empty mean is 0/0 = NaN, and the norm of nothing is 0. */
    @Test
    void emptyTensorsGoThroughReductions() {
        Tensor e = Tensor.zeros(2, 0, 3);
        assertArrayEquals(new int[0], e.sum().shape());
        assertEquals(0f, e.sum().item());
        assertTrue(Float.isNaN(e.mean().item()));
        assertEquals(0f, e.norm().item());
        assertArrayEquals(new float[6], e.sum(1, false).toArray());
        assertArrayEquals(new int[] {2, 1, 3}, e.sum(1, true).shape());
        float[] means = e.mean(1, false).toArray();
        assertEquals(6, means.length);
        for (float m : means) {
            assertTrue(Float.isNaN(m));
        }
        assertArrayEquals(new int[] {0, 3}, e.sum(0, false).shape());
        assertArrayEquals(new int[] {2, 0}, e.max(2, false).shape());
        assertArrayEquals(new int[] {2, 0, 1}, e.argmax(-1, true).shape());
        assertArrayEquals(new int[] {2, 3}, e.sum(new int[] {1}, false).shape());
    }

    @Test
    void emptyTensorsGoThroughMatmul() {
        assertArrayEquals(new float[6], Tensor.zeros(2, 0).matmul(Tensor.ones(0, 3)).toArray());
        assertArrayEquals(new int[] {0, 3}, Tensor.ones(0, 2).matmul(Tensor.ones(2, 3)).shape());
        assertArrayEquals(new int[] {0, 2, 4}, Tensor.ones(0, 2, 3).matmul(Tensor.ones(3, 4)).shape());
        assertArrayEquals(new int[] {5, 0}, Tensor.ones(5, 0, 3).matmul(Tensor.ones(3)).shape());
        assertEquals(0f, Tensor.ones(0).matmul(Tensor.ones(0)).item());
    }

    /** Gradients flow back through an empty view into a leaf of the right (empty) shape. */
    @Test
    void backwardThroughEmptyViews() {
        Tensor x = Tensor.zeros(2, 0, 3).requiresGrad(true);
        x.permute(2, 0, 1).reshape(-1).sum().backward();
        assertArrayEquals(new int[] {2, 0, 3}, x.grad().shape());
    }

    @Test
    void toFloatReadsABoolMaskAsOnesAndZeros() {
        Tensor mask = Tensor.of(1f, 5f, 3f).gt(Tensor.scalar(2f));
        Tensor asFloat = mask.toFloat();
        assertEquals("tensor([False,  True,  True])", mask.toString());
        assertEquals("tensor([0., 1., 1.])", asFloat.toString());
        assertEquals(2f, asFloat.sum().item());
        Tensor floats = Tensor.of(1f, 2f);
        assertSame(floats, floats.toFloat());
    }

    @Test
    void viewsPrintExactlyLikeTheirContiguousCopies() {
        Tensor.manualSeed(11);
        Tensor base = Tensor.randn(40, 60);
        Tensor[] views = {base.t(), base.narrow(1, 7, 30), base.select(0, 3), base.unsqueeze(1).expand(40, 2, 60),
            base.permute(1, 0).narrow(0, 2, 5), base.narrow(0, 0, 1).narrow(1, 59, 1).squeeze(0)};
        for (Tensor view : views) {
            assertEquals(Tensor.fromArray(view.toArray(), view.shape()).toString(), view.toString());
        }
    }
}
