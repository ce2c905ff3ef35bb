package org.vectorgrad.metrics;

import java.util.Arrays;

/**
 * ROC AUC as the Mann-Whitney statistic: sort the positives' and the negatives' scores separately,
 * then one merge-like sweep counts, for each positive, the negatives strictly below it and those
 * tied with it. O(n log n) with primitive sorts; the counts are exact integers until the final
 * division (2·P·N fits a long for any int n).
 */
final class RocAuc {
    private RocAuc() {
    }

    static double of(float[] scores, int[] labels) {
        int positives = 0;
        for (int i = 0; i < scores.length; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("rocAuc: scores contain NaN (at index " + i + ")");
            }
            positives += labels[i];
        }
        int negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException(
                    "Only one class present in y_true. ROC AUC score is not defined in that case.");
        }
        double[] pos = new double[positives];
        double[] neg = new double[negatives];
        int p = 0;
        int q = 0;
        for (int i = 0; i < scores.length; i++) {
            // + 0f turns -0.0 into +0.0 so the two zeros, which tie, also sort together.
            double s = scores[i] + 0f;
            if (labels[i] == 1) {
                pos[p++] = s;
            } else {
                neg[q++] = s;
            }
        }
        Arrays.sort(pos);
        Arrays.sort(neg);
        return (double) twiceU(pos, neg) / (2.0 * positives * negatives);
    }

    /** 2 × Σ over positives of (#negatives below + ½ #negatives tied). */
    private static long twiceU(double[] pos, double[] neg) {
        long sum = 0;
        int below = 0;
        int belowOrTied = 0;
        for (double s : pos) {
            while (below < neg.length && neg[below] < s) {
                below++;
            }
            belowOrTied = Math.max(belowOrTied, below);
            while (belowOrTied < neg.length && neg[belowOrTied] <= s) {
                belowOrTied++;
            }
            sum += below + belowOrTied;
        }
        return sum;
    }
}
