package org.vectorgrad.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.UUID;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.BarrierTaskInfo;

/**
 * Sets up the direct exchange once per epoch: each task listens on an ephemeral port, the
 * addresses (with the JVM they are in) are swapped through the driver's channel (or, if a worker
 * cannot reach it, with {@code allGather}, which takes a second). If all tasks share one JVM they
 * exchange through memory ({@link MemoryAllReduce}); otherwise every task connects to the lower
 * ranks and accepts the higher ones (saying its rank first), one TCP connection per pair.
 */
final class Mesh {
    private static final int ACCEPT_TIMEOUT_MILLIS = 120_000;

    private Mesh() {
    }

    /** Identifies this JVM (and class loader): workers that share it exchange through memory. */
    private static final String JVM = ProcessHandle.current().pid() + "-" + UUID.randomUUID();

    /**
     * The direct exchange of this barrier task: through memory when every task of the stage runs
     * in this JVM, else over TCP connections to every peer.
     */
    static AllReduce open(BarrierTaskContext context, DriverLink driver) throws IOException {
        return open(context, driver, true);
    }

    /** {@link #open(BarrierTaskContext, DriverLink)}, with TCP even in one JVM unless {@code memory}. */
    static AllReduce open(BarrierTaskContext context, DriverLink driver, boolean memory) throws IOException {
        BarrierTaskInfo[] infos = context.getTaskInfos();
        int rank = context.partitionId();
        SocketChannel[] peers = new SocketChannel[infos.length];
        if (infos.length == 1) {
            return new SocketAllReduce(rank, peers, context::isInterrupted);
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(0), infos.length);
            String host = hostOf(infos[rank].address());
            String address = JVM + "@" + host + ":" + server.socket().getLocalPort();
            String[] addresses = driver.rendezvous(rank, infos.length, address);
            if (addresses == null) {
                addresses = context.allGather(address);
            }
            if (memory && Arrays.stream(addresses).allMatch(a -> a.startsWith(JVM + "@"))) {
                return new MemoryAllReduce(context.stageId() + "." + context.stageAttemptNumber(), rank,
                        infos.length, context::isInterrupted);
            }
            for (int peer = 0; peer < rank; peer++) {
                peers[peer] = dial(addresses[peer].substring(addresses[peer].indexOf('@') + 1), rank);
            }
            server.socket().setSoTimeout(ACCEPT_TIMEOUT_MILLIS);
            for (int accepted = rank + 1; accepted < infos.length; accepted++) {
                SocketChannel channel = accept(server);
                int peer = readRank(channel);
                if (peer <= rank || peer >= infos.length || peers[peer] != null) {
                    channel.close();
                    throw new IOException("worker " + rank + " got a connection claiming rank " + peer);
                }
                peers[peer] = channel;
            }
        } catch (IOException | RuntimeException e) {
            closeAll(peers);
            throw e;
        }
        return new SocketAllReduce(rank, peers, context::isInterrupted);
    }

    static void closeAll(SocketChannel[] peers) {
        for (SocketChannel peer : peers) {
            if (peer != null) {
                try {
                    peer.close();
                } catch (IOException ignored) {
                    // closing is best effort: the peer sees EOF either way
                }
            }
        }
    }

    // BarrierTaskInfo.address is the executor's "host:port" (or a bare host); IPv6 literals keep their colons.
    static String hostOf(String address) {
        int colon = address.lastIndexOf(':');
        return colon > 0 && address.indexOf(':') == colon ? address.substring(0, colon) : address;
    }

    private static SocketChannel dial(String address, int rank) throws IOException {
        int colon = address.lastIndexOf(':');
        SocketChannel channel = SocketChannel.open(
                new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
        configure(channel.socket());
        ByteBuffer hello = ByteBuffer.allocate(4).putInt(rank).flip();
        while (hello.hasRemaining()) {
            channel.write(hello);
        }
        return channel;
    }

    private static SocketChannel accept(ServerSocketChannel server) throws IOException {
        try {
            Socket socket = server.socket().accept();
            configure(socket);
            return socket.getChannel();
        } catch (SocketTimeoutException e) {
            throw new IOException("a peer did not connect within " + ACCEPT_TIMEOUT_MILLIS / 1000 + " s", e);
        }
    }

    private static int readRank(SocketChannel channel) throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(4);
        while (hello.hasRemaining()) {
            if (channel.read(hello) < 0) {
                throw new IOException("a peer closed its connection before saying its rank");
            }
        }
        return hello.flip().getInt();
    }

    private static void configure(Socket socket) throws IOException {
        socket.setTcpNoDelay(true);
        socket.setSendBufferSize(1 << 20);
        socket.setReceiveBufferSize(1 << 20);
    }
}
