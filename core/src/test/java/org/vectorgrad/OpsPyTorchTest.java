package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * Replays autograd cases computed by real PyTorch 1.13 ({@code fixtures/autograd.txt}, written by
 * {@code tools/pytorch/gen_autograd_fixtures.py}, which documents the format) and asserts, per
 * case: the grad_fn tree (names exact, {@code None} for inputs without grad), the forward values,
 * {@code toString()} equal to PyTorch's repr whenever the values are bit-identical, the input
 * gradients after {@code backward(g)}, and for some cases the second derivatives.
 *
 * <p>NOTE: tolerance. Cases PyTorch and Vectorgrad compute with the same float operations in the
 * same order (elementwise arithmetic, views, expand) are flagged exact and compared bit for bit.
 * The rest may legitimately round differently (transcendental kernels, float vs double
 * accumulation in sums and matmul, algebraically equal backward formulas): they are compared
 * within 4 ulp of each element plus 1e-6 of the tensor's largest magnitude (cancellation makes
 * errors relative to the inputs' scale, not to a small result). Second derivatives go through two
 * differently-associated backward graphs and get 1e-5.
 */
final class OpsPyTorchTest {
    private static final String FIXTURE = "/fixtures/autograd.txt";
    private static final double FIRST_ORDER_RTOL = 1e-6;
    private static final double SECOND_ORDER_RTOL = 1e-5;

    /** A shape and its row-major values. */
    record Value(int[] shape, float[] values) {
        static Value parse(String shape, String bits) {
            return new Value(Fixtures.shape(shape), Fixtures.floats(bits));
        }

        Tensor tensor() {
            return Tensor.fromArray(values, shape);
        }
    }

    /** One input: values, whether it requires grad, and its layout in storage ('c', 'T' or 'N'). */
    record Input(Value value, boolean requiresGrad, char layout) {
        Tensor build() {
            Tensor leaf = switch (layout) {
                case 'c' -> value.tensor().requiresGrad(true);
                case 'T' -> GradCheck.transposedLeaf(value.values(), value.shape());
                case 'N' -> GradCheck.narrowedLeaf(value.values(), value.shape());
                default -> throw new IllegalStateException("layout " + layout);
            };
            return requiresGrad ? leaf : leaf.detach();
        }
    }

    /** One case: everything PyTorch recorded. Per-input maps are keyed by input position. */
    record Case(String name, String exact, boolean second, List<Input> inputs, Value out, String repr,
                String graph, Value g, TreeMap<Integer, Value> grads, TreeMap<Integer, Value> v,
                TreeMap<Integer, Value> gg, Value ggo) {
        boolean exactForward() {
            return exact.contains("f");
        }

        boolean exactGrads() {
            return exact.contains("g");
        }
    }

    // ---- loading ---------------------------------------------------------------------------------

