package org.vectorgrad.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Generator;

/**
 * The epoch's sample swap: after it every worker reads exactly the data of every sample its shares
 * need, whichever exchange moved them (TCP between threads over loopback, or memory), and the
 * gradient sums that follow are unchanged.
 */
class SampleSwapTest {
    // Messages of ~2 MB per peer: larger than the 1 MB window heap buffers are written through.
    private static final int FEATURES = 2000;
    private static final int COUNT = 1200;
    private static final int WORLD = 3;
    private static final Synthetic DATA = Synthetic.make(COUNT, FEATURES, 17);

    @Test
    void encodedSamplesAreTheHeldOnesAmongTheWantedInIndexOrder() throws IOException {
        ShardView own = partition(1, 2);
        int[] wanted = {1100, 3, 650, 600, 601, 602, 1199, 599};
        List<SampleBlock> runs = SampleSwap.decode(SampleSwap.encode(own, wanted), FEATURES);
        assertEquals(List.of("SampleBlock[600..603, 2000 features]", "SampleBlock[650..651, 2000 features]",
                "SampleBlock[1100..1101, 2000 features]", "SampleBlock[1199..1200, 2000 features]"),
                runs.stream().map(SampleBlock::toString).toList());
        ShardView received = ShardView.of(runs.iterator(), FEATURES);
        for (int index : new int[] {600, 601, 602, 650, 1100, 1199}) {
            assertSample(received, index);
        }
    }

    @Test
    void aTruncatedMessageIsRefused() {
        byte[] message = SampleSwap.encode(partition(0, 2), new int[] {1, 2});
        IOException e = assertThrows(IOException.class,
                () -> SampleSwap.decode(Arrays.copyOf(message, message.length - 4), FEATURES));
        assertEquals("a sample message of 16016 bytes cannot hold 2 samples of 2000 features", e.getMessage());
    }

    @Test
    void overTcpEveryWorkerGetsItsSharesAndGradientSumsStillAddUp() throws Exception {
        SocketChannel[][] mesh = loopbackMesh(WORLD);
        assertEveryWorkerCompletes(rank -> new SocketAllReduce(rank, mesh[rank], () -> false));
    }

    @Test
    void inMemoryEveryWorkerGetsItsSharesAndGradientSumsStillAddUp() throws Exception {
        String key = "swap-test-" + System.nanoTime();
        assertEveryWorkerCompletes(rank -> new MemoryAllReduce(key, rank, WORLD, () -> false));
    }

    @Test
    void theGenericSwapThroughMemoryGivesEachWorkerItsMessages() throws Exception {
        String key = "swap-bytes-" + System.nanoTime();
        List<byte[][]> incoming = onWorkers(rank -> {
            try (MemoryAllReduce exchange = new MemoryAllReduce(key, rank, WORLD, () -> false)) {
                byte[][] outgoing = new byte[WORLD][];
                for (int peer = 0; peer < WORLD; peer++) {
                    outgoing[peer] = new byte[] {(byte) rank, (byte) peer};
                }
                return exchange.swap(outgoing);
            }
        });
        for (int rank = 0; rank < WORLD; rank++) {
            for (int peer = 0; peer < WORLD; peer++) {
                assertArrayEquals(peer == rank ? new byte[0] : new byte[] {(byte) peer, (byte) rank},
                        incoming.get(rank)[peer]);
            }
        }
    }

    private interface Opener {
        AllReduce open(int rank) throws IOException;
    }

    private static void assertEveryWorkerCompletes(Opener opener) throws Exception {
        BatchShares shares = new BatchShares(new Generator(4).randperm(COUNT), 64, WORLD);
        List<float[]> sums = onWorkers(rank -> {
            try (AllReduce exchange = opener.open(rank)) {
                ShardView complete = exchange.complete(partition(rank, WORLD), shares, rank);
                for (int index : shares.epochOf(rank)) {
                    assertSample(complete, index);
                }
                float[] v = new float[1001];
                Arrays.fill(v, rank + 1);
                return exchange.sum(v, 0).clone();
            }
        });
        for (float[] sum : sums) {
            float[] expected = new float[1001];
            Arrays.fill(expected, 6);
            assertArrayEquals(expected, sum);
        }
    }

    private static void assertSample(ShardView view, int index) {
        float[] features = new float[FEATURES];
        assertEquals(DATA.labels()[index], view.copy(index, features, 0), "label of " + index);
        assertArrayEquals(Arrays.copyOfRange(DATA.features(), index * FEATURES, (index + 1) * FEATURES), features,
                "features of " + index);
    }

    /** Range partition {@code p} of {@code k}, as TrainingData lays samples out, in blocks of 100. */
    private static ShardView partition(int p, int k) {
        List<SampleBlock> blocks = new ArrayList<>();
        for (int from = p * COUNT / k; from < (p + 1) * COUNT / k; from += 100) {
            int to = Math.min((p + 1) * COUNT / k, from + 100);
            blocks.add(new SampleBlock(from, FEATURES, Arrays.copyOfRange(DATA.features(), from * FEATURES,
                    to * FEATURES), Arrays.copyOfRange(DATA.labels(), from, to)));
        }
        return ShardView.of(blocks.iterator(), FEATURES);
    }

    private static <T> List<T> onWorkers(IntFunctionThrowing<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WORLD);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int rank = 0; rank < WORLD; rank++) {
                int r = rank;
                futures.add(pool.submit((Callable<T>) () -> work.apply(r)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface IntFunctionThrowing<T> {
        T apply(int rank) throws Exception;
    }

    /** {@code mesh[r][j]}: worker r's connection to worker j (null on the diagonal). */
    private static SocketChannel[][] loopbackMesh(int world) throws IOException {
        SocketChannel[][] mesh = new SocketChannel[world][world];
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            for (int i = 0; i < world; i++) {
                for (int j = i + 1; j < world; j++) {
                    mesh[i][j] = SocketChannel.open(server.getLocalAddress());
                    mesh[j][i] = server.accept();
                }
            }
        }
        return mesh;
    }
}
