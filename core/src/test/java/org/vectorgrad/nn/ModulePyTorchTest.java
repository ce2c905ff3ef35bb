package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

/**
 * Every {@code layer} block of fixtures/nn_modules.txt (tools/pytorch/gen_nn_module_fixtures.py):
 * the same module with the same loaded weights and input gives PyTorch's output, input and
 * parameter gradients, and running statistics.
 */
class ModulePyTorchTest {
    /** Summation order differs from PyTorch's (GEMM blocking, reductions), so values match to float rounding. */
    private static final float RELATIVE = 2e-5f;
    private static final float NOISE = 1e-4f;

    static final Map<String, Supplier<Module>> LAYERS = new LinkedHashMap<>();

    static {
        LAYERS.put("linear", () -> new Linear(5, 3));
        LAYERS.put("linear_nobias_3d", () -> new Linear(4, 2, false));
        LAYERS.put("linear_1d", () -> new Linear(3, 2));
        LAYERS.put("conv", () -> new Conv2d(3, 4, 3));
        LAYERS.put("conv_stride_pad", () -> new Conv2d(2, 3, 3, 2, 1));
        LAYERS.put("conv_dilation_nobias", () -> new Conv2d(2, 3, 3, 1, 2, 2, false));
        LAYERS.put("conv_1x1_stride2", () -> new Conv2d(4, 2, 1, 2, 0, 1, false));
        LAYERS.put("conv_unbatched", () -> new Conv2d(2, 2, 2));
        LAYERS.put("batchnorm2d_train", () -> new BatchNorm2d(3));
        LAYERS.put("batchnorm2d_eval", () -> new BatchNorm2d(3));
        LAYERS.put("batchnorm2d_momentum", () -> new BatchNorm2d(2, 1e-3f, 0.3f));
        LAYERS.put("batchnorm1d_2d", () -> new BatchNorm1d(4));
        LAYERS.put("batchnorm1d_3d", () -> new BatchNorm1d(3));
        LAYERS.put("batchnorm1d_eval", () -> new BatchNorm1d(4));
        LAYERS.put("relu", ReLU::new);
        LAYERS.put("maxpool", () -> new MaxPool2d(2, 2));
        LAYERS.put("maxpool_k3_s2_p1", () -> new MaxPool2d(3, 2, 1));
        LAYERS.put("avgpool", () -> new AvgPool2d(2));
        LAYERS.put("avgpool_k3_s2_p1", () -> new AvgPool2d(3, 2, 1));
        LAYERS.put("adaptive_1", () -> new AdaptiveAvgPool2d(1));
        LAYERS.put("adaptive_2", () -> new AdaptiveAvgPool2d(2));
        LAYERS.put("flatten", Flatten::new);
        LAYERS.put("dropout_eval", () -> new Dropout(0.5f));
        LAYERS.put("small_cnn", () -> new Sequential(
                new Conv2d(3, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, 3, 2, 1, 1, false), new BatchNorm2d(6), new ReLU(),
                new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 5), new BatchNorm1d(5), new ReLU(), new Linear(5, 3)));
    }

    @TestFactory
    Stream<DynamicTest> layersMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> lines = Fixtures.dataLines("/fixtures/nn_modules.txt");
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("layer\t")) {
                String[] head = lines.get(i).split("\t");
                List<String> block = new ArrayList<>();
                while (!lines.get(++i).equals("end")) {
                    block.add(lines.get(i));
                }
                tests.add(DynamicTest.dynamicTest(head[1], () -> replay(head[1], head[2], block)));
            }
        }
        assertEquals(LAYERS.size(), tests.size(), "every layer case has a Java module");
        return tests.stream();
    }

    private static void replay(String name, String mode, List<String> block) {
        Module module = LAYERS.get(name).get();
        Map<String, Tensor> state = new LinkedHashMap<>();
        Map<String, Tensor> single = new LinkedHashMap<>();
        Map<String, Tensor> paramGrads = new LinkedHashMap<>();
        Map<String, Tensor> buffersAfter = new LinkedHashMap<>();
        for (String line : block) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "state" -> state.put(f[1], tensor(f[2], f[3]));
                case "gparam" -> paramGrads.put(f[1], tensor(f[2], f[3]));
                case "after" -> buffersAfter.put(f[1], tensor(f[2], f[3]));
                default -> single.put(f[0], tensor(f[1], f[2]));
            }
        }
        module.loadStateDict(state);
        module.train(mode.equals("train"));
        Tensor x = single.get("in").requiresGrad(true);
        Tensor y = module.forward(x);
        assertClose(single.get("out"), y, "output");
        y.backward(single.get("gout"));
        assertClose(single.get("gin"), x.grad(), "input gradient");
        assertEquals(List.copyOf(paramGrads.keySet()), List.copyOf(module.namedParameters().keySet()));
        paramGrads.forEach((key, grad) -> assertClose(grad, module.namedParameters().get(key).grad(), key + ".grad"));
        assertEquals(List.copyOf(buffersAfter.keySet()), List.copyOf(module.namedBuffers().keySet()));
        buffersAfter.forEach((key, value) -> assertClose(value, module.namedBuffers().get(key), key));
    }

    static Tensor tensor(String shape, String hex) {
        return Tensor.fromArray(Fixtures.floats(hex), Fixtures.shape(shape));
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        assertTrue(actual != null, what + " is null");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        float scale = 0f;
        for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
        }
        // NOTE: a bias feeding a batch norm has a gradient that is exactly zero in exact arithmetic;
        // PyTorch's and ours are float noise of order 1e-5 with unrelated signs (the scalar kernels
        // sum in another order than the vector ones), so only "both are noise" can be checked.
        float tolerance = scale < NOISE ? NOISE : RELATIVE * Math.max(1f, scale);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], tolerance, what + " element " + i);
        }
    }
}
