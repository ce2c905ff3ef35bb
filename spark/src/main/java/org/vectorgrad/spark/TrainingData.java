package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Training samples prepared for data-parallel training: every sample has a global index
 * (0..count-1, the order of the source data), partition {@code p} of {@code k} holds the index
 * range {@code [p·count/k, (p+1)·count/k)}, and the blocks are cached on the executors (memory,
 * then disk), because every epoch reads them again. One worker per partition. {@link #close()}
 * releases the cache. NOTE: the cache is not recomputed if an executor is lost (its lineage is cut
 * to keep tasks small); a barrier job cannot continue without that worker anyway: resume from the
 * last checkpoint with a new {@code TrainingData}.
 */
public final class TrainingData implements AutoCloseable {
    private static final int BLOCK_SAMPLES = 4096;

    private final JavaRDD<SampleBlock> blocks;
    private final int count;
    private final int featureSize;

    private TrainingData(JavaRDD<SampleBlock> blocks, int count, int featureSize) {
        this.blocks = blocks;
        this.count = count;
        this.featureSize = featureSize;
    }

    /** Blocks whose global indices tile {@code 0..n-1}; moved into {@code partitions} ranges unless already there. */
    public static TrainingData fromBlocks(JavaRDD<SampleBlock> blocks, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        // Cached on the executors with the lineage cut (localCheckpoint): every epoch's tasks then
        // carry a small partition handle instead of, say, the driver data a parallelize holds. Our
        // own RDD, so the caller's is left as it was.
        JavaRDD<SampleBlock> source = blocks.mapPartitions(new Same(), true);
        source.rdd().localCheckpoint();
        Layout layout = Layout.of(source);
        JavaRDD<SampleBlock> ranged = source;
        if (!layout.isRanged(blocks.getNumPartitions(), partitions)) {
            ranged = RangePartitions.cut(source, layout.count(), partitions);
            ranged.rdd().localCheckpoint();
        }
        Layout.checkTiled(ranged, layout.count());
        if (ranged != source) {
            source.unpersist(false);
        }
        return new TrainingData(ranged, (int) layout.count(), layout.featureSize());
    }

    /** Samples in RDD order (that order gives the global indices). */
    public static TrainingData fromSamples(JavaRDD<Sample> samples, int partitions) {
        return fromBlocks(samples.zipWithIndex().mapPartitions(new ToBlocks()), partitions);
    }

    /**
     * Rows with a class-index label column and features in one vector or numeric-array column, or
     * in several numeric columns; rows in Dataset order.
     */
    public static TrainingData fromRows(Dataset<Row> rows, String labelColumn, int partitions,
                                        String... featureColumns) {
        return fromSamples(RowSamples.of(rows, labelColumn, featureColumns), partitions);
    }

    // NOTE: named classes, not lambdas: deserialising a lambda reflects on all methods of the class
    // that made it, and fromRows' signature would make executors load Spark SQL.

    /** A partition as it is (our own RDD over the caller's). */
    private static final class Same implements FlatMapFunction<Iterator<SampleBlock>, SampleBlock> {
        @Override
        public Iterator<SampleBlock> call(Iterator<SampleBlock> blocks) {
            return blocks;
        }
    }

    /** zipWithIndex numbers a partition's elements consecutively: cut them into blocks of BLOCK_SAMPLES. */
    private static final class ToBlocks implements FlatMapFunction<Iterator<Tuple2<Sample, Long>>, SampleBlock> {
        @Override
        public Iterator<SampleBlock> call(Iterator<Tuple2<Sample, Long>> samples) {
            return toBlocks(samples);
        }
    }

    private static Iterator<SampleBlock> toBlocks(Iterator<Tuple2<Sample, Long>> samples) {
        List<SampleBlock> out = new ArrayList<>();
        List<Sample> pending = new ArrayList<>();
        long first = -1;
        while (samples.hasNext()) {
            Tuple2<Sample, Long> next = samples.next();
            if (pending.isEmpty()) {
                first = next._2();
            }
            pending.add(next._1());
            if (pending.size() == BLOCK_SAMPLES || !samples.hasNext()) {
                out.add(block(first, pending));
                pending.clear();
            }
        }
        return out.isEmpty() ? Collections.emptyIterator() : out.iterator();
    }

    private static SampleBlock block(long first, List<Sample> samples) {
        int size = samples.getFirst().features().length;
        float[] features = new float[samples.size() * size];
        int[] labels = new int[samples.size()];
        for (int i = 0; i < labels.length; i++) {
            float[] f = samples.get(i).features();
            if (f.length != size) {
                throw new IllegalArgumentException("sample " + (first + i) + " has " + f.length
                        + " features, sample " + first + " has " + size);
            }
            System.arraycopy(f, 0, features, i * size, size);
            labels[i] = samples.get(i).label();
        }
        return new SampleBlock(first, size, features, labels);
    }

    public int count() {
        return count;
    }

    public int featureSize() {
        return featureSize;
    }

    /** One worker per partition. */
    public int partitions() {
        return blocks.getNumPartitions();
    }

    JavaRDD<SampleBlock> blocks() {
        return blocks;
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}
