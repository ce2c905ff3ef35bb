package example.tabular;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.vectorgrad.Autograd;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.data.DataLoader;
import org.vectorgrad.data.TensorDataset;
import org.vectorgrad.io.Safetensors;
import org.vectorgrad.metrics.Metrics;
import org.vectorgrad.nn.Functional;
import org.vectorgrad.nn.Linear;
import org.vectorgrad.nn.Module;
import org.vectorgrad.nn.ReLU;
import org.vectorgrad.nn.Sequential;
import org.vectorgrad.optim.Adam;

/** The README's tabular example: standardise, split, train an MLP with Adam, score, save. */
public final class TabularExample {
    public record Result(double accuracy, double auc, byte[] model) {
    }

    public static Result train(double[][] rows, int[] labels, long seed) {
        Tensor x = Tensor.of(rows);
        Tensor mean = x.mean(0, true), std = x.std(0, true, true);
        Tensor y = Tensor.fromArray(IntStream.of(labels).asDoubleStream().toArray(), labels.length);
        TensorDataset[] split = new TensorDataset(x.sub(mean).div(std), y).randomSplit(0.8, seed);

        Generator init = new Generator(seed);
        Module model = new Sequential(new Linear(x.shape()[1], 32, init), new ReLU(), new Linear(32, 2, init));
        Adam adam = new Adam(model.parameters(), 0.01f);
        Iterable<Tensor[]> batches = DataLoader.batches(split[0], 128, true, seed); // reshuffled per pass
        for (int epoch = 0; epoch < 3; epoch++) {
            for (Tensor[] batch : batches) {
                adam.zeroGrad();
                Functional.crossEntropy(model.forward(batch[0]), batch[1].toIntArray()).backward();
                adam.step();
            }
        }
        Tensor[] test = split[1].get(IntStream.range(0, split[1].size()).toArray());
        try (Autograd.Guard noGrad = Autograd.noGrad()) {
            Tensor logits = model.eval().forward(test[0]);
            int[] truth = test[1].toIntArray();
            double auc = Metrics.rocAuc(logits.softmax(1).select(1, 1), truth);
            Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
            state.putAll(Map.of("scaler.mean", mean, "scaler.std", std));
            return new Result(Metrics.accuracy(logits, truth), auc, Safetensors.toBytes(state, Map.of()));
        }
    }

    private TabularExample() {
    }
}
