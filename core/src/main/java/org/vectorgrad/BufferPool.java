package org.vectorgrad;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Recycles the float buffers of large tensors that the autograd engine has proved dead, so that
 * the next tensor of the same size reuses memory that is still in cache instead of a fresh,
 * zeroed and cold {@code float[]} (on the JVM a 3 MB array costs 230-470 µs to allocate, zero and
 * write, against 40 µs to refill a reused one; above half a G1 region it is also a humongous
 * object). PyTorch gets the same effect from its allocator's free lists.
 *
 * <p>Buffers enter the pool only through {@link #release}, which the engine calls for a gradient
 * it created in the current backward pass and that nothing else can reach any more (see
 * {@link Engine}), {@link Tensor#zeroGrad} for a {@code .grad} buffer backward created and no
 * caller was given, and which an op calls for its own scratch (a convolution's packed weight and
 * columns, taken with {@link #forOverwrite} and given back on the same thread); any allocation
 * may take them back out, since a pooled buffer is unreachable by construction. Pools are per
 * thread, so taking and giving need no locks, and bounded; entries are soft references, so the
 * collector may still reclaim them under memory pressure.
 *
 * <p>While a backward pass runs on a thread, the buffers allocated on that thread are remembered
 * as born in the pass: only those may be released, so a tensor the caller created before (a
 * gradient passed to {@code backward}, a saved activation) is never recycled.
 */
final class BufferPool {
    /** Arrays below 64 KB come cheaply from the thread-local allocation buffer: not pooled. */
    static final int MIN_LENGTH = 1 << 14;
    /** Floats kept per thread (256 MB): a few training steps' worth of activations and gradients. */
    private static final long BUDGET = 1L << 26;
    private static final ThreadLocal<BufferPool> LOCAL = ThreadLocal.withInitial(BufferPool::new);

    /** Off only in tests that compare against plain allocation. */
    private static volatile boolean enabled = !Boolean.getBoolean("vectorgrad.noRecycling");

    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> free = new HashMap<>();
    private long pooled;
    /** True while a backward pass runs on this thread. */
    private boolean inPass;
    /** The large buffers allocated on this thread during the running pass (created on first use). */
    private Set<float[]> born;
    /** The buffer of the gradient the running derivative consumes, when nothing else references it. */
    private float[] donated;

    private BufferPool() {
    }

    static void setEnabled(boolean on) {
        enabled = on;
    }

    /** A zero-filled buffer of {@code length} floats, reused when the pool has one. */
    static float[] zeroed(int length) {
        float[] buffer = reusedOrNull(length);
        if (buffer == null) {
            return fresh(length);
        }
        Arrays.fill(buffer, 0f);
        return buffer;
    }

    /**
     * A buffer of {@code length} floats whose contents are undefined when it is reused: only for
     * a result whose kernel writes every element (the elementwise kernels), which saves refilling it.
     */
    static float[] forOverwrite(int length) {
        float[] buffer = reusedOrNull(length);
        return buffer != null ? buffer : fresh(length);
    }

    /**
     * The result buffer of an elementwise derivative whose element i reads only element i of
     * {@code grad}: grad's own buffer when the engine {@link #donate donated} it for the running
     * derivative, else {@link #forOverwrite}. A ReLU's backward then writes over the gradient it
     * consumes instead of a result buffer that is fresh (zeroed by the JVM, then cold) when the
     * pool's buffers of that size are held by the step's activations.
     */
    static float[] overwriting(Tensor grad, int length) {
        if (length >= MIN_LENGTH && grad.data.length == length && grad.isDenseStorage()) {
            BufferPool pool = LOCAL.get();
            if (pool.donated == grad.data) {
                pool.donated = null;
                return grad.data;
            }
        }
        return forOverwrite(length);
    }

    /**
     * Offers {@code buffer} (or nothing, for null) to the derivative about to run on this thread:
     * the engine vouches that the gradient viewing it is the only reference left, and that it
     * drops that gradient once the derivative returns.
     */
    static void donate(float[] buffer) {
        LOCAL.get().donated = buffer;
    }

    private static float[] reusedOrNull(int length) {
        return enabled && length >= MIN_LENGTH ? LOCAL.get().take(length) : null;
    }

    private static float[] fresh(int length) {
        float[] buffer = new float[length];
        return enabled && length >= MIN_LENGTH ? LOCAL.get().remember(buffer) : buffer;
    }

    /** Starts remembering this thread's allocations as born in a backward pass. */
    static void beginPass() {
        BufferPool pool = LOCAL.get();
        pool.inPass = enabled;
        pool.born = null;
    }

    /** Stops remembering; call in a finally block after {@link #beginPass}. */
    static void endPass() {
        BufferPool pool = LOCAL.get();
        pool.inPass = false;
        pool.born = null;
    }

    /** True when {@code buffer} was allocated on this thread during the running pass. */
    static boolean bornInPass(float[] buffer) {
        if (buffer.length < MIN_LENGTH) {
            return false;
        }
        Set<float[]> born = LOCAL.get().born;
        return born != null && born.contains(buffer);
    }

    /** The buffer now belongs to a tensor the caller can reach: no longer a candidate for release. */
    static void forget(float[] buffer) {
        Set<float[]> born = LOCAL.get().born;
        if (born != null) {
            born.remove(buffer);
        }
    }

    /**
     * Returns a dead buffer to this thread's pool. The caller guarantees that nothing references
     * it: the engine only releases gradients born in its pass whose last reference it consumed.
     */
    static void release(float[] buffer) {
        BufferPool pool = LOCAL.get();
        if (pool.born != null) {
            pool.born.remove(buffer);
        }
        // Disabled, nothing would ever take it back out.
        if (!enabled || buffer.length < MIN_LENGTH || pool.pooled + buffer.length > BUDGET) {
            return;
        }
        ArrayDeque<SoftReference<float[]>> list = pool.free.computeIfAbsent(buffer.length, length -> new ArrayDeque<>());
        for (SoftReference<float[]> entry : list) {
            if (entry.get() == buffer) {
                // Already free (a buffer two owners vouched for): pooled twice it would be handed out twice.
                return;
            }
        }
        list.push(new SoftReference<>(buffer));
        pool.pooled += buffer.length;
    }

    /** Floats waiting in this thread's pool (for tests). */
    static long pooledFloats() {
        return LOCAL.get().pooled;
    }

    private float[] take(int length) {
        ArrayDeque<SoftReference<float[]>> list = free.get(length);
        while (list != null && !list.isEmpty()) {
            float[] buffer = list.pop().get();
            pooled -= length;
            if (buffer != null) {
                return remember(buffer);
            }
        }
        return null;
    }

    private float[] remember(float[] buffer) {
        if (inPass) {
            if (born == null) {
                born = Collections.newSetFromMap(new IdentityHashMap<>());
            }
            born.add(buffer);
        }
        return buffer;
    }
}
