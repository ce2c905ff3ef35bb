package org.vectorgrad.nn.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vectorgrad.Autograd;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

/**
 * A {@code resnet} block of fixtures/nn_modules.txt: PyTorch's prediction, loss, statistics of
 * selected parameters after one SGD step (and of running statistics) and the eval-mode output.
 */
public record ResNetFixture(String name, long seed, int batch, int size, int classes, Tensor out, float loss,
                            List<String[]> stats, Tensor evalOut) {
    /**
     * Layer-by-layer summation orders differ from PyTorch's (its conv is MKL-DNN/OpenBLAS), and 20
     * layers of batch norm amplify last-bit differences a little: relative to each tensor's scale.
     */
    static final double RELATIVE = 1e-4;

    public static ResNetFixture load(String name) {
        List<String> lines = Fixtures.dataLines("/fixtures/nn_modules.txt");
        int at = 0;
        while (!lines.get(at).startsWith("resnet\t" + name + "\t")) {
            at++;
        }
        String[] head = lines.get(at).split("\t");
        int classes = Integer.parseInt(lines.get(at + 1).split("\t")[1]);
        Tensor out = null;
        Tensor evalOut = null;
        float loss = Float.NaN;
        List<String[]> stats = new ArrayList<>();
        for (int i = at + 2; !lines.get(i).equals("end"); i++) {
            String[] f = lines.get(i).split("\t");
            switch (f[0]) {
                case "out" -> out = Tensor.fromArray(Fixtures.floats(f[2]), Fixtures.shape(f[1]));
                case "eval" -> evalOut = Tensor.fromArray(Fixtures.floats(f[2]), Fixtures.shape(f[1]));
                case "loss" -> loss = Fixtures.floats(f[1])[0];
                case "stat" -> stats.add(f);
                default -> throw new IllegalStateException("unknown line " + lines.get(i));
            }
        }
        return new ResNetFixture(head[1], Long.parseLong(head[2]), Integer.parseInt(head[3]),
                Integer.parseInt(head[4]), classes, out, loss, stats, evalOut);
    }

    /** The training-mode prediction and the loss (prediction - labels).sum(). */
    public void checkForward(Tensor prediction, Tensor lossValue) {
        assertClose(out, prediction, "prediction");
        double lossScale = out.abs().sum().item() + 1;
        assertEquals(loss, lossValue.item(), RELATIVE * lossScale, "loss");
    }

    /** Sums, absolute sums and first values of the selected state entries after the step. */
    public void checkAfterStep(Map<String, Tensor> state) {
        for (String[] s : stats) {
            Tensor t = state.get(s[1]);
            assertArrayEquals(Fixtures.shape(s[2]), t.shape(), s[1]);
            double sum = 0;
            double absSum = 0;
            for (float v : t.toArray()) {
                sum += v;
                absSum += Math.abs(v);
            }
            double expectedAbs = Double.parseDouble(s[4]);
            assertEquals(Double.parseDouble(s[3]), sum, RELATIVE * expectedAbs + 1e-6, s[1] + " sum");
            assertEquals(expectedAbs, absSum, RELATIVE * expectedAbs + 1e-6, s[1] + " sum of |values|");
            // One SGD step moves a weight by lr·grad, often more than its own size: the error scales
            // with the tensor's typical magnitude, not with the element.
            double meanAbs = expectedAbs / t.numel();
            float[] head = Fixtures.floats(s[5]);
            float[] actual = t.toArray();
            for (int i = 0; i < head.length; i++) {
                assertEquals(head[i], actual[i], 2 * RELATIVE * Math.max(meanAbs, Math.abs(head[i])) + 1e-6,
                        s[1] + " element " + i);
            }
        }
    }

    public void checkEval(ResNet model, Tensor x) {
        model.eval();
        try (Autograd.Guard ignored = Autograd.noGrad()) {
            assertClose(evalOut, model.forward(x), "eval-mode prediction after the step");
        }
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        double scale = 0;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], RELATIVE * Math.max(1, scale), what + " element " + i);
        }
    }
}
