package org.vectorgrad.simd;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * A plain vectorised GEMM: C is computed in panels of {@code NR = 2} vectors of columns; a panel
 * of B is read in place when its rows are contiguous and otherwise packed (zero-padded) into a
 * contiguous k×NR scratch panel; a 4×NR register block of C accumulates with FMA over k while
 * a[i, p] is broadcast. Matrix·vector (n == 1) and vector·matrix (m == 1) products whose
 * operands allow it run as dot products or as a 1-row GEMM of the transposed problem.
 *
 * <p>Vectors stay inside one method (a vector passed to a helper C2 did not inline is boxed).
 * In the GEMM every C element is an FMA chain over p in increasing order, the same in every
 * block shape, so results do not depend on where an element falls relative to block or panel
 * boundaries; the dot products combine their partial sums in a fixed order too.
 */
final class VectorMatmul {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final int NR = 2 * L;
    private static final int MR = 4;

    private VectorMatmul() {
    }

    static void matmul(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                       float[] b, int bOffset, int bRowStride, int bColStride,
                       float[] c, int cOffset, int cRowStride, boolean accumulate) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            for (int i = 0; i < m && !accumulate; i++) {
                Arrays.fill(c, cOffset + i * cRowStride, cOffset + i * cRowStride + n, 0f);
            }
        } else if (n == 1 && aColStride == 1) {
            // C[i] = A[i, :] · B[:, 0]
            float[] y = bRowStride == 1 ? b : pack(b, bOffset, bRowStride, k);
            dots(m, a, aOffset, aRowStride, y, y == b ? bOffset : 0, k, c, cOffset, cRowStride, accumulate);
        } else if (m == 1 && bRowStride == 1) {
            // C[j] = A[0, :] · B[:, j]
            float[] y = aColStride == 1 ? a : pack(a, aOffset, aColStride, k);
            dots(n, b, bOffset, bColStride, y, y == a ? aOffset : 0, k, c, cOffset, 1, accumulate);
        } else if (n == 1 && aRowStride == 1) {
            transposedColumn(m, k, a, aOffset, aColStride, b, bOffset, bRowStride, c, cOffset,
                    cRowStride, accumulate);
        } else {
            gemm(m, n, k, a, aOffset, aRowStride, aColStride, b, bOffset, bRowStride, bColStride,
                    c, cOffset, cRowStride, accumulate);
        }
    }

    // C (m×1) = A·b with A's columns contiguous: as a row, Cᵀ = bᵀ·Aᵀ, a 1-row GEMM whose
    // right operand (Aᵀ) has contiguous rows.
    private static void transposedColumn(int m, int k, float[] a, int aOffset, int aColStride,
                                         float[] b, int bOffset, int bRowStride,
                                         float[] c, int cOffset, int cRowStride, boolean accumulate) {
        if (cRowStride == 1) {
            gemm(1, m, k, b, bOffset, 0, bRowStride, a, aOffset, aColStride, 1, c, cOffset, 0, accumulate);
            return;
        }
        float[] row = new float[m];
        gemm(1, m, k, b, bOffset, 0, bRowStride, a, aOffset, aColStride, 1, row, 0, 0, false);
        for (int i = 0; i < m; i++) {
            int at = cOffset + i * cRowStride;
            c[at] = accumulate ? c[at] + row[i] : row[i];
        }
    }

    private static float[] pack(float[] x, int offset, int stride, int k) {
        float[] packed = new float[k];
        for (int p = 0; p < k; p++) {
            packed[p] = x[offset + p * stride];
        }
        return packed;
    }

    // out[r * outStride] (+)= x[xOffset + r * xStride + p] · y[yOffset + p] summed over p < k.
    private static void dots(int count, float[] x, int xOffset, int xStride, float[] y, int yOffset,
                             int k, float[] out, int outOffset, int outStride, boolean accumulate) {
        float[] lanes = new float[L];
        for (int r = 0; r < count; r++) {
            float dot = (float) VectorReductions.contiguousDot(x, xOffset + r * xStride, y, yOffset, k, lanes);
            int at = outOffset + r * outStride;
            out[at] = accumulate ? out[at] + dot : dot;
        }
    }

    private static void gemm(int m, int n, int k, float[] a, int aOffset, int aRowStride, int aColStride,
                             float[] b, int bOffset, int bRowStride, int bColStride,
                             float[] c, int cOffset, int cRowStride, boolean accumulate) {
        float[] panel = null;
        float[] tile = new float[MR * NR];
        for (int jb = 0; jb < n; jb += NR) {
            int width = Math.min(NR, n - jb);
            float[] p = b;
            int pOffset = bOffset + jb;
            int pStride = bRowStride;
            if (bColStride != 1 || width < NR) {
                panel = panel == null ? new float[k * NR] : panel;
                pack(b, bOffset + jb * bColStride, bRowStride, bColStride, k, width, panel);
                p = panel;
                pOffset = 0;
                pStride = NR;
            }
            int i = 0;
            for (; i + MR <= m; i += MR) {
                block4(a, aOffset + i * aRowStride, aRowStride, aColStride, k, p, pOffset, pStride,
                        c, cOffset + i * cRowStride + jb, cRowStride, width, accumulate, tile);
            }
            for (; i < m; i++) {
                block1(a, aOffset + i * aRowStride, aColStride, k, p, pOffset, pStride,
                        c, cOffset + i * cRowStride + jb, width, accumulate);
            }
        }
    }

    // panel[p * NR + j] = B[p, j] for j < width, 0 beyond; walks B along its shorter stride.
    private static void pack(float[] b, int base, int rowStride, int colStride, int k, int width,
                             float[] panel) {
        if (width < NR) {
            Arrays.fill(panel, 0f);
        }
        if (Math.abs(rowStride) < Math.abs(colStride)) {
            for (int j = 0; j < width; j++) {
                for (int p = 0; p < k; p++) {
                    panel[p * NR + j] = b[base + p * rowStride + j * colStride];
                }
            }
        } else {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < width; j++) {
                    panel[p * NR + j] = b[base + p * rowStride + j * colStride];
                }
            }
        }
    }

    // C[0..4, 0..width) (+)= A[0..4, :] · P[:, 0..NR), P's rows pStride apart. The accumulators
    // leave through a small tile array and C is updated by a scalar loop: that keeps this method
    // small enough for C1's profiling tier, which gives up on it otherwise (and HotSpot then left
    // it in C1 code, without vector intrinsics, for good: 70 times slower).
    private static void block4(float[] a, int ao, int ars, int acs, int k, float[] p, int po, int ps,
                               float[] c, int co, int crs, int width, boolean accumulate, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int t = 0; t < k; t++) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, p, po + t * ps);
            FloatVector b1 = FloatVector.fromArray(SPECIES, p, po + t * ps + L);
            int at = ao + t * acs;
            FloatVector x = FloatVector.broadcast(SPECIES, a[at]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SPECIES, a[at + ars]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SPECIES, a[at + 2 * ars]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SPECIES, a[at + 3 * ars]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < width; j++) {
                int at = co + r * crs + j;
                c[at] = accumulate ? c[at] + tile[r * NR + j] : tile[r * NR + j];
            }
        }
    }

    // C[0, 0..width) (+)= A[0, :] · P[:, 0..NR)
    private static void block1(float[] a, int ao, int acs, int k, float[] p, int po, int ps,
                               float[] c, int co, int width, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(SPECIES);
        FloatVector c1 = c0;
        for (int t = 0; t < k; t++) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[ao + t * acs]);
            c0 = x.fma(FloatVector.fromArray(SPECIES, p, po + t * ps), c0);
            c1 = x.fma(FloatVector.fromArray(SPECIES, p, po + t * ps + L), c1);
        }
        VectorMask<Float> m0 = SPECIES.indexInRange(0, width);
        VectorMask<Float> m1 = SPECIES.indexInRange(L, width);
        if (accumulate) {
            c0 = c0.add(FloatVector.fromArray(SPECIES, c, co, m0));
            c1 = c1.add(FloatVector.fromArray(SPECIES, c, co + L, m1));
        }
        c0.intoArray(c, co, m0);
        c1.intoArray(c, co + L, m1);
    }
}
