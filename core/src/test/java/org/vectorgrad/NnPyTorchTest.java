package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Replays {@code fixtures/nn.txt} (written by {@code tools/pytorch/gen_nn_fixtures.py}, which
 * documents the format): per case the grad_fn tree, the forward values, the input gradients, and
 * every no-grad input after the call (running statistics updated in place, anything else
 * untouched); per bad call PyTorch's message, and the inputs untouched.
 *
 * <p>NOTE: tolerance. Selections (max pooling, dropout's identity cases) must be bit-identical.
 * Everything else sums in another order than PyTorch's kernels (im2col GEMM vs oneDNN, fused
 * batch-norm statistics, double running-stat updates): within 4 ulp of each element plus 2e-6 of
 * the tensor's largest magnitude, about 20 float32 roundings of the largest term, while a wrong
 * element (a misplaced tap, a missed padding, a biased/unbiased variance mix-up) is off by 1e-2
 * or more of it.
 */
final class NnPyTorchTest {
    private static final String FIXTURE = "/fixtures/nn.txt";
    private static final double RTOL = 2e-6;

    record Value(int[] shape, float[] values) {
        static Value parse(String shape, String bits) {
            return new Value(Fixtures.shape(shape), Fixtures.floats(bits));
        }
    }

    record Case(String name, List<OpsPyTorchTest.Input> inputs, Value out, String graph, Value g,
                Map<Integer, Value> grads, Map<Integer, Value> after) {
        boolean exact() {
            return name.startsWith("maxpool") || name.startsWith("dropout");
        }
    }

