package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;

/** A learnable classification problem: Gaussian features, labels from a random linear teacher. */
record Synthetic(float[] features, int[] labels, int featureSize) {
    static final int CLASSES = 3;

    static Synthetic make(int count, int featureSize, long seed) {
        Generator g = new Generator(seed);
        float[] x = new float[count * featureSize];
        g.fillNormal(x, 0, x.length, 0f, 1f);
        float[] teacher = new float[featureSize * CLASSES];
        g.fillNormal(teacher, 0, teacher.length, 0f, 1f);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                float score = 0;
                for (int f = 0; f < featureSize; f++) {
                    score += x[i * featureSize + f] * teacher[f * CLASSES + c];
                }
                if (score > best) {
                    best = score;
                    labels[i] = c;
                }
            }
        }
        return new Synthetic(x, labels, featureSize);
    }

    int count() {
        return labels.length;
    }

    /** The samples as an RDD of blocks of {@code blockSize}, in {@code slices} source partitions. */
    JavaRDD<SampleBlock> blocks(JavaSparkContext sc, int blockSize, int slices) {
        List<SampleBlock> blocks = new ArrayList<>();
        for (int from = 0; from < count(); from += blockSize) {
            int to = Math.min(count(), from + blockSize);
            blocks.add(new SampleBlock(from, featureSize,
                    Arrays.copyOfRange(features, from * featureSize, to * featureSize),
                    Arrays.copyOfRange(labels, from, to)));
        }
        return sc.parallelize(blocks, slices);
    }

    /** Rows {@code indices} as a batch tensor. */
    Tensor batch(int[] indices) {
        float[] values = new float[indices.length * featureSize];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * featureSize, values, i * featureSize, featureSize);
        }
        return Tensor.fromArray(values, indices.length, featureSize);
    }

    int[] labels(int[] indices) {
        return Arrays.stream(indices).map(i -> labels[i]).toArray();
    }

    /** A small MLP whose initial weights come from {@code seed}. */
    static Module mlp(int featureSize, long seed) {
        Generator g = new Generator(seed);
        Sequential model = new Sequential(new Linear(featureSize, 16), new ReLU(), new Linear(16, CLASSES));
        for (Tensor p : model.parameters()) {
            float[] values = new float[p.numel()];
            g.fillUniform(values, 0, values.length, -0.3f, 0.3f);
            p.detach().copyFrom(Tensor.fromArray(values, p.shape()));
        }
        return model;
    }
}
