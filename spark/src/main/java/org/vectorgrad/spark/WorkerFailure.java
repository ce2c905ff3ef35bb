package org.vectorgrad.spark;

/**
 * A training worker threw: which worker, in which epoch (0-based) and step (0-based batch index
 * within the epoch); {@link #getCause()} is the worker's original exception, with its own class,
 * message and stack trace. The driver rethrows this instead of Spark's generic job failure, and
 * writes no checkpoint for the unfinished epoch.
 */
public final class WorkerFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int worker;
    private final int workers;
    private final int epoch;
    private final int step;

    public WorkerFailure(int worker, int workers, int epoch, int step, Throwable cause) {
        super("worker " + worker + " of " + workers + " failed in epoch " + epoch + ", step " + step + ": " + cause,
                cause);
        this.worker = worker;
        this.workers = workers;
        this.epoch = epoch;
        this.step = step;
    }

    public int worker() {
        return worker;
    }

    public int workers() {
        return workers;
    }

    public int epoch() {
        return epoch;
    }

    /** The step (batch index within the epoch) the worker was in; -1 before its first step. */
    public int step() {
        return step;
    }

    /** True when the worker only lost a peer (a consequence of another worker's failure). */
    boolean isSecondary() {
        return getCause() instanceof PeerLostException;
    }
}
