package org.vectorgrad.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;

/**
 * What a worker returns at the end of an epoch: a checksum of its parameters (every replica must
 * agree), its time in the gradient exchange, and, from worker 0 only, the step losses and the
 * final model and optimizer state. It travels as the task's result, or over the driver's channel
 * when the tasks stay for the next epoch.
 */
record WorkerResult(int rank, int epoch, long parameterChecksum, long syncNanos, int steps, float[] stepLosses,
                    byte[] model, byte[] optimizer) implements Serializable {

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(rank);
        out.writeInt(epoch);
        out.writeLong(parameterChecksum);
        out.writeLong(syncNanos);
        out.writeInt(steps);
        out.writeInt(stepLosses == null ? -1 : stepLosses.length);
        for (int i = 0; stepLosses != null && i < stepLosses.length; i++) {
            out.writeFloat(stepLosses[i]);
        }
        DriverChannel.writeBytes(out, model);
        DriverChannel.writeBytes(out, optimizer);
    }

    static WorkerResult readFrom(DataInputStream in) throws IOException {
        int rank = in.readInt();
        int epoch = in.readInt();
        long checksum = in.readLong();
        long syncNanos = in.readLong();
        int steps = in.readInt();
        int losses = in.readInt();
        float[] stepLosses = losses < 0 ? null : new float[losses];
        for (int i = 0; i < losses; i++) {
            stepLosses[i] = in.readFloat();
        }
        return new WorkerResult(rank, epoch, checksum, syncNanos, steps, stepLosses, DriverChannel.readBytes(in),
                DriverChannel.readBytes(in));
    }
}
