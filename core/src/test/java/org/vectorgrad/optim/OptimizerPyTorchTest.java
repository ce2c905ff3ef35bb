package org.vectorgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;
import org.vectorgrad.Tensor;

/**
 * Replays {@code fixtures/optim.txt} (tools/pytorch/gen_optim_fixtures.py): several steps of each
 * optimizer configuration from PyTorch's parameters and gradients, and schedulers' lr sequences.
 */
class OptimizerPyTorchTest {
    private static final String FIXTURE = "/fixtures/optim.txt";
    /**
     * PyTorch fuses a·alpha + b into one FMA in add_(alpha=...); the Tensor ops here round the product
     * first, so values may differ in the last bits (a few float ulps after six steps).
     */
    private static final float RELATIVE = 2e-6f;

    @TestFactory
    Stream<DynamicTest> optimizersMatchPyTorch() {
        List<DynamicTest> tests = new ArrayList<>();
        List<String> block = null;
        for (String line : Fixtures.dataLines(FIXTURE)) {
            if (line.startsWith("case\t")) {
                block = new ArrayList<>();
            }
            if (block != null) {
                block.add(line);
                if (line.equals("end")) {
                    List<String> lines = block;
                    tests.add(DynamicTest.dynamicTest(lines.get(0).split("\t")[1], () -> replay(lines)));
                    block = null;
                }
            }
        }
        assertTrue(tests.size() >= 13, "expected the optimizer cases, found " + tests.size());
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> schedulersMatchPyTorch() {
        List<String> lines = Fixtures.dataLines(FIXTURE);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("schedule\t")) {
                String[] head = lines.get(i).split("\t");
                String[] lrs = lines.get(i + 1).split("\t")[1].split(" ");
                tests.add(DynamicTest.dynamicTest(head[1], () -> replaySchedule(head, lrs)));
            }
        }
        assertTrue(tests.size() >= 5);
        return tests.stream();
    }

    private static void replaySchedule(String[] head, String[] lrs) {
        Tensor p = Tensor.zeros(1).requiresGrad(true);
        SGD sgd = new SGD(List.of(p), Float.parseFloat(head[4]));
        LRScheduler scheduler = scheduler(head[2], args(head[3]), sgd);
        assertEquals(dbits(lrs[0]), sgd.lrExact(), "lr after construction");
        for (int step = 1; step < lrs.length; step++) {
            sgd.step();
            scheduler.step();
            double expected = dbits(lrs[step]);
            // NOTE: Java's cos and glibc's may differ in the last bit; the recursion carries it on.
            assertEquals(expected, sgd.lrExact(), Math.abs(expected) * 1e-13 + 1e-300, "lr after step " + step);
            assertEquals((float) sgd.lrExact(), scheduler.lastLr());
            assertEquals(sgd.lrExact(), scheduler.lastLrExact());
        }
    }

    private static void replay(List<String> lines) {
        String[] head = lines.get(0).split("\t");
        List<Tensor> params = new ArrayList<>();
        LRScheduler scheduler = null;
        Optimizer optimizer = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            switch (f[0]) {
                case "param" -> params.add(tensor(f[2], f[3]).requiresGrad(true));
                case "sched" -> scheduler = scheduler(f[1], args(f[2]), optimizer = optimizerFor(head, params, optimizer));
                case "grad" -> {
                    optimizer = optimizerFor(head, params, optimizer);
                    setGrad(params.get(Integer.parseInt(f[2])), f[3].equals("none") ? null : tensor(f[3], f[4]));
                }
                case "after" -> {
                    if (f[2].equals("0")) {
                        optimizer.step();
                    }
                    assertClose(tensor(f[3], f[4]), params.get(Integer.parseInt(f[2])), head[1] + " " + line.substring(0, 12));
                }
                case "lr" -> {
                    scheduler.step();
                    assertEquals(dbits(f[2]), optimizer.lrExact(), Math.abs(dbits(f[2])) * 1e-13, "lr at step " + f[1]);
                }
                case "end" -> { }
                default -> throw new IllegalStateException("unknown fixture line " + line);
            }
        }
    }

    /** Tensors require grad to be leaves the optimizer accepts; their grad is set through backward. */
    private static void setGrad(Tensor param, Tensor grad) {
        param.zeroGrad();
        if (grad != null) {
            param.mul(grad).sum().backward();
            assertEquals(Fixtures.floats(hex(grad)).length, param.grad().numel());
        } else {
            assertNull(param.grad());
        }
    }

    private static String hex(Tensor t) {
        StringBuilder out = new StringBuilder();
        for (float v : t.toArray()) {
            out.append(String.format("%08x", Float.floatToRawIntBits(v)));
        }
        return out.toString();
    }

    private static Optimizer optimizerFor(String[] head, List<Tensor> params, Optimizer existing) {
        return existing != null ? existing : optimizer(head[2], args(head[3]), params);
    }

    static Optimizer optimizer(String cls, Map<String, String> a, List<Tensor> params) {
        float lr = Float.parseFloat(a.get("lr"));
        float wd = Float.parseFloat(a.getOrDefault("weight_decay", cls.equals("AdamW") ? "0.01" : "0"));
        float beta1 = Float.parseFloat(a.getOrDefault("beta1", "0.9"));
        float beta2 = Float.parseFloat(a.getOrDefault("beta2", "0.999"));
        float eps = Float.parseFloat(a.getOrDefault("eps", "1e-08"));
        return switch (cls) {
            case "SGD" -> new SGD(params, lr, Float.parseFloat(a.getOrDefault("momentum", "0")),
                    Float.parseFloat(a.getOrDefault("dampening", "0")), wd, a.getOrDefault("nesterov", "False").equals("True"));
            case "Adam" -> new Adam(params, lr, beta1, beta2, eps, wd);
            case "AdamW" -> new AdamW(params, lr, beta1, beta2, eps, wd);
            default -> throw new IllegalStateException("unknown optimizer " + cls);
        };
    }

    static LRScheduler scheduler(String cls, Map<String, String> a, Optimizer optimizer) {
        return switch (cls) {
            case "StepLR" -> new StepLR(optimizer, Integer.parseInt(a.get("step_size")),
                    Float.parseFloat(a.getOrDefault("gamma", "0.1")));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(optimizer, Integer.parseInt(a.get("T_max")),
                    Float.parseFloat(a.getOrDefault("eta_min", "0")));
            default -> throw new IllegalStateException("unknown scheduler " + cls);
        };
    }

    static Map<String, String> args(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : text.split(",")) {
            String[] parts = kv.split("=", 2);
            out.put(parts[0], parts[1]);
        }
        return out;
    }

    static Tensor tensor(String shape, String hex) {
        return Tensor.fromArray(Fixtures.floats(hex), Fixtures.shape(shape));
    }

    private static double dbits(String hex) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(hex, 16));
    }

    static void assertClose(Tensor expected, Tensor actual, String what) {
        float[] e = expected.toArray();
        float[] a = actual.toArray();
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            float tolerance = RELATIVE * Math.max(1f, Math.abs(e[i]));
            assertEquals(e[i], a[i], tolerance, what + " element " + i);
        }
    }
}
