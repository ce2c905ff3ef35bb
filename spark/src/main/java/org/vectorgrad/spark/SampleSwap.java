package org.vectorgrad.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Moves samples to the workers whose shares of the epoch need them ({@link BatchShares}): every
 * worker knows the epoch's order, so it knows what each peer needs and sends it the samples of
 * its partition among them, in one exchange per epoch. On the wire: count, indices, labels, then
 * features (little-endian); received samples become blocks of consecutive indices.
 */
final class SampleSwap {
    private SampleSwap() {
    }

    static ShardView complete(ShardView own, BatchShares shares, int rank, AllReduce exchange) throws IOException {
        byte[][] outgoing = new byte[shares.world()][];
        for (int peer = 0; peer < outgoing.length; peer++) {
            outgoing[peer] = peer == rank ? new byte[0] : encode(own, shares.epochOf(peer));
        }
        byte[][] incoming = exchange.swap(outgoing);
        List<SampleBlock> received = new ArrayList<>();
        for (int peer = 0; peer < incoming.length; peer++) {
            if (peer != rank) {
                received.addAll(decode(incoming[peer], own.featureSize()));
            }
        }
        return checked(own.plus(received), shares, rank);
    }

    /** The view, once every sample of worker {@code rank}'s shares is in it (else the peers' data did not tile). */
    static ShardView checked(ShardView view, BatchShares shares, int rank) {
        for (int index : shares.epochOf(rank)) {
            if (!view.holds(index)) {
                throw new IllegalStateException("worker " + rank + " needs sample " + index
                        + " this epoch, but no worker holds it");
            }
        }
        return view;
    }

    /** The samples of {@code wanted} that {@code own} holds, sorted by index. */
    static byte[] encode(ShardView own, int[] wanted) {
        int[] held = Arrays.stream(wanted).filter(own::holds).sorted().toArray();
        int n = held.length;
        int featureSize = own.featureSize();
        long size = 4 + 8L * n + 4L * n * featureSize;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(n + " samples of " + featureSize + " features are more than one 2 GB"
                    + " message to a peer per epoch: use more partitions");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(n);
        bytes.asIntBuffer().put(held);
        // Sample by sample through one row: the message is the only full-size copy.
        FloatBuffer features = bytes.position(4 + 8 * n).asFloatBuffer();
        float[] row = new float[featureSize];
        for (int i = 0; i < n; i++) {
            bytes.putInt(4 + 4 * (n + i), own.copy(held[i], row, 0));
            features.put(row);
        }
        return bytes.array();
    }

    static List<SampleBlock> decode(byte[] message, int featureSize) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        int n = bytes.getInt();
        if (n < 0 || message.length != 4 + 8L * n + 4L * n * featureSize) {
            throw new IOException("a sample message of " + message.length + " bytes cannot hold " + n
                    + " samples of " + featureSize + " features");
        }
        int[] indices = new int[n];
        int[] labels = new int[n];
        bytes.asIntBuffer().get(indices).get(labels);
        FloatBuffer features = bytes.position(4 + 8 * n).asFloatBuffer();
        List<SampleBlock> runs = new ArrayList<>();
        for (int start = 0, end; start < n; start = end) {
            end = start + 1;
            while (end < n && indices[end] == indices[end - 1] + 1) {
                end++;
            }
            float[] run = new float[(end - start) * featureSize];
            features.get(start * featureSize, run);
            runs.add(new SampleBlock(indices[start], featureSize, run, Arrays.copyOfRange(labels, start, end)));
        }
        return runs;
    }
}
