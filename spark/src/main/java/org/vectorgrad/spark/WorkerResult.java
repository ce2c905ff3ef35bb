package org.vectorgrad.spark;

import java.io.Serializable;

/**
 * What a worker returns at the end of an epoch: a checksum of its parameters (every replica must
 * agree), its time in the gradient exchange, and, from worker 0 only, the step losses and the
 * final model and optimizer state.
 */
record WorkerResult(int rank, long parameterChecksum, long syncNanos, int steps, float[] stepLosses,
                    byte[] model, byte[] optimizer) implements Serializable {
}
