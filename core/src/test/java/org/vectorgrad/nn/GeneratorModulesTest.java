package org.vectorgrad.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Generator;
import org.vectorgrad.Tensor;
import org.vectorgrad.nn.models.ResNet;

/**
 * Explicit generators: {@code new Generator(s)} handed to a factory or a layer gives what PyTorch gives
 * after {@code torch.manual_seed(s)} (fixtures nn_modules.txt and data.txt), and Dropout what the
 * default generator gives after {@code manualSeed(s)}, without reading or advancing the default
 * generator, so models built on many threads are reproducible.
 */
class GeneratorModulesTest {
    /** The modules of ModuleInitTest, each drawing from one explicit generator. */
    private static final Map<String, Function<Generator, Module>> MODULES = new LinkedHashMap<>();

    static {
        MODULES.put("linear_5_3", g -> new Linear(5, 3, g));
        MODULES.put("linear_stack", g -> new Sequential(new Linear(7, 4, g), new Linear(4, 2, false, g),
                new Linear(2, 1, g)));
        MODULES.put("conv_mix", g -> new Sequential(new Conv2d(3, 8, 3, 1, 0, g),
                new Conv2d(8, 2, 1, 1, 0, 1, false, g), new Conv2d(1, 1, 2, 1, 0, g), new BatchNorm2d(2), new Linear(3, 16, g)));
        MODULES.put("conv_kaiming_normal_small", g -> {
            Conv2d conv = new Conv2d(1, 2, 2, 1, 0, g);
            Init.kaimingNormalFanOutRelu(conv.weight(), g);
            return conv;
        });
        MODULES.put("resnet18_10", g -> ResNet.resnet18(10, g));
    }

    @TestFactory
    Stream<DynamicTest> layersBuiltWithAGeneratorHoldPyTorchsInit() {
        Map<String, ModuleInitTest.InitCase> cases = ModuleInitTest.initCases();
        assertEquals(MODULES.keySet(), cases.keySet());
        return cases.entrySet().stream().map(c -> DynamicTest.dynamicTest(c.getKey(), () -> {
            Tensor.manualSeed(12345);
            float[] defaultStream = Tensor.rand(40).toArray();
            Tensor.manualSeed(12345);
            Module module = MODULES.get(c.getKey()).apply(new Generator(c.getValue().seed()));
            ModuleInitTest.assertState(module, c.getValue().entries());
            assertArrayEquals(defaultStream, Tensor.rand(40).toArray(), "the default generator was not touched");
        }));
    }

    @Test
    void randAndRandnDrawFromTheGivenGenerator() {
        List<String> lines = fixture("random\t");
        assertEquals(5, lines.size());
        for (String line : lines) {
            String[] f = line.split("\t");
            Generator g = new Generator(Long.parseLong(f[1]));
            List<Float> values = new ArrayList<>();
            for (String op : f[2].split(" ")) {
                int[] shape = Fixtures.shape(op.substring(op.indexOf(':') + 1));
                Tensor t = op.startsWith("rand:") ? Tensor.rand(g, shape) : Tensor.randn(g, shape);
                assertArrayEquals(shape, t.shape());
                for (float v : t.toArray()) {
                    values.add(v);
                }
            }
            float[] expected = Fixtures.floats(f[3]);
            assertEquals(expected.length, values.size(), line);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(values.get(i)),
                        line + " #" + i);
            }
        }
    }

    @Test
    void dropoutDrawsItsMaskFromItsGenerator() {
        Tensor ones = Tensor.ones(7, 9);
        for (long seed : new long[] {0, 17, -5}) {
            Tensor.manualSeed(seed);
            float[] fromDefault = new Dropout(0.3f).forward(ones).toArray();
            Tensor.manualSeed(777);
            float[] defaultStream = Tensor.rand(5).toArray();
            Tensor.manualSeed(777);
            Dropout dropout = new Dropout(0.3f, new Generator(seed));
            assertArrayEquals(fromDefault, dropout.forward(ones).toArray(), "seed " + seed);
            assertArrayEquals(defaultStream, Tensor.rand(5).toArray(), "the default generator was not touched");
            assertArrayEquals(ones.toArray(), dropout.eval().forward(ones).toArray());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dropout(0.5f, null));
        assertEquals("generator must not be null (Generator.defaultGenerator() is the shared one)", e.getMessage());
    }

    /** A small CNN with dropout: its init and its training-mode output both depend on its generator only. */
    private static float[][] buildAndRun(long seed) {
        Generator g = new Generator(seed);
        Module model = new Sequential(new Conv2d(3, 8, 3, 1, 1, g), new ReLU(), new Flatten(),
                new Linear(8 * 6 * 6, 32, g), new Dropout(0.3f, g), new Linear(32, 4, false, g));
        Tensor x = Tensor.rand(g, 2, 3, 6, 6);
        List<float[]> values = new ArrayList<>();
        model.stateDict().values().forEach(t -> values.add(t.toArray()));
        values.add(model.forward(x).toArray());
        return values.toArray(float[][]::new);
    }

    @Test
    void modelsBuiltConcurrentlyEqualSequentialBuilds() throws Exception {
        int tasks = 8;
        float[][][] sequential = new float[tasks][][];
        for (int t = 0; t < tasks; t++) {
            sequential[t] = buildAndRun(1000 + t % 3);
        }
        ExecutorService pool = Executors.newFixedThreadPool(tasks);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<float[][]>> futures = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    long seed = 1000 + t % 3;
                    futures.add(pool.submit(() -> buildAndRun(seed)));
                }
                // Meanwhile this thread keeps drawing from the default generator.
                Tensor.randn(10_000);
                for (int t = 0; t < tasks; t++) {
                    float[][] concurrent = futures.get(t).get();
                    assertEquals(sequential[t].length, concurrent.length);
                    for (int i = 0; i < concurrent.length; i++) {
                        assertArrayEquals(sequential[t][i], concurrent[i], "task " + t + " tensor " + i);
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> fixture(String prefix) {
        return Fixtures.dataLines("/fixtures/data.txt").stream().filter(l -> l.startsWith(prefix)).toList();
    }
}
