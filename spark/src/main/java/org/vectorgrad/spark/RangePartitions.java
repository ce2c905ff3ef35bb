package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToIntFunction;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Cuts training data into {@code k} partitions by global index: partition {@code p} holds samples
 * {@code floor(p·n/k) .. floor((p+1)·n/k) - 1}. Deterministic, so the same data and partition
 * count always give each worker the same samples (and a run its same numbers).
 */
final class RangePartitions {
    private RangePartitions() {
    }

    /** Where range {@code p} starts; {@code n} is at most {@code Integer.MAX_VALUE}, so {@code n·p} cannot overflow. */
    static long bound(long n, int k, int p) {
        return n * p / k;
    }

    /** {@code blocks} moved (and split where a range boundary crosses a block) into range partitions. */
    static JavaRDD<SampleBlock> cut(JavaRDD<SampleBlock> blocks, long n, int k) {
        return moved(blocks.flatMapToPair(block -> runs(block, index -> partitionOf(index, n, k)).iterator()), k);
    }

    /** Keyed blocks moved to the partition their key names. */
    static JavaRDD<SampleBlock> moved(JavaPairRDD<Integer, SampleBlock> keyed, int k) {
        return keyed.partitionBy(new ByKey(k)).values();
    }

    /** {@code block} cut into runs of consecutive samples with the same owner, each keyed by it. */
    static List<Tuple2<Integer, SampleBlock>> runs(SampleBlock block, LongToIntFunction ownerOf) {
        List<Tuple2<Integer, SampleBlock>> pieces = new ArrayList<>();
        long at = block.firstIndex();
        while (at < block.endIndex()) {
            int owner = ownerOf.applyAsInt(at);
            long end = at + 1;
            while (end < block.endIndex() && ownerOf.applyAsInt(end) == owner) {
                end++;
            }
            pieces.add(new Tuple2<>(owner, at == block.firstIndex() && end == block.endIndex() ? block : block.slice(at, end)));
            at = end;
        }
        return pieces;
    }

    /** The partition whose range holds {@code index}. */
    static int partitionOf(long index, long n, int k) {
        int p = (int) Math.min(k - 1, (long) ((double) index * k / n));
        while (p > 0 && bound(n, k, p) > index) {
            p--;
        }
        while (p < k - 1 && bound(n, k, p + 1) <= index) {
            p++;
        }
        return p;
    }

    /** Sends key {@code p} to partition {@code p}. */
    private static final class ByKey extends Partitioner {
        private static final long serialVersionUID = 1L;
        private final int partitions;

        ByKey(int partitions) {
            this.partitions = partitions;
        }

        @Override
        public int numPartitions() {
            return partitions;
        }

        @Override
        public int getPartition(Object key) {
            return (Integer) key;
        }
    }
}
