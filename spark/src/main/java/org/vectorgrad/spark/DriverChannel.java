package org.vectorgrad.spark;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The driver's end of a training job: workers connect to swap their gradient-exchange addresses
 * ({@link Rendezvous}), to report progress (rank 0, a few times a second) and failures. A failure
 * is acknowledged before the worker throws, so when Spark reports the job as failed the driver
 * already holds the worker's original exception and step (Spark's own report of a barrier stage
 * keeps only the text). Tasks kept between epochs also send their epoch results here and are told
 * the next epoch (or to stop) over the same connection.
 */
final class DriverChannel implements AutoCloseable {
    static final byte PROGRESS = 1;
    static final byte FAILURE = 2;
    static final byte ADDRESS = 3;
    static final byte RESULT = 4;
    static final byte NEXT = 5;
    static final byte STOP = 6;

    /** Samples trained and their loss sum, as last reported. */
    record Progress(int samples, double lossSum) {
    }

    private final ServerSocket server;
    private final String host;
    private final ClassLoader loader = Thread.currentThread().getContextClassLoader();
    private final List<WorkerFailure> failures = new ArrayList<>();
    private final List<Socket> connections = new ArrayList<>();
    private final Rendezvous rendezvous = new Rendezvous();
    private final Consumer<WorkerResult> results;
    private final Map<Integer, DataOutputStream> workers = new ConcurrentHashMap<>();
    private volatile Progress progress = new Progress(0, 0);

    private DriverChannel(String host, Consumer<WorkerResult> results) throws IOException {
        this.host = host;
        this.results = results;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(0), 64);
        Thread acceptor = new Thread(this::acceptLoop, "vectorgrad-driver-channel");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens on an ephemeral port of every interface; workers are told {@code host}. Epoch
     * results that workers send go to {@code results}, on the channel's reader threads.
     */
    static DriverChannel open(String host, Consumer<WorkerResult> results) throws IOException {
        return new DriverChannel(host, results);
    }

    String address() {
        return host + ":" + server.getLocalPort();
    }

    Progress progress() {
        return progress;
    }

    /**
     * Tells the {@code world} workers that sent a result to train {@code epoch}, loading the
     * given state first (null: keep theirs); false if one of them cannot be told.
     */
    boolean next(int world, int epoch, byte[] model, byte[] optimizer) {
        progress = new Progress(0, 0);
        for (int rank = 0; rank < world; rank++) {
            DataOutputStream out = workers.get(rank);
            if (out == null) {
                return false;
            }
            try {
                synchronized (out) {
                    out.writeByte(NEXT);
                    out.writeInt(epoch);
                    writeBytes(out, model);
                    writeBytes(out, optimizer);
                    out.flush();
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Tells every waiting worker to end its task (best effort: they also end when the channel closes). */
    void stop() {
        for (DataOutputStream out : workers.values()) {
            try {
                synchronized (out) {
                    out.writeByte(STOP);
                    out.flush();
                }
            } catch (IOException ignored) {
                // that worker is gone already
            }
        }
    }

    /**
     * The failure to report: the first a worker reported about itself, else the first that only
     * lost a peer. A failing worker reports before it drops its connections, so its report
     * arrives before those of the peers it takes down.
     */
    synchronized WorkerFailure failure() {
        return failures.stream().min(Comparator.comparing(WorkerFailure::isSecondary)).orElse(null);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                synchronized (this) {
                    connections.add(socket);
                }
                Thread reader = new Thread(() -> serve(socket), "vectorgrad-driver-channel-reader");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (true) {
                byte type = in.readByte();
                if (type == PROGRESS) {
                    progress = new Progress(in.readInt(), in.readDouble());
                } else if (type == RESULT) {
                    WorkerResult result = WorkerResult.readFrom(in);
                    workers.put(result.rank(), out);
                    results.accept(result);
                } else if (type == ADDRESS) {
                    rendezvous.register(in.readInt(), in.readInt(), in.readUTF(), out);
                } else if (type == FAILURE) {
                    record(readBytes(in));
                    synchronized (out) {
                        out.write(1);
                        out.flush();
                    }
                } else {
                    return;
                }
            }
        } catch (EOFException e) {
            // the worker finished
        } catch (IOException e) {
            // a worker's reports are best effort: Spark still reports its failure
        }
    }

    /** Length-prefixed bytes on the channel's connections; length -1 for null. */
    static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    private void record(byte[] bytes) {
        try (ObjectInputStream in = new LoaderObjectInput(new ByteArrayInputStream(bytes), loader)) {
            WorkerFailure failure = (WorkerFailure) in.readObject();
            synchronized (this) {
                failures.add(failure);
            }
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            // unreadable: Spark's own failure report stands
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            synchronized (this) {
                for (Socket socket : connections) {
                    socket.close();
                }
            }
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    /** Resolves classes with the driver's class loader (the user's exception classes live there). */
    private static final class LoaderObjectInput extends ObjectInputStream {
        private final ClassLoader loader;

        LoaderObjectInput(InputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            try {
                return Class.forName(desc.getName(), false, loader);
            } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
            }
        }
    }
}