    record ErrorCase(String name, String type, String message) {
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        List<String[]> block = new ArrayList<>();
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] f = line.split("\t", -1);
            if (f[0].equals("error")) {
                continue;
            }
            block.add(f);
            if (f[0].equals("end")) {
                cases.add(parse(block));
                block.clear();
            }
        }
        assertTrue(block.isEmpty(), "unterminated case at the end of " + FIXTURE);
        return cases;
    }

    private static Case parse(List<String[]> block) {
        List<OpsPyTorchTest.Input> inputs = new ArrayList<>();
        Map<Integer, Value> grads = new TreeMap<>();
        Map<Integer, Value> after = new TreeMap<>();
        Value out = null;
        Value g = null;
        String graph = null;
        for (String[] f : block.subList(1, block.size() - 1)) {
            switch (f[0]) {
                case "in" -> inputs.add(new OpsPyTorchTest.Input(
                        OpsPyTorchTest.Value.parse(f[1], f[4]), f[2].equals("1"), f[3].charAt(0)));
                case "out" -> out = Value.parse(f[1], f[2]);
                case "graph" -> graph = f[1];
                case "g" -> g = Value.parse(f[1], f[2]);
                case "grad" -> grads.put(Integer.parseInt(f[1]), f[2].equals("none") ? null : Value.parse(f[2], f[3]));
                case "after" -> after.put(Integer.parseInt(f[1]), Value.parse(f[2], f[3]));
                default -> throw new IllegalStateException("unknown fixture line '" + f[0] + "' in " + block.get(0)[1]);
            }
        }
        return new Case(block.get(0)[1], inputs, out, graph, g, grads, after);
    }

    static List<ErrorCase> errorCases() {
        return Fixtures.dataLines(FIXTURE).stream().filter(line -> line.startsWith("error\t"))
                .map(line -> line.split("\t", -1)).map(f -> new ErrorCase(f[1], f[2], f[3])).toList();
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return cases().stream().map(c -> dynamicTest(c.name(), () -> replay(c)));
    }

    private static void replay(Case c) {
        GradCheck.Op op = NnCases.OPS.get(c.name());
        assertNotNull(op, "no Vectorgrad call for fixture case " + c.name());
        Tensor[] leaves = c.inputs().stream().map(OpsPyTorchTest.Input::build).toArray(Tensor[]::new);
        Tensor y = op.apply(leaves);
        assertArrayEquals(c.out().shape(), y.shape(), c.name() + ": output shape differs from PyTorch's");
        String graph = OpsPyTorchTest.tree(y.gradFn());
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertGraph(c, graph));
        checks.add(() -> assertValues("forward", c.out(), y, c.exact()));
        if (c.g() != null) {
            y.backward(Tensor.fromArray(c.g().values(), c.g().shape()));
        }
        for (int i = 0; i < leaves.length; i++) {
            int index = i;
            if (c.after().containsKey(i)) {
                checks.add(() -> assertValues("input " + index + " after the call", c.after().get(index),
                        leaves[index], false));
            } else {
                Value expected = c.grads().get(i);
                checks.add(expected == null ? () -> assertNull(leaves[index].grad(), "grad of input " + index)
                        : () -> assertValues("grad of input " + index, expected, leaves[index].grad(), c.exact()));
            }
        }
        assertAll(c.name(), checks);
    }

    /**
     * Exact trees, except label smoothing: PyTorch builds its uniform term through index_put and
     * masked_select (for ignore_index, which Vectorgrad's int targets do not have) and scales with
     * Python floats (MulBackward1); Vectorgrad must still add a scaled NllLoss over the shared log_softmax.
     */
    private static void assertGraph(Case c, String graph) {
        if (c.name().startsWith("ce_label_smoothing")) {
            assertTrue(graph.startsWith("AddBackward0(MulBackward0(NllLossBackward0(LogSoftmaxBackward0("), graph);
            assertTrue(graph.contains("MeanBackward0(NegBackward0(SumBackward1(LogSoftmaxBackward0("), graph);
            return;
        }
        assertEquals(c.graph(), graph, "grad_fn tree");
    }

    private static void assertValues(String label, Value expected, Tensor actual, boolean exact) {
        assertNotNull(actual, label + " is missing");
        assertArrayEquals(expected.shape(), actual.shape(), label + " shape");
        float[] got = actual.toArray();
        float[] want = expected.values();
        float scale = 1f;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < got.length; i++) {
            boolean ok = exact ? Float.floatToIntBits(got[i]) == Float.floatToIntBits(want[i])
                    : Math.abs(got[i] - want[i]) <= 4 * Math.ulp(want[i]) + RTOL * scale;
            if (!ok) {
                fail(label + (exact ? " (bit-exact)" : "") + ": element " + i + " is " + got[i] + ", PyTorch " + want[i]
                        + "\n  expected " + Arrays.toString(want) + "\n  actual   " + Arrays.toString(got));
            }
        }
    }

    @Test
    void dropoutInEvalAndWithoutProbabilityReturnsTheInputItself() {
        Tensor x = Tensor.ones(3, 4).requiresGrad(true);
        assertSame(x, org.vectorgrad.nn.Functional.dropout(x, 0.5f, false));
        assertSame(x, org.vectorgrad.nn.Functional.dropout(x, 0f, true));
    }

    // ---- bad input ---------------------------------------------------------------------------------

    /** PyTorch's message (without its final period; Vectorgrad may append the shapes), and inputs untouched. */
    @TestFactory
    Stream<DynamicTest> badInputGetsPyTorchsMessageAndLeavesTheInputsAlone() {
        return errorCases().stream().map(e -> dynamicTest(e.name(), () -> {
            NnCases.BadCall bad = NnCases.ERRORS.get(e.name());
            assertNotNull(bad, "no Vectorgrad call for error case " + e.name());
            List<float[]> before = Arrays.stream(bad.inputs()).map(Tensor::toArray).toList();
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> bad.call().accept(bad.inputs()));
            // Every case is a bad argument, so the contract's IllegalArgumentException, also where
            // PyTorch raises IndexError (a class target out of range).
            assertEquals(IllegalArgumentException.class, thrown.getClass(), "exception type for PyTorch's " + e.type());
            String sentence = e.message().endsWith(".") ? e.message().substring(0, e.message().length() - 1)
                    : e.message();
            assertTrue(thrown.getMessage().contains(sentence),
                    () -> "message\n  " + thrown.getMessage() + "\nshould contain PyTorch's\n  " + sentence);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), bad.inputs()[i].toArray(), "input " + i + " changed");
                assertNull(bad.inputs()[i].grad(), "input " + i + " got a gradient");
            }
        }));
    }

    @Test
    void everyFixtureCaseHasAVectorgradCallAndViceVersa() {
        assertEquals(cases().stream().map(Case::name).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(NnCases.OPS.keySet()));
        assertEquals(errorCases().stream().map(ErrorCase::name).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(NnCases.ERRORS.keySet()));
    }
}