    static List<Case> loadCases() {
        List<Case> cases = new ArrayList<>();
        List<String[]> block = new ArrayList<>();
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] fields = line.split("\t", -1);
            block.add(fields);
            if (fields[0].equals("end")) {
                cases.add(parse(block));
                block.clear();
            }
        }
        assertTrue(block.isEmpty(), "unterminated case at the end of " + FIXTURE);
        return cases;
    }

    static Case parse(List<String[]> block) {
        String[] head = block.get(0);
        List<Input> inputs = new ArrayList<>();
        TreeMap<Integer, Value> grads = new TreeMap<>();
        TreeMap<Integer, Value> v = new TreeMap<>();
        TreeMap<Integer, Value> gg = new TreeMap<>();
        String[] out = null;
        String[] ggo = null;
        String repr = null;
        String graph = null;
        String[] g = null;
        for (String[] f : block.subList(1, block.size() - 1)) {
            switch (f[0]) {
                case "in" -> inputs.add(new Input(Value.parse(f[1], f[4]), f[2].equals("1"), f[3].charAt(0)));
                case "out" -> out = f;
                case "repr" -> repr = Fixtures.unescape(f[1]);
                case "graph" -> graph = f[1];
                case "g" -> g = f;
                case "grad" -> grads.put(Integer.parseInt(f[1]), f[2].equals("none") ? null : Value.parse(f[2], f[3]));
                case "v" -> v.put(Integer.parseInt(f[1]), Value.parse(f[2], f[3]));
                case "gg" -> gg.put(Integer.parseInt(f[1]), Value.parse(f[2], f[3]));
                case "ggo" -> ggo = f;
                default -> throw new IllegalStateException("unknown fixture line '" + f[0] + "' in " + head[1]);
            }
        }
        return new Case(head[1], head[2], head[3].equals("1"), inputs, Value.parse(out[1], out[2]), repr, graph,
                Value.parse(g[1], g[2]), grads, v, gg, ggo == null ? null : Value.parse(ggo[1], ggo[2]));
    }

    // ---- replay ----------------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return loadCases().stream().map(c -> dynamicTest(c.name(), () -> replay(c, PyTorchCases.OPS)));
    }

    /** Replays one case with the op of the same name in {@code ops}. */
    static void replay(Case c, Map<String, GradCheck.Op> ops) {
        GradCheck.Op op = ops.get(c.name());
        assertNotNull(op, "no Vectorgrad op for fixture case " + c.name());
        Tensor[] leaves = c.inputs().stream().map(Input::build).toArray(Tensor[]::new);
        Tensor y = op.apply(leaves);
        // Nothing else is comparable (nor can g be back-propagated) when the shapes differ.
        assertArrayEquals(c.out().shape(), y.shape(), c.name() + ": output shape differs from PyTorch's");
        String graph = tree(y.gradFn());
        boolean sameBits = sameBits(c.out().values(), y.toArray());
        String repr = y.toString();
        y.backward(c.g().tensor(), true);
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(c.graph(), graph, "grad_fn tree"));
        checks.add(() -> assertValues("forward", c.out(), y, c.exactForward(), FIRST_ORDER_RTOL));
        if (sameBits) {
            // Formatting depends only on the values, so identical bits must print identically.
            checks.add(() -> assertEquals(c.repr(), repr, "repr"));
        }
        for (int i = 0; i < leaves.length; i++) {
            Value expected = c.grads().get(i);
            Tensor actual = leaves[i].grad();
            String label = "grad of input " + i;
            checks.add(expected == null ? () -> assertNull(actual, label + " should be None")
                    : () -> assertValues(label, expected, actual, c.exactGrads(), FIRST_ORDER_RTOL));
        }
        if (c.second()) {
            checks.add(() -> assertSecondOrder(c, y, leaves));
        }
        assertAll(c.name(), checks);
    }

    /** PyTorch's phi = Σ ⟨dL/dx_i, v_i⟩ differentiated again; see the fixture script. */
    private static void assertSecondOrder(Case c, Tensor y, Tensor[] leaves) {
        Tensor gLeaf = c.g().tensor().requiresGrad(true);
        Integer[] wanted = c.v().keySet().toArray(Integer[]::new);
        Tensor[] inputs = Arrays.stream(wanted).map(i -> leaves[i]).toArray(Tensor[]::new);
        Tensor[] first = Autograd.grad(new Tensor[] {y}, inputs, new Tensor[] {gLeaf}, true, true);
        Tensor phi = gLeaf.sum().mul(0f);
        for (int k = 0; k < wanted.length; k++) {
            // + 0·Σx keeps unused inputs in the graph (no allow_unused); their gradient stays zero.
            phi = phi.add(first[k].mul(c.v().get(wanted[k]).tensor()).sum()).add(inputs[k].sum().mul(0f));
        }
        Tensor[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = gLeaf;
        Tensor[] second = Autograd.grad(new Tensor[] {phi}, all, null, true, false);
        for (int k = 0; k < wanted.length; k++) {
            assertValues("second-order grad of input " + wanted[k], c.gg().get(wanted[k]), second[k], false,
                    SECOND_ORDER_RTOL);
        }
        assertValues("second-order grad of g", c.ggo(), second[wanted.length], false, SECOND_ORDER_RTOL);
    }

    /** The grad_fn tree in the fixture's notation: {@code Name(child,child)}, {@code None} for null. */
    static String tree(GradFn fn) {
        if (fn == null) {
            return "None";
        }
        List<GradFn> next = fn.nextFunctions();
        return fn.name() + (next.isEmpty() ? "" : next.stream().map(OpsPyTorchTest::tree)
                .collect(Collectors.joining(",", "(", ")")));
    }

    private static boolean sameBits(float[] a, float[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static void assertValues(String label, Value expected, Tensor actual, boolean exact, double rtol) {
        assertNotNull(actual, label + " is missing");
        assertArrayEquals(expected.shape(), actual.shape(), label + " shape");
        float[] got = actual.toArray();
        float[] want = expected.values();
        if (exact) {
            assertTrue(sameBits(want, got), () -> label + " must be bit-identical to PyTorch:\n  expected "
                    + Arrays.toString(want) + "\n  actual   " + Arrays.toString(got));
            return;
        }
        float scale = 1f;
        for (float w : want) {
            scale = Math.max(scale, Math.abs(w));
        }
        for (int i = 0; i < got.length; i++) {
            double bound = 4 * Math.ulp(want[i]) + rtol * scale;
            if (!(Math.abs(got[i] - want[i]) <= bound)) {
                fail(label + ": element " + i + " is " + got[i] + ", PyTorch " + want[i] + "\n  expected "
                        + Arrays.toString(want) + "\n  actual   " + Arrays.toString(got));
            }
        }
    }

    // ---- the fixture itself ----------------------------------------------------------------------

    @Test
    void everyFixtureCaseHasAVectorgradOpAndViceVersa() {
        Set<String> fixture = loadCases().stream().map(Case::name).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(fixture, new TreeSet<>(PyTorchCases.OPS.keySet()), "fixture cases vs PyTorchCases");
    }

    @Test
    void fixtureCoversTheBrief() {
        List<Case> cases = loadCases();
        assertTrue(cases.size() >= 130, "only " + cases.size() + " cases");
        Function<String, Long> count = text -> cases.stream().filter(c -> c.graph().contains(text)).count();
        for (String node : new String[] {"BmmBackward0", "MmBackward0", "MvBackward0", "DotBackward0", "CloneBackward0",
            "SoftmaxBackward0", "LogSoftmaxBackward0", "MseLossBackward0", "BinaryCrossEntropyWithLogitsBackward0",
            "NormBackward1", "MaxBackward0", "MaxBackward1", "RsubBackward1", "PowBackward1", "WhereBackward0"}) {
            assertTrue(count.apply(node) > 0, "no case records " + node);
        }
        assertTrue(cases.stream().filter(Case::second).count() >= 30, "too few second-order cases");
        assertTrue(cases.stream().anyMatch(c -> c.inputs().stream().anyMatch(i -> i.layout() == 'T')));
        assertTrue(cases.stream().anyMatch(c -> c.inputs().stream().anyMatch(i -> i.layout() == 'N')));
    }
}
