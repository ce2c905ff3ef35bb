package org.vectorgrad.spark;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * All-reduce over the {@link Mesh}: worker r owns chunk r of the vector. Reduce-scatter: everyone
 * sends chunk j to worker j, which adds the K copies in worker order. All-gather: everyone sends
 * its summed chunk to all. Each worker moves 2·(K-1)/K of the vector each way, as a ring does,
 * in two rounds instead of 2·(K-1). One thread drives all connections (non-blocking, a selector
 * waits when nothing can move), so no thread hand-off is paid per step.
 */
final class SocketAllReduce implements AllReduce {
    private static final int HEADER = 12;
    private static final int SWAP_PHASE = 3;
    private static final int HEAP_WINDOW = 1 << 20;

    private final int rank;
    private final SocketChannel[] peers;
    private final Selector selector;
    private final SelectionKey[] keys;
    private final ByteBuffer[] out;
    private final ByteBuffer[] in;
    private final BooleanSupplier killed;
    private float[][] parts = new float[0][];

    SocketAllReduce(int rank, SocketChannel[] peers, BooleanSupplier killed) throws IOException {
        this.rank = rank;
        this.peers = peers;
        this.killed = killed;
        this.selector = Selector.open();
        this.keys = new SelectionKey[peers.length];
        this.out = new ByteBuffer[peers.length];
        this.in = new ByteBuffer[peers.length];
        for (int j = 0; j < peers.length; j++) {
            if (j != rank) {
                peers[j].configureBlocking(false);
                keys[j] = peers[j].register(selector, 0);
            }
        }
    }

