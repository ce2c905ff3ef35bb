package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Shapes at and beyond what int-indexed storage can address. PyTorch (int64 sizes) accepts these
 * shapes, so there is no PyTorch text to match: Vectorgrad must refuse them with an
 * IllegalArgumentException naming the shape, never wrap around to a small or negative count (an
 * expand to 50000×50000 used to sum to 0) or fail with NegativeArraySizeException.
 */
final class SizeLimitsTest {

    private static IllegalArgumentException refused(Executable call, String... mentions) {
        IllegalArgumentException e = assertThrowsExactly(IllegalArgumentException.class, call);
        for (String mention : mentions) {
            assertTrue(e.getMessage().contains(mention), "message should name " + mention + ": " + e.getMessage());
        }
        return e;
    }

    @Test
    void anExpandBeyondIntRangeIsRefusedInsteadOfSummingToZero() {
        Tensor one = Tensor.ones(1, 1);
        refused(() -> one.expand(50000, 50000).sum(), "[50000, 50000]", "2500000000", "2147483647");
        // 2^32 elements: a wrapping count would be exactly 0.
        refused(() -> one.expand(65536, 65536), "[65536, 65536]");
        refused(() -> one.expand(2, 1 << 30), "[2, 1073741824]");
        // The largest count that fits is still a valid (lazy, stride-0) view.
        assertEquals(Integer.MAX_VALUE, one.expand(1, Integer.MAX_VALUE).numel());
    }

    @Test
    void eyeOfAnImpossibleSizeNamesNAndTheLimit() {
        refused(() -> Tensor.eye(50000), "eye(50000)", "n * n", "2500000000", "2147483647");
        refused(() -> Tensor.eye(Integer.MAX_VALUE), "eye(2147483647)", "n * n");
        assertArrayEquals(new float[] {1, 0, 0, 1}, Tensor.eye(2).toArray());
    }

    @Test
    void creationRefusesShapesBeyondIntRangeNamingThem() {
        refused(() -> Tensor.zeros(50000, 50000), "[50000, 50000]");
        refused(() -> Tensor.full(1f, 1 << 16, 1 << 16), "[65536, 65536]");
        refused(() -> Tensor.rand(1 << 16, 1 << 16), "[65536, 65536]");
        refused(() -> Tensor.randn(3, 1 << 30), "[3, 1073741824]");
        refused(() -> Tensor.fromArray(new float[0], 1 << 16, 1 << 16, 0), "[65536, 65536, 0]");
    }

    /** 50000 references to one row: little memory, but rows × columns wraps to a negative int. */
    @Test
    void rowsWhoseCountOverflowsAreRefusedNamingTheShape() {
        float[] row = new float[50000];
        float[][] rows = new float[50000][];
        Arrays.fill(rows, row);
        refused(() -> Tensor.of(rows), "[50000, 50000]");
    }

    @Test
    void viewsAndJoinsRefuseResultsBeyondIntRange() {
        Tensor wide = Tensor.ones(1).expand(1 << 30);
        refused(() -> Tensor.cat(List.of(wide, wide), 0), "2147483648");
        refused(() -> Tensor.stack(List.of(wide, wide), 0), "[2, 1073741824]");
        refused(() -> wide.unsqueeze(0).expand(4, 1 << 30), "[4, 1073741824]");
        refused(() -> Tensor.ones(1, 1).expand(50000, 1).matmul(Tensor.ones(1, 1).expand(1, 50000)), "[50000, 50000]");
    }

    /**
     * A size-0 dim makes the count 0, but the other sizes still set the strides a contiguous
     * layout would have: those must fit an int too, so the rule counts a 0 as 1.
     */
    @Test
    void everyLayoutIsCheckedWhereverItIsBuilt() {
        refused(() -> new Layout(new int[] {50000, 50000}, new int[] {0, 0}, 0), "[50000, 50000]");
        refused(() -> Layout.contiguous(0, 1 << 16, 1 << 16), "[0, 65536, 65536]", "4294967296");
        refused(() -> new Layout(new int[] {2, -3}, new int[] {1, 1}, 0), "-3", "[2, -3]");
        assertEquals(0, Layout.contiguous(0, 1 << 15, 1 << 15).numel());
    }

    /** Window sizes computed in int wrapped around: a huge padding looked like a negative input size. */
    @Test
    void windowGeometryBeyondIntRangeIsRefusedNamingThePadding() {
        Tensor x = Tensor.ones(1, 1, 4, 4);
        Tensor w = Tensor.ones(1, 1, 3, 3);
        refused(() -> org.vectorgrad.nn.Functional.conv2d(x, w, null, Integer.MAX_VALUE, (1 << 30) + 10, 1),
                "padding=1073741834", "2147483672");
        Tensor wide = Tensor.ones(1, 1, 1, 1).expand(1, 1, 1, 1 << 30);
        refused(() -> org.vectorgrad.nn.Functional.maxPool2d(wide, (1 << 30) + 2, 1 << 30, (1 << 29) + 1),
                "padding 536870913");
    }

    /** The bounds check of a nested narrow used to overflow (start + length) and read past the view. */
    @Test
    void aNestedNarrowWithAHugeLengthIsRefused() {
        Tensor inner = Tensor.arange(10).narrow(0, 2, 3);
        refused(() -> inner.narrow(0, 1, Integer.MAX_VALUE), "start (1) + length (2147483647) exceeds dimension size (3)");
        refused(() -> inner.narrow(0, -1, Integer.MAX_VALUE), "start (2) + length (2147483647)");
        assertArrayEquals(new float[] {3, 4}, inner.narrow(0, 1, 2).toArray());
    }
}
