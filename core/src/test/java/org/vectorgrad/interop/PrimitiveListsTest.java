package org.vectorgrad.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.eclipse.collections.api.list.primitive.DoubleList;
import org.eclipse.collections.api.list.primitive.FloatList;
import org.eclipse.collections.api.list.primitive.IntList;
import org.eclipse.collections.api.list.primitive.MutableFloatList;
import org.eclipse.collections.impl.list.mutable.primitive.DoubleArrayList;
import org.eclipse.collections.impl.list.mutable.primitive.FloatArrayList;
import org.eclipse.collections.impl.list.mutable.primitive.IntArrayList;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;

class PrimitiveListsTest {
    @Test
    void floatListRoundTripsWithShape() {
        FloatList values = FloatArrayList.newListWith(1f, -2.5f, Float.MIN_VALUE, -0f, Float.NaN, 6f);
        Tensor t = PrimitiveLists.fromFloatList(values, 2, 3);
        assertArrayEquals(new int[] {2, 3}, t.shape());
        assertEquals(-2.5f, t.get(0, 1));
        assertEquals(values, PrimitiveLists.toFloatList(t));
        assertArrayEquals(new int[0], PrimitiveLists.fromFloatList(FloatArrayList.newListWith(4f)).shape(),
                "no shape means 0-d, as Tensor.fromArray");
        assertEquals(FloatArrayList.newListWith(), PrimitiveLists.toFloatList(PrimitiveLists.fromFloatList(
                FloatArrayList.newListWith(), 0, 3)));
    }

    @Test
    void listsAreCopiesInRowMajorOrderOfAnyLayout() {
        MutableFloatList values = FloatArrayList.newListWith(0f, 1f, 2f, 3f, 4f, 5f);
        Tensor t = PrimitiveLists.fromFloatList(values, 2, 3);
        values.set(0, 99f);
        assertEquals(0f, t.get(0, 0), "the tensor does not share the list's memory");
        assertEquals(FloatArrayList.newListWith(0f, 3f, 1f, 4f, 2f, 5f), PrimitiveLists.toFloatList(t.t()));
        MutableFloatList out = (MutableFloatList) PrimitiveLists.toFloatList(t);
        out.set(1, 42f);
        assertEquals(1f, t.get(0, 1), "the list does not share the tensor's memory");
        assertNotSame(PrimitiveLists.toFloatList(t), PrimitiveLists.toFloatList(t));
    }

    @Test
    void doublesRoundToFloat32AndWidenExactly() {
        DoubleList values = DoubleArrayList.newListWith(0.1, 1e-50, 3.4e39, -1.0 / 3, 16777217.0);
        Tensor t = PrimitiveLists.fromDoubleList(values, 5);
        assertArrayEquals(new float[] {0.1f, 0f, Float.POSITIVE_INFINITY, -1f / 3, 16777216f}, t.toArray());
        assertEquals(DoubleArrayList.newListWith(0.1f, 0f, Double.POSITIVE_INFINITY, -1f / 3, 16777216.0),
                PrimitiveLists.toDoubleList(t));
        assertEquals(0.10000000149011612, PrimitiveLists.toDoubleList(t).get(0));
    }

    /** PyTorch: torch.tensor([2.9, -2.9, 0.5, -0.5, 1e9, -7.0]).int() == [2, -2, 0, 0, 1000000000, -7]. */
    @Test
    void intListTruncatesTowardZeroLikeTorchInt() {
        Tensor t = Tensor.of(2.9f, -2.9f, 0.5f, -0.5f, 1e9f, -7f);
        IntList ints = PrimitiveLists.toIntList(t.reshape(3, 2));
        assertEquals(IntArrayList.newListWith(2, -2, 0, 0, 1000000000, -7), ints);
    }

    @Test
    void countAndShapeMismatchesNameBoth() {
        IllegalArgumentException floats = assertThrows(IllegalArgumentException.class,
                () -> PrimitiveLists.fromFloatList(FloatArrayList.newListWith(1f, 2f, 3f, 4f, 5f), 2, 3));
        assertEquals("shape '[2, 3]' is invalid for input of size 5", floats.getMessage());
        IllegalArgumentException doubles = assertThrows(IllegalArgumentException.class,
                () -> PrimitiveLists.fromDoubleList(DoubleArrayList.newListWith(1, 2), 3));
        assertEquals("shape '[3]' is invalid for input of size 2", doubles.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> PrimitiveLists.fromFloatList(FloatArrayList.newListWith(1f, 2f), -1, 2));
        assertEquals(negative.getMessage(), assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new float[] {1f, 2f}, -1, 2)).getMessage(), "the same check as fromArray");
    }
}
