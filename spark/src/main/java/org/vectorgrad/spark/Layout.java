package org.vectorgrad.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;

/**
 * Where training samples sit: per partition, how many and which global indices. One small Spark
 * job finds it; a second checks, after the cut into ranges, that the ranges hold every index once.
 */
record Layout(List<Part> parts, long count, int featureSize) {

    /** One partition's blocks: sample count, lowest first index, highest end index, feature sizes seen. */
    record Part(int partition, long samples, long minFirst, long maxEnd, int minFeatures, int maxFeatures)
            implements Serializable {
    }

    static Layout of(JavaRDD<SampleBlock> blocks) {
        List<Part> parts = new ArrayList<>(blocks.mapPartitionsWithIndex(Layout::summarise, false).collect());
        parts.sort(Comparator.comparingInt(Part::partition));
        long count = 0;
        long minFirst = Long.MAX_VALUE;
        long maxEnd = 0;
        int features = -1;
        for (Part p : parts) {
            if (p.samples() == 0) {
                continue;
            }
            count += p.samples();
            minFirst = Math.min(minFirst, p.minFirst());
            maxEnd = Math.max(maxEnd, p.maxEnd());
            if (p.minFeatures() != p.maxFeatures() || (features >= 0 && features != p.minFeatures())) {
                throw new IllegalArgumentException("training samples have different feature counts (partition "
                        + p.partition() + " has " + p.minFeatures() + ".." + p.maxFeatures() + ")");
            }
            features = p.minFeatures();
        }
        if (count == 0) {
            throw new IllegalArgumentException("no training samples");
        }
        if (count > Integer.MAX_VALUE || minFirst != 0 || maxEnd != count) {
            throw new IllegalArgumentException(count + " training samples must have the global indices 0.." + (count - 1)
                    + " (at most " + Integer.MAX_VALUE + "), got " + minFirst + ".." + (maxEnd - 1));
        }
        return new Layout(parts, count, features);
    }

    private static Iterator<Part> summarise(int partition, Iterator<SampleBlock> blocks) {
        long samples = 0;
        long minFirst = Long.MAX_VALUE;
        long maxEnd = 0;
        int minFeatures = Integer.MAX_VALUE;
        int maxFeatures = 0;
        while (blocks.hasNext()) {
            SampleBlock b = blocks.next();
            samples += b.count();
            minFirst = Math.min(minFirst, b.firstIndex());
            maxEnd = Math.max(maxEnd, b.endIndex());
            minFeatures = Math.min(minFeatures, b.featureSize());
            maxFeatures = Math.max(maxFeatures, b.featureSize());
        }
        return List.of(new Part(partition, samples, minFirst, maxEnd, minFeatures, maxFeatures)).iterator();
    }

    /** True when the {@code current} partitions are already the {@code wanted} index ranges. */
    boolean isRanged(int current, int wanted) {
        if (current != wanted) {
            return false;
        }
        for (Part p : parts) {
            long from = RangePartitions.bound(count, wanted, p.partition());
            long to = RangePartitions.bound(count, wanted, p.partition() + 1);
            if (p.samples() != to - from || (p.samples() > 0 && (p.minFirst() != from || p.maxEnd() != to))) {
                return false;
            }
        }
        return true;
    }

    /** Checks (and, running a job, caches) that every range partition holds exactly its indices, each once. */
    static void checkTiled(JavaRDD<SampleBlock> ranged, long count) {
        int k = ranged.getNumPartitions();
        List<String> problems = ranged.mapPartitionsWithIndex((partition, blocks) -> {
            List<SampleBlock> sorted = new ArrayList<>();
            blocks.forEachRemaining(sorted::add);
            sorted.sort(Comparator.comparingLong(SampleBlock::firstIndex));
            long expected = RangePartitions.bound(count, k, partition);
            for (SampleBlock b : sorted) {
                if (b.firstIndex() != expected) {
                    return List.of("partition " + partition + " expected index " + expected + ", found " + b).iterator();
                }
                expected = b.endIndex();
            }
            long end = RangePartitions.bound(count, k, partition + 1);
            return expected == end ? List.<String>of().iterator()
                    : List.of("partition " + partition + " ends at " + expected + ", expected " + end).iterator();
        }, false).collect();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("training samples must have each global index once: " + problems);
        }
    }
}
