package org.vectorgrad.spark;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/**
 * A worker's end of the {@link DriverChannel}. Reports are best effort (training never waits on
 * them for long); only tasks kept between epochs depend on the link, for their results and the
 * driver's next epoch.
 */
final class DriverLink implements AutoCloseable {
    /** The driver's go-ahead for tasks kept between epochs: the epoch, and the state to load where the driver changed it. */
    record NextEpoch(int epoch, byte[] model, byte[] optimizer) {
    }

    // How often a waiting task checks whether Spark killed it.
    private static final int KILL_CHECK_MILLIS = 500;
    private static final long PROGRESS_INTERVAL_NANOS = 100_000_000L;
    private static final int TIMEOUT_MILLIS = 10_000;
    // Peers may still be loading their partition (from disk, or recomputing it) when one arrives.
    private static final int RENDEZVOUS_TIMEOUT_MILLIS = 600_000;

    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;
    private long lastProgress;
    private boolean joined;

    private DriverLink(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket == null ? null : new DataOutputStream(socket.getOutputStream());
        this.in = socket == null ? null : new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code host:port}; if that fails, a link that reports nothing. */
    static DriverLink connect(String address) {
        try {
            int colon = address.lastIndexOf(':');
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), TIMEOUT_MILLIS);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            return new DriverLink(socket);
        } catch (IOException | RuntimeException e) {
            return none();
        }
    }

    /** A link that reports nothing (no driver to reach). */
    static DriverLink none() {
        try {
            return new DriverLink(null);
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * Sends this worker's address and waits for everyone's, in rank order; null when the driver
     * cannot be reached (then the caller uses {@code allGather}).
     */
    String[] rendezvous(int rank, int world, String address) {
        if (out == null) {
            return null;
        }
        try {
            out.writeByte(DriverChannel.ADDRESS);
            out.writeInt(rank);
            out.writeInt(world);
            out.writeUTF(address);
            out.flush();
            socket.setSoTimeout(RENDEZVOUS_TIMEOUT_MILLIS);
            String[] addresses = new String[world];
            for (int i = 0; i < world; i++) {
                addresses[i] = in.readUTF();
            }
            socket.setSoTimeout(TIMEOUT_MILLIS);
            joined = true;
            return addresses;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * True when every one of the {@code world} workers reached the driver (they met in its
     * rendezvous, or this is the only one): only then can the tasks stay between epochs, and all
     * of them agree on it.
     */
    boolean reachesDriverWithPeers(int world) {
        return out != null && (joined || world == 1);
    }

    /** Sends an epoch's result to the driver (tasks kept between epochs); unlike reports, a failure here fails the task. */
    void result(WorkerResult result) throws IOException {
        out.writeByte(DriverChannel.RESULT);
        result.writeTo(out);
        out.flush();
    }

    /**
     * Waits for the driver's next epoch; null when it says stop or its channel closes (it stops
     * tasks it no longer needs, on its own clock, so no worker leaves while a peer takes the next
     * epoch), or when Spark kills the task.
     */
    NextEpoch awaitNext(BooleanSupplier killed) throws IOException {
        socket.setSoTimeout(KILL_CHECK_MILLIS);
        int command;
        while (true) {
            try {
                command = in.read();
                break;
            } catch (SocketTimeoutException e) {
                if (killed.getAsBoolean()) {
                    return null;
                }
            }
        }
        socket.setSoTimeout(TIMEOUT_MILLIS);
        if (command != DriverChannel.NEXT) {
            return null;
        }
        int epoch = in.readInt();
        return new NextEpoch(epoch, DriverChannel.readBytes(in), DriverChannel.readBytes(in));
    }

    /** Reports progress at most every 100 ms, and always when {@code last}. */
    void progress(int samples, double lossSum, boolean last) {
        long now = System.nanoTime();
        if (out == null || (!last && now - lastProgress < PROGRESS_INTERVAL_NANOS)) {
            return;
        }
        lastProgress = now;
        try {
            out.writeByte(DriverChannel.PROGRESS);
            out.writeInt(samples);
            out.writeDouble(lossSum);
            out.flush();
        } catch (IOException ignored) {
            // progress is cosmetic
        }
    }

    /** Sends the failure and waits (briefly) for the driver's acknowledgement. */
    void failure(WorkerFailure failure) {
        if (out == null) {
            return;
        }
        try {
            byte[] bytes = serialise(failure);
            out.writeByte(DriverChannel.FAILURE);
            DriverChannel.writeBytes(out, bytes);
            out.flush();
            in.read();
        } catch (IOException ignored) {
            // Spark still reports the failure, as text
        }
    }

    private static byte[] serialise(WorkerFailure failure) throws IOException {
        try {
            return objectBytes(failure);
        } catch (NotSerializableException e) {
            // The user's exception holds something unserialisable: keep its text and stack trace.
            Throwable cause = failure.getCause();
            RuntimeException copy = new RuntimeException(cause.toString());
            copy.setStackTrace(cause.getStackTrace());
            return objectBytes(new WorkerFailure(failure.worker(), failure.workers(), failure.epoch(), failure.step(),
                    copy));
        }
    }

    private static byte[] objectBytes(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
