package org.vectorgrad.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleBiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

/**
 * Metrics against values computed independently in float64 by numpy (fixtures/data.txt, written by
 * tools/pytorch/gen_data_fixtures.py: torch.argmax, sklearn's clip-then-log, and ROC AUC by sklearn's
 * curve construction with the trapezoidal rule), and AUC against a brute-force pairwise count here.
 */
class MetricsTest {
    @TestFactory
    Stream<DynamicTest> matchIndependentFloat64References() {
        List<String> lines = Fixtures.dataLines("/fixtures/data.txt").stream()
                .filter(l -> l.startsWith("accuracy\t") || l.startsWith("logloss\t") || l.startsWith("rocauc\t"))
                .toList();
        assertEquals(17, lines.size());
        return lines.stream().map(line -> {
            String[] f = line.split("\t");
            Tensor values = Tensor.fromArray(Fixtures.floats(f[3]), Fixtures.shape(f[2]));
            int[] targets = Arrays.stream(f[4].split(" ")).mapToInt(Integer::parseInt).toArray();
            double expected = Double.parseDouble(f[5]);
            ToDoubleBiFunction<Tensor, int[]> metric = switch (f[0]) {
                case "accuracy" -> Metrics::accuracy;
                case "logloss" -> Metrics::logLoss;
                default -> Metrics::rocAuc;
            };
            return DynamicTest.dynamicTest(f[0] + " " + f[1], () -> assertEquals(expected,
                    metric.applyAsDouble(values, targets), Math.abs(expected) * 1e-13, line.substring(0, 40)));
        });
    }

    @Test
    void rocAucEqualsTheFractionOfCorrectlyOrderedPairs() {
        Random random = new Random(11);
        for (int n : new int[] {2, 3, 10, 101, 1000}) {
            float[] scores = new float[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                // Few distinct values, signed zeros included, so ties are common.
                scores[i] = (random.nextInt(9) - 4) * (random.nextBoolean() ? 0.5f : -0.5f);
                labels[i] = i < 2 ? i : random.nextInt(2);
            }
            assertEquals(bruteForceAuc(scores, labels), Metrics.rocAuc(Tensor.of(scores), labels), 1e-15, "n=" + n);
        }
    }

    private static double bruteForceAuc(float[] scores, int[] labels) {
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.length; i++) {
            for (int j = 0; j < scores.length; j++) {
                if (labels[i] == 1 && labels[j] == 0) {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }
        return wins / pairs;
    }

    @Test
    void smallHandComputedValues() {
        Tensor logits = Tensor.of(new float[][] {{1, 2, 2}, {0, -1, -3}, {5, 5, 0}});
        assertEquals(2.0 / 3, Metrics.accuracy(logits, new int[] {1, 0, 1}), "ties go to the first maximum");
        assertEquals(0.5, Metrics.accuracy(Tensor.of(0f, 0.1f, -2f, 3f), new int[] {0, 0, 0, 0}), "logit 0 is class 0");
        assertEquals(-Math.log(0.25), Metrics.logLoss(Tensor.of(0.75f, 0.25f), new int[] {0, 1}), 1e-15);
        assertEquals(-Math.log(0x1p-23), Metrics.logLoss(Tensor.of(new float[][] {{0, 1}}), new int[] {0}), 1e-12,
                "a zero probability is clipped to float32 eps");
        assertEquals(0.75, Metrics.rocAuc(Tensor.of(0.1f, 0.4f, 0.35f, 0.8f), new int[] {0, 0, 1, 1}));
    }

    @Test
    void badInputIsNamed() {
        Tensor two = Tensor.of(0.2f, 0.7f);
        assertMessage("Only one class present in y_true. ROC AUC score is not defined in that case.",
                () -> Metrics.rocAuc(two, new int[] {1, 1}));
        assertMessage("accuracy: predictions of shape [2] hold 2 samples but there are 3 targets",
                () -> Metrics.accuracy(two, new int[] {0, 1, 1}));
        assertMessage("accuracy: target 3 at index 1 is out of bounds for 3 classes",
                () -> Metrics.accuracy(Tensor.zeros(2, 3), new int[] {0, 3}));
        assertMessage("logLoss: target 2 at index 0 is out of bounds for binary predictions (targets 0 or 1)",
                () -> Metrics.logLoss(two, new int[] {2, 0}));
        assertMessage("logLoss expects probabilities in [0, 1], got 1.5 at flat index 1",
                () -> Metrics.logLoss(Tensor.of(0.5f, 1.5f), new int[] {0, 1}));
        assertMessage("rocAuc: scores contain NaN (at index 1)",
                () -> Metrics.rocAuc(Tensor.of(0f, Float.NaN), new int[] {0, 1}));
        assertMessage("rocAuc expects binary scores of shape [N] or [N, 1], got shape [2, 2]",
                () -> Metrics.rocAuc(Tensor.zeros(2, 2), new int[] {0, 1}));
        assertMessage("accuracy is undefined for 0 samples", () -> Metrics.accuracy(Tensor.zeros(0, 4), new int[0]));
        assertMessage("logLoss expects predictions of shape [N], [N, 1] or [N, C], got shape [1, 2, 2]",
                () -> Metrics.logLoss(Tensor.zeros(1, 2, 2), new int[] {0}));
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
    }
}
