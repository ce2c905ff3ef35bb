package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * cat, stack, indexSelect, min, minimum, clamp, var and std over tensors large enough for their
 * kernels to split the work (each copy, the chunks of gathered slices, the sums), forward and
 * backward, give bit-identical values and gradients for 1, 2, 3 and 8 threads.
 */
@ExtendWith(RestoreThreads.class)
final class InteropThreadDeterminismTest {
    private static final int[] THREADS = {1, 2, 3, 8};
    // 632 003 elements per input: more than twice the largest chunk of any kernel (2^18, sums).
    private static final int ROWS = 613;
    private static final int COLUMNS = 1031;

    @Test
    void valuesAndGradientsAreBitIdenticalForEveryThreadCount() {
        Tensor.manualSeed(11);
        Tensor x = Tensor.randn(ROWS, COLUMNS);
        Tensor y = Tensor.randn(ROWS, COLUMNS);
        Tensor row = Tensor.randn(COLUMNS);
        Random random = new Random(12);
        int[] rows = random.ints(2 * ROWS, 0, ROWS).toArray();
        int[] columns = random.ints(COLUMNS / 2, 0, COLUMNS).toArray();
        List<float[]> first = null;
        for (int threads : THREADS) {
            Parallelism.setThreads(threads);
            List<float[]> results = pass(x, y, row, rows, columns);
            if (first == null) {
                first = results;
                continue;
            }
            for (int k = 0; k < results.size(); k++) {
                assertBitIdentical(first.get(k), results.get(k), "result " + k + " with " + threads + " threads");
            }
        }
    }

    /** Every op's value and the three leaves' gradients of one pass. */
    private static List<float[]> pass(Tensor xData, Tensor yData, Tensor rowData, int[] rows, int[] columns) {
        Tensor x = xData.detach().requiresGrad(true);
        Tensor y = yData.detach().requiresGrad(true);
        Tensor row = rowData.detach().requiresGrad(true);
        Tensor[] values = {
            Tensor.cat(List.of(x, y), 0),
            Tensor.cat(List.of(x.t(), y.t(), row.unsqueeze(1)), 1),
            Tensor.stack(List.of(x, y), 2),
            x.indexSelect(0, rows),
            y.t().indexSelect(1, rows),
            x.indexSelect(1, columns),
            x.min().reshape(1),
            x.minimum(row),
            y.clamp(-0.5f, 0.75f),
            x.var(0, true, false),
            y.std(1, false, true),
        };
        Tensor loss = Tensor.scalar(0f);
        for (int k = 0; k < values.length; k++) {
            loss = loss.add(values[k].mul(0.5f + k).sum());
        }
        loss.backward();
        List<float[]> results = new ArrayList<>();
        for (Tensor t : values) {
            results.add(t.detach().toArray());
        }
        for (Tensor t : new Tensor[] {loss, x.grad(), y.grad(), row.grad()}) {
            results.add(t.detach().toArray());
        }
        return results;
    }

    private static void assertBitIdentical(float[] expected, float[] actual, String context) {
        assertEquals(expected.length, actual.length, context);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(context + ": at " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }
}
