package org.vectorgrad.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.vectorgrad.Autograd;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.Module;

/** One partition's predictions: rows batched into tensors, one forward pass per batch, rows out in order. */
final class RowPredictor implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final ModelFactory factory;
    private final Broadcast<byte[]> weights;
    private final String uid;
    private final FeatureColumns features;
    private final int[] sampleShape;
    private final int batchSize;
    private final boolean probability;
    private final boolean raw;

    RowPredictor(ModelFactory factory, Broadcast<byte[]> weights, String uid, FeatureColumns features,
                 int[] sampleShape, int batchSize, boolean probability, boolean raw) {
        this.factory = factory;
        this.weights = weights;
        this.uid = uid;
        this.features = features;
        this.sampleShape = sampleShape.clone();
        this.batchSize = batchSize;
        this.probability = probability;
        this.raw = raw;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        // Built and loaded once per executor JVM; eval-mode forward without a graph only reads the
        // module, so concurrent tasks share it.
        Module model = ModelCache.get(uid + "/" + weights.id(), () -> {
            Module m = factory.get();
            m.loadStateDict(StateBytes.decode(weights.value()));
            return m.eval();
        });
        int threads = KernelThreads.forTask(0);
        return new Iterator<>() {
            private Iterator<Row> ready = List.<Row>of().iterator();

            @Override
            public boolean hasNext() {
                while (!ready.hasNext() && rows.hasNext()) {
                    ready = KernelThreads.call(threads, () -> predict(model, rows)).iterator();
                }
                return ready.hasNext();
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return ready.next();
            }
        };
    }

    private List<Row> predict(Module model, Iterator<Row> rows) {
        List<Row> batch = new ArrayList<>(batchSize);
        List<float[]> inputs = new ArrayList<>(batchSize);
        int size = sampleShape.length == 0 ? 0 : product(sampleShape);
        while (batch.size() < batchSize && rows.hasNext()) {
            Row row = rows.next();
            float[] x = features.read(row, size > 0 ? size : inputs.isEmpty() ? 0 : inputs.getFirst().length);
            batch.add(row);
            inputs.add(x);
        }
        int width = inputs.getFirst().length;
        float[] values = new float[batch.size() * width];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(inputs.get(i), 0, values, i * width, width);
        }
        int[] shape = new int[Math.max(1, sampleShape.length) + 1];
        shape[0] = batch.size();
        if (sampleShape.length == 0) {
            shape[1] = width;
        } else {
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        }
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            Tensor outputs = model.forward(Tensor.fromArray(values, shape));
            return rows(batch, outputs.reshape(batch.size(), -1));
        }
    }

    private List<Row> rows(List<Row> batch, Tensor outputs) {
        int classes = outputs.shape()[1];
        float[] out = outputs.toArray();
        float[] probabilities = classes > 1 && probability ? outputs.softmax(1).toArray() : null;
        List<Row> result = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            List<Object> values = new ArrayList<>(batch.get(i).size() + 3);
            for (int c = 0; c < batch.get(i).size(); c++) {
                values.add(batch.get(i).get(c));
            }
            values.add(classes == 1 ? (double) out[i] : (double) argmax(out, i * classes, classes));
            if (probability) {
                values.add(probabilities == null ? null : Vectors.dense(toDoubles(probabilities, i * classes, classes)));
            }
            if (raw) {
                values.add(Vectors.dense(toDoubles(out, i * classes, classes)));
            }
            result.add(RowFactory.create(values.toArray()));
        }
        return result;
    }

    // The first largest value, as Tensor.argmax and torch.argmax pick it.
    private static int argmax(float[] values, int from, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (values[from + c] > values[from + best]) {
                best = c;
            }
        }
        return best;
    }

    private static double[] toDoubles(float[] values, int from, int length) {
        double[] out = new double[length];
        for (int c = 0; c < length; c++) {
            out[c] = values[from + c];
        }
        return out;
    }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