    @Override
    public float[] sum(float[] v, int step) throws IOException {
        int k = peers.length;
        if (k == 1) {
            return v;
        }
        int n = v.length;
        int mine = AllReduce.bound(n, k, rank);
        int mineLength = AllReduce.bound(n, k, rank + 1) - mine;
        ensureBuffers(n, k);
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                int from = AllReduce.bound(n, k, j);
                fill(out[j], step, 1, v, from, AllReduce.bound(n, k, j + 1) - from);
                in[j].clear().limit(HEADER + 4 * mineLength);
            }
        }
        transfer(out, in, step);
        int[] offsets = new int[k];
        for (int j = 0; j < k; j++) {
            if (j == rank) {
                parts[j] = v;
                offsets[j] = mine;
            } else {
                checkHeader(in[j], j, step, 1, mineLength);
                in[j].asFloatBuffer().get(parts[j], 0, mineLength);
            }
        }
        AllReduce.addInOrder(parts, offsets, mineLength, v, mine);
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                fill(out[j], step, 2, v, mine, mineLength);
                int from = AllReduce.bound(n, k, j);
                in[j].clear().limit(HEADER + 4 * (AllReduce.bound(n, k, j + 1) - from));
            }
        }
        transfer(out, in, step);
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                int from = AllReduce.bound(n, k, j);
                int length = AllReduce.bound(n, k, j + 1) - from;
                checkHeader(in[j], j, step, 2, length);
                in[j].asFloatBuffer().get(v, from, length);
            }
        }
        return v;
    }

    private void ensureBuffers(int n, int k) {
        int largest = AllReduce.bound(n, k, 1) + 1;
        if (parts.length == k && parts[rank == 0 ? 1 : 0].length >= largest) {
            return;
        }
        parts = new float[k][];
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                parts[j] = new float[largest];
                out[j] = ByteBuffer.allocateDirect(HEADER + 4 * largest).order(ByteOrder.LITTLE_ENDIAN);
                in[j] = ByteBuffer.allocateDirect(HEADER + 4 * largest).order(ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    private static void fill(ByteBuffer buffer, int step, int phase, float[] v, int from, int length) {
        buffer.clear();
        buffer.putInt(step).putInt(phase).putInt(length);
        buffer.asFloatBuffer().put(v, from, length);
        buffer.position(HEADER + 4 * length).flip();
    }

    private void checkHeader(ByteBuffer received, int peer, int step, int phase, int length) throws IOException {
        ByteBuffer b = received.flip();
        int s = b.getInt();
        int p = b.getInt();
        int l = b.getInt();
        if (s != step || p != phase || l != length) {
            throw new IOException("worker " + rank + " expected step " + step + " phase " + phase + " (" + length
                    + " floats) from worker " + peer + ", got step " + s + " phase " + p + " (" + l + " floats)");
        }
    }

    /**
     * Sends the samples each peer needs: first every message's length (a header), then the
     * messages, both through {@link #transfer}; the step of the header is -1.
     */
    @Override
    public byte[][] swap(byte[][] outgoing) throws IOException {
        int k = peers.length;
        ByteBuffer[] sending = new ByteBuffer[k];
        ByteBuffer[] receiving = new ByteBuffer[k];
        for (int j = 0; j < k; j++) {
            if (j != rank) {
                sending[j] = ByteBuffer.allocate(HEADER).putInt(-1).putInt(SWAP_PHASE).putInt(outgoing[j].length).flip();
                receiving[j] = ByteBuffer.allocate(HEADER);
            }
        }
        transfer(sending, receiving, -1);
        byte[][] incoming = new byte[k][];
        for (int j = 0; j < k; j++) {
            incoming[j] = new byte[0];
            if (j != rank) {
                ByteBuffer header = receiving[j].flip();
                int step = header.getInt();
                int phase = header.getInt();
                int length = header.getInt();
                if (step != -1 || phase != SWAP_PHASE || length < 0) {
                    throw new IOException("worker " + rank + " expected the sample swap's header from worker " + j
                            + ", got step " + step + " phase " + phase + " (" + length + " bytes)");
                }
                incoming[j] = new byte[length];
                sending[j] = ByteBuffer.wrap(outgoing[j]);
                receiving[j] = ByteBuffer.wrap(incoming[j]);
            }
        }
        transfer(sending, receiving, -1);
        return incoming;
    }

    /** Writes every {@code out} buffer and fills every {@code in} buffer, waiting on the selector when stuck. */
    private void transfer(ByteBuffer[] out, ByteBuffer[] in, int step) throws IOException {
        while (true) {
            boolean pending = false;
            boolean moved = false;
            for (int j = 0; j < peers.length; j++) {
                if (j == rank) {
                    continue;
                }
                int ops = 0;
                try {
                    if (out[j].hasRemaining()) {
                        moved |= write(peers[j], out[j]) > 0;
                        ops |= out[j].hasRemaining() ? SelectionKey.OP_WRITE : 0;
                    }
                    if (in[j].hasRemaining()) {
                        int read = read(peers[j], in[j]);
                        if (read < 0) {
                            throw new PeerLostException(j, AllReduce.doing(step), null);
                        }
                        moved |= read > 0;
                        ops |= in[j].hasRemaining() ? SelectionKey.OP_READ : 0;
                    }
                } catch (PeerLostException e) {
                    throw e;
                } catch (IOException e) { // reset, broken pipe: the peer is gone
                    throw new PeerLostException(j, AllReduce.doing(step), e);
                }
                keys[j].interestOps(ops);
                pending |= ops != 0;
            }
            if (!pending) {
                return;
            }
            if (!moved) {
                selector.select(1000);
                selector.selectedKeys().clear();
                if (Thread.interrupted() || killed.getAsBoolean()) {
                    throw new InterruptedIOException("worker " + rank + " was cancelled " + AllReduce.doing(step));
                }
            }
        }
    }

    // A heap buffer goes through a temporary direct buffer of its whole remaining size, which the
    // JDK then keeps per thread: tens of MB for a sample swap. A window of HEAP_WINDOW bytes at a time.
    private static int write(SocketChannel channel, ByteBuffer buffer) throws IOException {
        if (buffer.isDirect() || buffer.remaining() <= HEAP_WINDOW) {
            return channel.write(buffer);
        }
        ByteBuffer window = buffer.slice(buffer.position(), HEAP_WINDOW);
        int written = channel.write(window);
        buffer.position(buffer.position() + written);
        return written;
    }

    private static int read(SocketChannel channel, ByteBuffer buffer) throws IOException {
        if (buffer.isDirect() || buffer.remaining() <= HEAP_WINDOW) {
            return channel.read(buffer);
        }
        ByteBuffer window = buffer.slice(buffer.position(), HEAP_WINDOW);
        int read = channel.read(window);
        if (read > 0) {
            buffer.position(buffer.position() + read);
        }
        return read;
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing to release beyond what close already did
        }
        Mesh.closeAll(peers);
    }
}
