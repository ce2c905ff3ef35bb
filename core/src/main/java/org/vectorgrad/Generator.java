package org.vectorgrad;

import java.util.Locale;

/**
 * Pseudo-random generator that reproduces PyTorch 1.13's CPU generator ({@code CPUGeneratorImpl})
 * bit for bit: the same MT19937 stream, the same float32 {@code uniform_}/{@code rand} and
 * {@code normal_}/{@code randn} transforms (including PyTorch's cached second Box-Muller sample), and
 * the same {@code randperm} shuffle.
 *
 * <p>The reference is PyTorch 1.13 running its AVX2 kernels (ATEN_CPU_CAPABILITY=avx2, what its x86-64
 * builds select on AVX2 machines). Its kernels for machines without AVX2 round float normals and
 * uniform_ ranges differently and are not reproduced.
 *
 * <p>Every public method that touches state is {@code synchronized}: like PyTorch's default generator,
 * one instance may be shared by many threads, and each call consumes its part of the stream atomically.
 */
public final class Generator {

    /** PyTorch's {@code default_rng_seed_val}: the seed of a fresh {@code torch.Generator()}. */
    static final long DEFAULT_SEED = 67280421310721L;

    private static final int MT_N = 624;
    private static final int MT_M = 397;
    private static final int MT_MATRIX_A = 0x9908b0df;
    private static final int MT_UPPER = 0x80000000;
    private static final int MT_LOWER = 0x7fffffff;

    /** Below this many elements (or for non-contiguous tensors) PyTorch uses the scalar double path. */
    private static final int VECTOR_BLOCK = 16;
    private static final int HALF_BLOCK = VECTOR_BLOCK / 2;

    // Cephes single-precision log coefficients, as used by PyTorch's avx_mathfun.h.
    private static final float LOG_SQRT_HALF = (float) 0.707106781186547524;
    private static final float[] LOG_POLY = {
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f,
    };
    private static final float LOG_Q1 = -2.12194440e-4f;
    private static final float LOG_Q2 = 0.693359375f;

    // Cephes single-precision sin/cos coefficients and the three-part split of -pi/4.
    private static final float FOUR_OVER_PI = 1.27323954473516f;
    private static final float MINUS_DP1 = -0.78515625f;
    private static final float MINUS_DP2 = -2.4187564849853515625e-4f;
    private static final float MINUS_DP3 = -3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;

    /** NOTE: PyTorch rounds the double 2*pi to float once and multiplies in float. */
    private static final float TWO_PI_F = (float) (2.0 * Math.PI);

    // Created after all constants above, so static initialisation order cannot bite.
    private static final Generator DEFAULT = new Generator(DEFAULT_SEED);

    private final int[] mt = new int[MT_N];
    private int mtLeft;
    private int mtNext;
    private long seed;
    private boolean hasCachedNormal;
    private double cachedNormal;

    /** Equivalent to {@code torch.Generator().manual_seed(seed)}. */
    public Generator(long seed) {
        // Seeding through the synchronized method publishes the initial state safely to any thread
        // that later locks this instance, even if the reference itself was shared through a race.
        manualSeed(seed);
    }

    /** The process-wide generator, seeded like PyTorch's default CPU generator at start-up. */
    public static Generator defaultGenerator() {
        return DEFAULT;
    }

    /**
     * Resets the generator exactly as {@code torch.manual_seed(seed)} does. Every long is accepted:
     * PyTorch reinterprets negative Python ints as their two's-complement uint64, which is precisely a
     * Java long's bit pattern. Only the low 32 bits reach MT19937; the full value is kept for
     * {@link #initialSeed()}.
     */
    public synchronized Generator manualSeed(long seed) {
        this.seed = seed;
        hasCachedNormal = false;
        cachedNormal = 0.0;
        mt[0] = (int) seed;
        for (int i = 1; i < MT_N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        // PyTorch starts with left = 1 so that the very first draw triggers the twist.
        mtLeft = 1;
        mtNext = 0;
        return this;
    }

    /** The seed last given to {@link #manualSeed}; read it as unsigned to compare with PyTorch's. */
    public synchronized long initialSeed() {
        return seed;
    }

    /** Same values as {@code tensor.uniform_(from, to)} on a contiguous float32 tensor of n elements. */
    public synchronized void fillUniform(float[] dst, int offset, int n, float from, float to) {
        checkRange(dst, offset, n);
        checkUniformBounds(from, to);
        for (int i = 0; i < n; i++) {
            dst[offset + i] = uniformFloat(from, to);
        }
    }

    /**
     * Same values as {@code tensor.normal_(mean, std)} on a contiguous float32 tensor of n elements.
     * Like PyTorch, n >= 16 takes the 16-wide float Box-Muller path and smaller n the scalar double
     * path with its cached second sample; the two paths consume the stream differently.
     */
    public synchronized void fillNormal(float[] dst, int offset, int n, float mean, float std) {
        checkRange(dst, offset, n);
        if (!(std >= 0f)) {
            throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + cpp(std));
        }
        if (n >= VECTOR_BLOCK) {
            normalFillBlocks(dst, offset, n, mean, std);
        } else {
            for (int i = 0; i < n; i++) {
                dst[offset + i] = (float) nextDoubleNormal(mean, std);
            }
        }
    }

