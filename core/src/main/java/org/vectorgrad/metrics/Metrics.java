package org.vectorgrad.metrics;

import java.util.Arrays;
import org.vectorgrad.Tensor;

/**
 * Classification metrics over a model's outputs and integer targets, computed in double.
 *
 * <p>Predictions come in one of two layouts, decided by shape:
 * <ul>
 *   <li>N×C with C ≥ 2: one column per class, targets are class indices 0..C-1;</li>
 *   <li>N or N×1: binary, one value per sample for class 1, targets are 0 or 1.</li>
 * </ul>
 * Every bad input (empty, lengths that differ, targets out of range, NaN) is an
 * {@link IllegalArgumentException} naming it.
 */
public final class Metrics {
    /** sklearn's clipping for float32 predictions: {@code np.finfo(np.float32).eps}. */
    static final double FLOAT32_EPS = 0x1p-23;

    private Metrics() {
    }

    /**
     * The fraction of samples predicted correctly. N×C logits predict their largest column (the
     * first one on ties, a NaN counting as largest, as {@code torch.argmax}); binary logits predict
     * class 1 when the logit is {@code > 0} (for probabilities pass {@code p - 0.5}).
     */
    public static double accuracy(Tensor logits, int[] targets) {
        Predictions p = Predictions.of("accuracy", logits, targets);
        long correct = 0;
        for (int i = 0; i < p.n(); i++) {
            int predicted = p.binary() ? (p.values()[i] > 0 ? 1 : 0) : p.argmax(i);
            if (predicted == targets[i]) {
                correct++;
            }
        }
        return (double) correct / p.n();
    }

    /**
     * The mean negative log-likelihood of the targets, as sklearn's
     * {@code log_loss(targets, probabilities, labels=range(C))}: each probability of a target is
     * clipped to [eps, 1 - eps] with eps = 2^-23 ({@code np.finfo(float32).eps}, sklearn's clip for
     * float32 input), then {@code -log}. Binary input gives P(class 1), so a target 0 scores
     * {@code 1 - p}. Rows are not renormalised (sklearn before 1.5 divided each clipped row by its
     * sum; the results agree for rows that sum to one). Probabilities must lie in [0, 1].
     */
    public static double logLoss(Tensor probabilities, int[] targets) {
        Predictions p = Predictions.of("logLoss", probabilities, targets);
        float[] values = p.values();
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0f && values[i] <= 1f)) {
                throw new IllegalArgumentException("logLoss expects probabilities in [0, 1], got " + values[i]
                        + " at flat index " + i);
            }
        }
        double sum = 0;
        for (int i = 0; i < p.n(); i++) {
            double q = p.binary()
                    ? (targets[i] == 1 ? values[i] : 1.0 - values[i])
                    : values[i * p.classes() + targets[i]];
            sum -= Math.log(Math.min(Math.max(q, FLOAT32_EPS), 1 - FLOAT32_EPS));
        }
        return sum / p.n();
    }

    /**
     * The area under the ROC curve of binary scores (any monotone score: logits or probabilities),
     * equal to sklearn's {@code roc_auc_score(labels, scores)}: the probability that a random
     * positive scores above a random negative, ties counting one half (the Mann-Whitney U statistic
     * with average ranks). Both classes must be present, as in sklearn.
     */
    public static double rocAuc(Tensor scores, int[] labels) {
        Predictions p = Predictions.of("rocAuc", scores, labels);
        if (!p.binary()) {
            throw new IllegalArgumentException("rocAuc expects binary scores of shape [N] or [N, 1], got shape "
                    + Arrays.toString(scores.shape()));
        }
        return RocAuc.of(p.values(), labels);
    }
}
