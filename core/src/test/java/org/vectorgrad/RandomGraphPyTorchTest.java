package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * A differential test: random op programs built and evaluated by PyTorch 1.13
 * ({@code fixtures/random_graphs.txt}, written by {@code tools/pytorch/gen_random_graph_fixtures.py},
 * which documents the format) are interpreted with Vectorgrad ({@link RandomGraphOps}), which must
 * give PyTorch's output, grad_fn tree, gradients of ⟨g, out⟩, second derivatives, and for invalid
 * programs an IllegalArgumentException whose message contains PyTorch's. Large inputs are drawn
 * with {@link Tensor#manualSeed}/{@link Tensor#rand}, which reproduce torch.rand bit for bit, and
 * their results are compared through a float64 sum and sampled elements.
 *
 * <p>NOTE: tolerance. Up to six float32 ops (transcendentals, sums and matmuls that PyTorch
 * accumulates in another order) separate input and output, each contributing a few ulp relative
 * to its operands' scale: every element must be within 4 ulp of PyTorch's plus 1e-5 of the
 * tensor's largest magnitude (at least 1), first and second order alike. A large output's float64
 * sum must be within 1e-6 of the sum of magnitudes (a few ulp per element) plus 1e-10 per element
 * (for sums that cancel to rounding noise).
 */
final class RandomGraphPyTorchTest {
    private static final String FIXTURE = "/fixtures/random_graphs.txt";
    private static final double RTOL = 1e-5;
    private static final double SUM_RTOL = 1e-6;

    /**
     * Where Vectorgrad knowingly differs from PyTorch: case id → reason (the case is skipped, and
     * {@link #knownDifferencesAreStillDifferent} fails once it matches). Rules that cover a whole
     * family of refusals are in {@link #deliberateRefusal}.
     */
    static final Map<Integer, String> KNOWN_DIFFERENCES = Map.of();

    record Case(int id, List<String[]> lines) {
        String[] first(String kind) {
            return lines.stream().filter(f -> f[0].equals(kind)).findFirst().orElse(null);
        }

        List<String[]> all(String kind) {
            return lines.stream().filter(f -> f[0].equals(kind)).toList();
        }
    }

    static List<Case> loadCases() {
        List<Case> cases = new ArrayList<>();
        List<String[]> block = new ArrayList<>();
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("end")) {
                cases.add(new Case(Integer.parseInt(block.get(0)[1]), List.copyOf(block.subList(1, block.size()))));
                block.clear();
            } else {
                block.add(fields);
            }
        }
        assertTrue(block.isEmpty(), "unterminated case at the end of " + FIXTURE);
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() {
        return loadCases().stream().map(c -> dynamicTest("graph " + c.id(), () -> {
            Assumptions.assumeFalse(KNOWN_DIFFERENCES.containsKey(c.id()), () -> KNOWN_DIFFERENCES.get(c.id()));
            replay(c);
        }));
    }

    static void replay(Case c) {
        List<Tensor> values = new ArrayList<>();
        TreeMap<Integer, Tensor> inputs = new TreeMap<>();
        String[] error = c.first("error");
        for (String[] f : c.lines()) {
            switch (f[0]) {
                case "in", "inr" -> {
                    Tensor x = f[0].equals("in") ? laidOut(Fixtures.floats(f[3]), Fixtures.shape(f[1]), f[4])
                            : seededRand(Long.parseLong(f[3]), Fixtures.shape(f[1]));
                    inputs.put(inputs.size(), x.requiresGrad(f[2].equals("1")));
                    values.add(x);
                }
                case "op" -> {
                    Tensor[] operands = Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt)
                            .mapToObj(values::get).toArray(Tensor[]::new);
                    Tensor y;
                    try {
                        y = RandomGraphOps.apply(f[1], operands, f.length > 3 ? f[3].split(" ", -1) : new String[0]);
                    } catch (RuntimeException e) {
                        if (!deliberateRefusal(f, operands, e)) {
                            assertRefusal(error, f, operands, e);
                        }
                        return;
                    }
                    values.add(y);
                }
                default -> {
                }
            }
        }
        if (error != null) {
            fail("PyTorch raised '" + error[1] + "'; Vectorgrad returned shape "
                    + Arrays.toString(values.getLast().shape()));
        }
        RandomGraphChecks.assertResults(c, values.getLast(), inputs, RTOL, SUM_RTOL);
    }

    /**
     * The values in the fixture's storage layout: 'c' contiguous, 'T' the last two dims swapped in
     * storage, 'N' a narrow (offset 1) of a NaN-padded last dim. Unlike GradCheck's leaves, size-1
     * dims may leave these contiguous: the program then still runs on a moved offset or a permuted stride.
     */
    private static Tensor laidOut(float[] values, int[] shape, String layout) {
        int rank = shape.length;
        int[] stored = shape.clone();
        switch (layout) {
            case "c" -> {
                return Tensor.fromArray(values, shape);
            }
            case "T" -> {
                stored[rank - 2] = shape[rank - 1];
                stored[rank - 1] = shape[rank - 2];
                Tensor base = Tensor.fromArray(values, shape).transpose(-1, -2).contiguous();
                return Tensor.fromArray(base.toArray(), stored).transpose(-1, -2).detach();
            }
            case "N" -> {
                int last = shape[rank - 1];
                stored[rank - 1] = last + 3;
                float[] storage = new float[values.length / Math.max(1, last) * (last + 3)];
                Arrays.fill(storage, Float.NaN);
                for (int r = 0; last > 0 && r < values.length / last; r++) {
                    System.arraycopy(values, r * last, storage, r * (last + 3) + 1, last);
                }
                return Tensor.fromArray(storage, stored).narrow(-1, 1, last).detach();
            }
            default -> throw new IllegalStateException("layout " + layout);
        }
    }

    static Tensor seededRand(long seed, int[] shape) {
        Tensor.manualSeed(seed);
        return Tensor.rand(shape);
    }

    /**
     * PyTorch 1.13's index_select of a 0-d tensor ignores all but one index (it returns a 0-d
     * tensor for [0, 0], which the next op or backward then trips over); Vectorgrad refuses a
     * count other than one (OpsErrorTest's index_select cases), so such a program ends there.
     */
    private static boolean deliberateRefusal(String[] op, Tensor[] operands, RuntimeException e) {
        return op[1].equals("indexSelect") && operands[0].dim() == 0 && op[3].split(" ")[1].contains(",")
                && e instanceof IllegalArgumentException && e.getMessage().contains("a 0-d tensor takes exactly one index");
    }

    /**
     * Vectorgrad must refuse as PyTorch did, with an IllegalArgumentException containing PyTorch's
     * sentence (a final period may give way to Vectorgrad's details, as in InteropPyTorchTest). As
     * OpsErrorTest explains, PyTorch words matmul errors after its internal dispatch (folded batch
     * shapes, "size mismatch, got 2, 2x3,4"), so unless both operands are matrices Vectorgrad's own
     * message must instead name both operand shapes.
     */
    private static void assertRefusal(String[] error, String[] op, Tensor[] operands, RuntimeException e) {
        if (error == null) {
            throw new AssertionError("Vectorgrad refused op " + String.join(" ", op) + " that PyTorch ran: " + e, e);
        }
        String expected = Fixtures.unescape(error[1]);
        String sentence = expected.endsWith(".") ? expected.substring(0, expected.length() - 1) : expected;
        assertInstanceOf(IllegalArgumentException.class, e, "op " + op[1] + " must refuse with an IAE");
        String message = String.valueOf(e.getMessage());
        if (op[1].equals("matmul") && (operands[0].dim() != 2 || operands[1].dim() != 2)) {
            for (Tensor operand : operands) {
                assertTrue(message.contains(Arrays.toString(operand.shape())),
                        () -> "matmul: message '" + message + "' should name the operand shapes");
            }
            return;
        }
        assertTrue(message.contains(sentence),
                () -> "op " + op[1] + ": message '" + message + "' lacks PyTorch's '" + expected + "'");
    }

    @Test
    void fixtureCoversTheBrief() {
        List<Case> cases = loadCases();
        assertTrue(cases.size() >= 300, cases.size() + " graphs");
        assertTrue(cases.stream().filter(c -> c.first("error") != null).count() >= 30, "too few invalid graphs");
        assertTrue(cases.stream().filter(c -> c.first("outs") != null).count() >= 5, "too few large graphs");
        assertTrue(cases.stream().filter(c -> !c.all("gg").isEmpty()).count() >= 200, "too few second-order graphs");
        for (String op : RandomGraphOps.OPS.keySet()) {
            assertTrue(cases.stream().anyMatch(c -> c.lines().stream().anyMatch(f -> f[0].equals("op")
                    && f[1].equals(op) && c.first("error") == null)), "no valid graph uses " + op);
        }
        for (int rank = 0; rank <= 4; rank++) {
            int r = rank;
            assertTrue(cases.stream().anyMatch(c -> c.all("in").stream()
                    .anyMatch(f -> Fixtures.shape(f[1]).length == r)), "no input of rank " + rank);
        }
        for (String layout : new String[] {"T", "N"}) {
            assertTrue(cases.stream().anyMatch(c -> c.all("in").stream().anyMatch(f -> f[4].equals(layout))),
                    "no input with layout " + layout);
        }
    }

    @Test
    void knownDifferencesAreStillDifferent() {
        Map<Integer, Case> byId = new TreeMap<>();
        loadCases().forEach(c -> byId.put(c.id(), c));
        for (int id : KNOWN_DIFFERENCES.keySet()) {
            assertFalse(passes(byId.get(id)), "graph " + id + " now matches PyTorch: remove it from KNOWN_DIFFERENCES");
        }
    }

    private static boolean passes(Case c) {
        try {
            replay(c);
            return true;
        } catch (AssertionError | RuntimeException e) {
            return false;
        }
    }
}
