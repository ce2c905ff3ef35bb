package org.vectorgrad.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;

/**
 * All-reduce through {@code BarrierTaskContext.allGather}: every worker publishes its whole vector
 * as Base64 text (the only payload allGather carries), the driver relays all K messages to all,
 * and every worker adds them in worker order. No ports between executors, but each step's
 * gradients cross the driver's RPC endpoint K² times.
 */
final class AllGatherAllReduce implements AllReduce {
    /** Base64 bytes all k pieces of one round may take: half of Spark's default 128 MB RPC message limit. */
    private static final int ROUND_BUDGET = 64 << 20;

    private final BarrierTaskContext context;

    AllGatherAllReduce(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public float[] sum(float[] v, int step) throws IOException {
        String[] messages = gather(encode(step, v), step);
        float[][] parts = new float[messages.length][];
        for (int k = 0; k < messages.length; k++) {
            parts[k] = decode(messages[k], step, v.length, k);
        }
        AllReduce.addInOrder(parts, new int[parts.length], v.length, v, 0);
        return v;
    }

    /**
     * allGather delivers every message to every worker, so each worker publishes all it sends
     * (each peer's part after a table of lengths) in pieces small enough that one round's k
     * pieces fit in an RPC message, as many rounds as the largest needs, and every worker keeps
     * its own parts.
     */
    @Override
    public byte[][] swap(byte[][] outgoing) throws IOException {
        int k = outgoing.length;
        int total = 4 * k;
        for (byte[] part : outgoing) {
            total += part.length;
        }
        ByteBuffer packed = ByteBuffer.allocate(total);
        for (byte[] part : outgoing) {
            packed.putInt(part.length);
        }
        for (byte[] part : outgoing) {
            packed.put(part);
        }
        String[] sizes = gather(Integer.toString(total), -1);
        int rank = context.partitionId();
        ByteBuffer[] received = new ByteBuffer[k];
        int piece = ROUND_BUDGET / k / 4 * 3;
        int rounds = 0;
        for (int j = 0; j < k; j++) {
            int size = Integer.parseInt(sizes[j]);
            if (j != rank) {
                received[j] = ByteBuffer.allocate(size);
            }
            rounds = Math.max(rounds, (int) ((size + (long) piece - 1) / piece));
        }
        for (int round = 0; round < rounds; round++) {
            int from = (int) Math.min(total, (long) round * piece);
            int to = Math.min(total, from + piece);
            String[] pieces = gather(Base64.getEncoder().encodeToString(Arrays.copyOfRange(packed.array(), from, to)), -1);
            for (int j = 0; j < k; j++) {
                if (j != rank) {
                    received[j].put(Base64.getDecoder().decode(pieces[j]));
                }
            }
        }
        byte[][] incoming = new byte[k][];
        for (int j = 0; j < k; j++) {
            incoming[j] = j == rank ? new byte[0] : partFor(received[j].flip(), rank, k, j);
        }
        return incoming;
    }

    private String[] gather(String message, int step) throws IOException {
        try {
            return context.allGather(message);
        } catch (Exception e) { // SparkException: the stage failed (another worker threw) or was cancelled
            throw new PeerLostException(-1, AllReduce.doing(step), e);
        }
    }

    // Worker j's packed message: k lengths, then the parts for workers 0..k-1.
    private static byte[] partFor(ByteBuffer packed, int rank, int k, int sender) throws IOException {
        int skip = 4 * k;
        for (int j = 0; j < rank; j++) {
            skip += packed.getInt(4 * j);
        }
        int length = packed.getInt(4 * rank);
        if (length < 0 || skip + length > packed.limit()) {
            throw new IOException("worker " + sender + "'s sample message of " + packed.limit()
                    + " bytes does not hold a part of " + length + " bytes at " + skip);
        }
        return Arrays.copyOfRange(packed.array(), skip, skip + length);
    }

    static String encode(int step, float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(4 + 4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putInt(step).asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static float[] decode(String message, int step, int length, int worker) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(message)).order(ByteOrder.LITTLE_ENDIAN);
        int theirs = bytes.getInt();
        if (theirs != step || bytes.remaining() != 4 * length) {
            throw new IOException("worker " + worker + " sent step " + theirs + " with " + bytes.remaining() / 4
                    + " floats; expected step " + step + " with " + length);
        }
        float[] part = new float[length];
        bytes.asFloatBuffer().get(part);
        return part;
    }

    @Override
    public void close() {
    }
}
