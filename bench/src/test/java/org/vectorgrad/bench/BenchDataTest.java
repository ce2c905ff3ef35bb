package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchDataTest {

    @Test
    void countsUseBinarySuffixes() {
        assertEquals(1024, BenchData.parseCount("1024"));
        assertEquals(64 * 1024, BenchData.parseCount("64K"));
        assertEquals(1 << 20, BenchData.parseCount("1M"));
        assertEquals(16 * 1024 * 1024, BenchData.parseCount("16m"));
        assertEquals(0, BenchData.parseCount("0"));
    }

    @Test
    void badCountsNameTheText() {
        IllegalArgumentException notANumber = assertThrows(IllegalArgumentException.class,
                () -> BenchData.parseCount("1G"));
        assertTrue(notANumber.getMessage().contains("'1G'"), notANumber.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BenchData.parseCount("M"));
        assertThrows(IllegalArgumentException.class, () -> BenchData.parseCount("-1"));
        IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class,
                () -> BenchData.parseCount("2048M"));
        assertTrue(tooLarge.getMessage().contains("'2048M'"), tooLarge.getMessage());
    }

    @Test
    void inputsRepeatForTheSameSeed() {
        assertArrayEquals(BenchData.gaussian(7, 100), BenchData.gaussian(7, 100));
        assertArrayEquals(BenchData.labels(7, 100, 10), BenchData.labels(7, 100, 10));
        for (int label : BenchData.labels(3, 1000, 10)) {
            assertTrue(label >= 0 && label < 10, "label " + label);
        }
    }

    @Test
    void matmulShapesAreSquareOrExplicit() {
        assertEquals(new MatmulShape(1024, 1024, 1024), MatmulShape.parse("1024"));
        MatmulShape layer = MatmulShape.parse("64x784x256");
        assertEquals(new MatmulShape(64, 784, 256), layer);
        assertEquals(2.0 * 64 * 784 * 256, layer.flops());
        assertEquals("64x784·784x256", layer.label());
    }

    @Test
    void badMatmulShapesNameTheText() {
        for (String bad : new String[] {"64x784", "axbxc", "", "0", "64x0x3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatmulShape.parse(bad));
            assertTrue(e.getMessage().contains("must"), e.getMessage());
        }
    }
}
