package org.vectorgrad.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;

/**
 * All-reduce through {@code BarrierTaskContext.allGather}: every worker publishes its whole vector
 * as Base64 text (the only payload allGather carries), the driver relays all K messages to all,
 * and every worker adds them in worker order. No ports between executors, but each step's
 * gradients cross the driver's RPC endpoint K² times.
 */
final class AllGatherAllReduce implements AllReduce {
    private final BarrierTaskContext context;

    AllGatherAllReduce(BarrierTaskContext context) {
        this.context = context;
    }

    @Override
    public float[] sum(float[] v, int step) throws IOException {
        String[] messages;
        try {
            messages = context.allGather(encode(step, v));
        } catch (Exception e) { // SparkException: the stage failed (another worker threw) or was cancelled
            throw new PeerLostException(-1, "gathering gradients in step " + step, e);
        }
        float[][] parts = new float[messages.length][];
        for (int k = 0; k < messages.length; k++) {
            parts[k] = decode(messages[k], step, v.length, k);
        }
        AllReduce.addInOrder(parts, new int[parts.length], v.length, v, 0);
        return v;
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