    /** Same values as {@code torch.randperm(n)} (int64 on CPU, here narrowed to int since n is an int). */
    public synchronized int[] randperm(int n) {
        if (n < 0) {
            throw new IllegalArgumentException(
                "Trying to create tensor with negative dimension " + n + ": [" + n + "]");
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        // PyTorch 1.13 swaps position i with a later position chosen by a plain (slightly biased)
        // modulo of one 32-bit draw, for every n; later releases changed the algorithm for huge n.
        for (int i = 0; i < n - 1; i++) {
            int j = i + (int) (Integer.toUnsignedLong(nextInt()) % (n - i));
            int saved = perm[i];
            perm[i] = perm[j];
            perm[j] = saved;
        }
        return perm;
    }

    // ------------------------------------------------------------------ MT19937

    /** One tempered 32-bit MT19937 output (PyTorch's {@code random()}), as a signed int. */
    private int nextInt() {
        if (--mtLeft == 0) {
            twist();
        }
        int y = mt[mtNext++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** PyTorch's {@code random64()}: the first 32-bit draw is the high word. */
    private long nextLong() {
        long hi = Integer.toUnsignedLong(nextInt());
        long lo = Integer.toUnsignedLong(nextInt());
        return (hi << 32) | lo;
    }

    private void twist() {
        int i = 0;
        for (; i < MT_N - MT_M; i++) {
            mt[i] = mt[i + MT_M] ^ twistBits(mt[i], mt[i + 1]);
        }
        for (; i < MT_N - 1; i++) {
            mt[i] = mt[i + MT_M - MT_N] ^ twistBits(mt[i], mt[i + 1]);
        }
        mt[MT_N - 1] = mt[MT_M - 1] ^ twistBits(mt[MT_N - 1], mt[0]);
        mtLeft = MT_N;
        mtNext = 0;
    }

    private static int twistBits(int u, int v) {
        int mixed = (u & MT_UPPER) | (v & MT_LOWER);
        return (mixed >>> 1) ^ ((v & 1) != 0 ? MT_MATRIX_A : 0);
    }

    // ------------------------------------------------------------------ distributions

    /**
     * PyTorch's {@code uniform_real_distribution<float>}: 24 random bits scaled into [0, 1).
     * NOTE: PyTorch's AVX2 kernel build lets GCC contract {@code x * (to - from) + from} into a fused
     * multiply-add (one rounding); the unfused form differs in the last bit for e.g. uniform_(0.1, 0.3).
     */
    private float uniformFloat(float from, float to) {
        float x = (nextInt() & 0xffffff) * 0x1p-24f;
        return Math.fma(x, to - from, from);
    }

    /** PyTorch's {@code uniform_real_distribution<double>(0, 1)}: the low 53 bits of random64(). */
    private double uniformDouble() {
        return (nextLong() & ((1L << 53) - 1)) * 0x1p-53;
    }

    /**
     * PyTorch's {@code normal_distribution<double>}: Box-Muller in double, returning the cosine sample
     * and caching the sine sample for the next scalar-path call (the cache survives calls to the
     * other distributions and is cleared only by reseeding).
     * NOTE: PyTorch calls glibc's log/sin/cos; StrictMath (fdlibm) may differ from them in the last
     * bit of a double, which survives the caller's rounding to float only with probability of order
     * 2^-29 per sample. {@code ret * std + mean} is contracted to an FMA, as GCC does there.
     */
    private double nextDoubleNormal(double mean, double std) {
        double ret;
        if (hasCachedNormal) {
            hasCachedNormal = false;
            ret = cachedNormal;
        } else {
            double u1 = uniformDouble();
            double u2 = uniformDouble();
            double radius = Math.sqrt(-2.0 * StrictMath.log(1.0 - u2));
            double theta = 2.0 * Math.PI * u1;
            cachedNormal = radius * StrictMath.sin(theta);
            hasCachedNormal = true;
            ret = radius * StrictMath.cos(theta);
        }
        return Math.fma(ret, std, mean);
    }

    /**
     * PyTorch's {@code normal_fill_AVX2}: draw n uniforms, transform each full block of 16 in place,
     * then, if n is not a multiple of 16, draw 16 fresh uniforms over the last 16 slots (overwriting
     * normals already written there) and transform that block too. This path never touches the
     * cached normal sample.
     */
    private void normalFillBlocks(float[] dst, int offset, int n, float mean, float std) {
        for (int i = 0; i < n; i++) {
            dst[offset + i] = uniformFloat(0f, 1f);
        }
        for (int i = 0; i + VECTOR_BLOCK <= n; i += VECTOR_BLOCK) {
            boxMuller16(dst, offset + i, mean, std);
        }
        if (n % VECTOR_BLOCK != 0) {
            int tail = offset + n - VECTOR_BLOCK;
            for (int i = 0; i < VECTOR_BLOCK; i++) {
                dst[tail + i] = uniformFloat(0f, 1f);
            }
            boxMuller16(dst, tail, mean, std);
        }
    }

    /**
     * One 16-float block: lane j pairs u1 = 1 - d[j] with u2 = d[j + 8] and writes the cosine sample
     * to d[j] and the sine sample to d[j + 8], exactly like the 8-wide AVX2 kernel.
     * NOTE: all arithmetic is float; the final {@code n * std + mean} is an explicit FMA in PyTorch.
     */
    private static void boxMuller16(float[] d, int base, float mean, float std) {
        for (int j = 0; j < HALF_BLOCK; j++) {
            float u1 = 1f - d[base + j];
            float u2 = d[base + j + HALF_BLOCK];
            // NOTE: sqrt via double then rounded to float is the correctly rounded float sqrt.
            float radius = (float) Math.sqrt(-2f * cephesLog(u1));
            long sinCos = cephesSinCos(TWO_PI_F * u2);
            float sin = Float.intBitsToFloat((int) (sinCos >>> 32));
            float cos = Float.intBitsToFloat((int) sinCos);
            d[base + j] = Math.fma(radius * cos, std, mean);
            d[base + j + HALF_BLOCK] = Math.fma(radius * sin, std, mean);
        }
    }

    /**
     * One lane of avx_mathfun's {@code log256_ps} for x in (0, 1].
     * NOTE: GCC fused every multiply whose only use is an add into an FMA in PyTorch's build: each
     * polynomial step, and {@code y * z + e * q1} (y * z fused, e * q1 rounded first). The remaining
     * products (z * 0.5, e * q2) are exact, so fusing them or not gives the same bits.
     */
    private static float cephesLog(float x) {
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        // Split into exponent e and a mantissa m in [0.5, 1), then fold m below sqrt(1/2) upwards.
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < LOG_SQRT_HALF;
        float fold = small ? x : 0f;
        x = x - 1f;
        e = e - (small ? 1f : 0f);
        x = x + fold;
        float z = x * x;
        float y = LOG_POLY[0];
        for (int i = 1; i < LOG_POLY.length; i++) {
            y = Math.fma(y, x, LOG_POLY[i]);
        }
        y = y * x;
        y = Math.fma(y, z, e * LOG_Q1);
        y = y - z * 0.5f;
        x = x + y;
        return x + e * LOG_Q2;
    }

    /**
     * One lane of avx_mathfun's {@code sincos256_ps}, returning sin in the high and cos in the low
     * 32 bits so that no object is allocated per sample.
     * NOTE: the sign and polynomial selection use the same integer tricks as the AVX code (octant j,
     * bit masks, sign-bit XOR); adding a masked +0.0 is kept because it can turn -0.0 into +0.0.
     * Products feeding an add are fused as GCC did: the three pi/4 reduction steps, both polynomials,
     * {@code y * z - z / 2} and {@code y2 * x + x}.
     */
    private static long cephesSinCos(float x) {
        int signSin = Float.floatToRawIntBits(x) & 0x80000000;
        x = Math.abs(x);
        int octant = ((int) (x * FOUR_OVER_PI) + 1) & ~1;
        float y = octant;
        signSin ^= (octant & 4) << 29;
        int signCos = (~(octant - 2) & 4) << 29;
        boolean sinFromSinPoly = (octant & 2) == 0;
        x = Math.fma(y, MINUS_DP1, x);
        x = Math.fma(y, MINUS_DP2, x);
        x = Math.fma(y, MINUS_DP3, x);
        float z = x * x;
        float c = Math.fma(Math.fma(COS_P0, z, COS_P1), z, COS_P2) * z;
        c = Math.fma(c, z, -(z * 0.5f)) + 1f;
        float s = Math.fma(Math.fma(SIN_P0, z, SIN_P1), z, SIN_P2) * z;
        s = Math.fma(s, x, x);
        float sinPart2 = sinFromSinPoly ? s : 0f;
        float sinPart1 = sinFromSinPoly ? 0f : c;
        float sin = sinPart1 + sinPart2;
        float cos = (c - sinPart1) + (s - sinPart2);
        int sinBits = Float.floatToRawIntBits(sin) ^ signSin;
        int cosBits = Float.floatToRawIntBits(cos) ^ signCos;
        return ((long) sinBits << 32) | Integer.toUnsignedLong(cosBits);
    }

    // ------------------------------------------------------------------ argument checks

    private static void checkRange(float[] dst, int offset, int n) {
        if (dst == null) {
            throw new IllegalArgumentException("dst must not be null");
        }
        if (n < 0) {
            throw new IllegalArgumentException(
                "Trying to create tensor with negative dimension " + n + ": [" + n + "]");
        }
        if (offset < 0 || offset > dst.length - n) {
            throw new IllegalArgumentException("offset " + offset + " and n " + n
                + " are out of range for an array of length " + dst.length);
        }
    }

    /** PyTorch's uniform_ checks, in PyTorch's order and with its wording. */
    private static void checkUniformBounds(float from, float to) {
        if (!(Math.abs(from) <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("from is out of bounds for float: from=" + cpp(from));
        }
        if (!(Math.abs(to) <= Float.MAX_VALUE)) {
            throw new IllegalArgumentException("to is out of bounds for float: to=" + cpp(to));
        }
        if (from > to) {
            throw new IllegalArgumentException("uniform_ expects to return a [from, to) range, but found from="
                + cpp(from) + " > to=" + cpp(to));
        }
        // PyTorch checks the width in double, so a width that only overflows in float is allowed.
        if ((double) to - (double) from > Float.MAX_VALUE) {
            throw new IllegalArgumentException("uniform_ expects to-from <= std::numeric_limits<Float>::max(), but found to="
                + cpp(to) + " and from=" + cpp(from) + " which result in to-from to exceed the limit");
        }
    }

    /** Formats like C++'s default ostream output (%g, 6 significant digits), as PyTorch messages do. */
    private static String cpp(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0.0) {
            return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        int exp = s.indexOf('e');
        String mantissa = exp < 0 ? s : s.substring(0, exp);
        String exponent = exp < 0 ? "" : s.substring(exp);
        if (mantissa.indexOf('.') >= 0) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return mantissa + exponent;
    }

    /**
     * {@code tensor.normal_(mean, std)} with PyTorch's double arguments: the 16-wide path (n >= 16)
     * rounds them to float as PyTorch does, while its scalar path (n &lt; 16) computes in double.
     */
    public synchronized void fillNormal(float[] dst, int offset, int n, double mean, double std) {
        if (n >= VECTOR_BLOCK) {
            fillNormal(dst, offset, n, (float) mean, (float) std);
            return;
        }
        checkRange(dst, offset, n);
        if (!(std >= 0.0)) {
            throw new IllegalArgumentException("normal expects std >= 0.0, but found std " + cpp(std));
        }
        for (int i = 0; i < n; i++) {
            dst[offset + i] = (float) nextDoubleNormal(mean, std);
        }
    }
}
