package org.vectorgrad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrowsExactly;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays {@code fixtures/interop.txt} (written by {@code tools/pytorch/gen_interop_fixtures.py}):
 * the ops for batching and tables case by case as {@link OpsPyTorchTest} replays its fixture
 * (grad_fn tree, values, repr, gradients, second derivatives), PyTorch's messages for bad calls,
 * and PyTorch's float32 rounding of doubles and truncation to int.
 */
final class InteropPyTorchTest {
    private static final String FIXTURE = "/fixtures/interop.txt";
    private static final Class<IllegalArgumentException> ARG = IllegalArgumentException.class;

    // ---- the Vectorgrad side of every case, as the PyTorch lambda of the same name --------------

    static final Map<String, GradCheck.Op> OPS = new LinkedHashMap<>();

    private static void put(String name, GradCheck.Op op) {
        if (OPS.put(name, op) != null) {
            throw new IllegalStateException("duplicate case " + name);
        }
    }

    static {
        put("cat_dim0", x -> Tensor.cat(List.of(x[0], x[1]), 0));
        for (String name : new String[] {"cat_dim1_T_N", "cat_legacy_empty", "cat_empty_block"}) {
            put(name, x -> Tensor.cat(List.of(x[0], x[1]), 1));
        }
        put("cat_three_neg_dim", x -> Tensor.cat(List.of(x), -2));
        put("cat_legacy_empty_first", x -> Tensor.cat(List.of(x[0], x[1]), -1));
        put("cat_all_legacy_empty", x -> Tensor.cat(List.of(x[0], x[1]), 0));
        put("cat_const", x -> Tensor.cat(List.of(x[0], x[1]), 0));
        put("cat_single", x -> Tensor.cat(List.of(x[0]), 1));
        put("cat_1d", x -> Tensor.cat(List.of(x[0], x[1]), 0));
        put("cat_composite", x -> Tensor.cat(List.of(x[0].mul(x[1]), x[0].tanh()), 1));
        put("stack_dim0", x -> Tensor.stack(List.of(x), 0));
        put("stack_dim_last_T_N", x -> Tensor.stack(List.of(x), -1));
        put("stack_dim1", x -> Tensor.stack(List.of(x), 1));
        put("stack_0d", x -> Tensor.stack(List.of(x), 0));
        put("stack_const", x -> Tensor.stack(List.of(x), 1));
        put("stack_empty", x -> Tensor.stack(List.of(x), 0));
        put("stack_composite", x -> Tensor.stack(List.of(x[0].mul(x[1]), x[1]), 1));
        put("index_select_dim0", x -> x[0].indexSelect(0, new int[] {4, 0, 2}));
        put("index_select_repeat", x -> x[0].indexSelect(1, new int[] {2, 0, 2, 2, 1}));
        put("index_select_run", x -> x[0].indexSelect(0, new int[] {1, 2, 3, 0, 1}));
        put("index_select_T", x -> x[0].indexSelect(1, new int[] {1, 4}));
        put("index_select_N_neg_dim", x -> x[0].indexSelect(-1, new int[] {3, 3, 0}));
        put("index_select_mid", x -> x[0].indexSelect(1, new int[] {2, 0, 0}));
        put("index_select_1d", x -> x[0].indexSelect(0, new int[] {5, 1, 1}));
        put("index_select_no_index", x -> x[0].indexSelect(1, new int[0]));
        put("index_select_composite", x -> x[0].indexSelect(1, new int[] {1, 1, 0}).mul(x[1]));
        for (String name : new String[] {"min", "min_ties", "min_nan", "min_0d", "min_T"}) {
            put(name, x -> x[0].min());
        }
        for (String name : new String[] {"minimum", "minimum_ties", "minimum_nan", "minimum_const"}) {
            put(name, x -> x[0].minimum(x[1]));
        }
        put("clamp", x -> x[0].clamp(-0.5f, 0.5f));
        put("clamp_edges", x -> x[0].clamp(-0.5f, 0.5f));
        put("clamp_min_above_max", x -> x[0].clamp(1f, -1f));
        put("clamp_nan_bound", x -> x[0].clamp(Float.NaN, 1f));
        put("clamp_infinite", x -> x[0].clamp(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY));
        put("clamp_0d", x -> x[0].clamp(-0.25f, 2f));
        statistics();
    }

    private static void statistics() {
        put("var_dim1", x -> x[0].var(1, true, false));
        put("var_dim0_biased_keep", x -> x[0].var(0, false, true));
        put("var_neg_dim_T", x -> x[0].var(-2, true, false));
        put("var_N_keep", x -> x[0].var(-1, true, true));
        put("var_1d", x -> x[0].var(0, true, false));
        put("var_single_unbiased", x -> x[0].var(1, true, false));
        put("var_single_biased", x -> x[0].var(1, false, false));
        put("var_0d", x -> x[0].var(0, true, false));
        put("var_0d_biased", x -> x[0].var(-1, false, false));
        put("var_empty", x -> x[0].var(1, true, false));
        put("std_dim1", x -> x[0].std(1, true, false));
        put("std_dim0_biased_keep", x -> x[0].std(0, false, true));
        put("std_constant_row", x -> x[0].std(1, true, false));
        put("std_single_unbiased", x -> x[0].std(-1, true, false));
        put("std_1d_keep", x -> x[0].std(0, true, true));
    }

    // ---- bad calls: PyTorch's sentence (without its final period) plus what Vectorgrad must name --

    /** One bad call; {@code ownWording} where PyTorch's text describes its internals, not the call. */
    private record Bad(Function<Tensor[], Object> call, Tensor[] inputs, boolean ownWording, String... mentions) {
    }

    private static final Map<String, Bad> BAD = new LinkedHashMap<>();

    private static void bad(String name, Tensor[] inputs, Function<Tensor[], Object> call, String... mentions) {
        BAD.put(name, new Bad(call, inputs, false, mentions));
    }

    private static Tensor f(int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return Tensor.arange(n).add(0.5f).reshape(shape).detach().requiresGrad(true);
    }

    private static Tensor[] in(Tensor... tensors) {
        return tensors;
    }

    static {
        Tensor s = Tensor.scalar(1f);
        bad("cat_empty_list", in(), t -> Tensor.cat(List.of(), 0));
        bad("cat_zero_dim", in(s), t -> Tensor.cat(List.of(t), 0));
        bad("cat_zero_dim_after_empty", in(Tensor.zeros(0), s), t -> Tensor.cat(List.of(t), 0));
        bad("cat_sizes", in(f(2, 3), f(2, 4)), t -> Tensor.cat(List.of(t), 0), "[2, 3]", "[2, 4]");
        bad("cat_sizes_dim1", in(f(2, 3), f(3, 3)), t -> Tensor.cat(List.of(t), 1), "[2, 3]", "[3, 3]");
        bad("cat_sizes_third", in(f(2, 3), f(2, 3), f(2, 4)), t -> Tensor.cat(List.of(t), 0), "[2, 4]");
        bad("cat_sizes_empty_block", in(f(2, 0), f(3, 3)), t -> Tensor.cat(List.of(t), 1), "[2, 0]", "[3, 3]");
        bad("cat_rank", in(f(2, 3), f(2, 3, 1)), t -> Tensor.cat(List.of(t), 0), "[2, 3]", "[2, 3, 1]");
        bad("cat_rank_after_empty", in(f(2, 3), f(0), f(2)), t -> Tensor.cat(List.of(t), 0), "[2]");
        bad("cat_dim", in(f(2, 3), f(2, 3)), t -> Tensor.cat(List.of(t), 2));
        bad("cat_dim_negative", in(f(2, 3), f(2, 3)), t -> Tensor.cat(List.of(t), -3));
        bad("cat_dim_with_legacy_empty", in(f(0), f(2, 3)), t -> Tensor.cat(List.of(t), 5));
        bad("stack_empty_list", in(), t -> Tensor.stack(List.of(), 0));
        bad("stack_sizes", in(f(2, 3), f(2, 4)), t -> Tensor.stack(List.of(t), 0));
        bad("stack_sizes_third", in(f(2, 3), f(2, 3), f(3, 3)), t -> Tensor.stack(List.of(t), 1));
        bad("stack_rank", in(f(2, 3), f(2, 3, 1)), t -> Tensor.stack(List.of(t), 0));
        bad("stack_dim", in(f(2, 3), f(2, 3)), t -> Tensor.stack(List.of(t), 3));
        bad("stack_dim_negative", in(f(2, 3), f(2, 3)), t -> Tensor.stack(List.of(t), -4));
        bad("stack_0d_dim", in(s, Tensor.scalar(2f)), t -> Tensor.stack(List.of(t), 1));
        bad("index_select_out_of_range", in(f(3)), t -> t[0].indexSelect(0, new int[] {0, 3}), "index 3",
                "position 1", "size 3");
        bad("index_select_negative", in(f(3)), t -> t[0].indexSelect(0, new int[] {-1}), "index -1");
        bad("index_select_out_of_range_dim0", in(f(2, 3)), t -> t[0].indexSelect(0, new int[] {2}), "[2, 3]");
        // PyTorch's kernel for inner dims reports "INDICES element is out of DATA bounds".
        BAD.put("index_select_out_of_range_dim1", new Bad(t -> t[0].indexSelect(1, new int[] {0, 3}), in(f(2, 3)),
                true, "index out of range in self", "index 3", "dimension 1", "[2, 3]"));
        bad("index_select_empty_axis", in(f(2, 0)), t -> t[0].indexSelect(1, new int[] {0}), "[2, 0]");
        bad("index_select_dim", in(f(2, 3)), t -> t[0].indexSelect(2, new int[] {0}));
        bad("index_select_dim_negative", in(f(2, 3)), t -> t[0].indexSelect(-3, new int[] {0}));
        bad("index_select_0d_index", in(f()), t -> t[0].indexSelect(0, new int[] {1}));
        bad("min_empty", in(f(0)), t -> t[0].min());
        bad("min_empty_2d", in(f(2, 0)), t -> t[0].min());
        bad("minimum_shapes", in(f(2, 1, 3), f(4, 2)), t -> t[0].minimum(t[1]), "[2, 1, 3]", "[4, 2]");
        bad("var_dim", in(f(2, 3)), t -> t[0].var(2, true, false));
        bad("var_dim_negative", in(f(2, 3)), t -> t[0].var(-3, true, false));
        bad("std_dim", in(f(2, 3)), t -> t[0].std(2, false, false));
        bad("from_array_double_count", in(), t -> Tensor.fromArray(new double[3], 2, 2));
        bad("from_array_double_negative", in(), t -> Tensor.fromArray(new double[0], -1, 0));
        bad("of_double_ragged", in(), t -> Tensor.of(new double[][] {{1, 2}, {3}}), "row 1");
    }

    // ---- loading --------------------------------------------------------------------------------

    private static List<String[]> lines(String kind) {
        return Fixtures.dataLines(FIXTURE).stream().map(line -> line.split("\t", -1))
                .filter(f -> f[0].equals(kind)).toList();
    }

    static List<OpsPyTorchTest.Case> cases() {
        List<OpsPyTorchTest.Case> cases = new ArrayList<>();
        List<String[]> block = new ArrayList<>();
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] fields = line.split("\t", -1);
            if (fields[0].equals("case") || !block.isEmpty()) {
                block.add(fields);
            }
            if (fields[0].equals("end")) {
                cases.add(OpsPyTorchTest.parse(block));
                block.clear();
            }
        }
        assertTrue(block.isEmpty(), "unterminated case at the end of " + FIXTURE);
        return cases;
    }

    // ---- the checks -----------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> opsMatchPyTorch() {
        return cases().stream().map(c -> dynamicTest(c.name(), () -> OpsPyTorchTest.replay(c, OPS)));
    }

    @TestFactory
    Stream<DynamicTest> badCallsFailWithPyTorchsMessageAndLeaveTheirInputsAlone() {
        return lines("error").stream().map(f -> dynamicTest(f[1], () -> {
            Bad bad = BAD.get(f[1]);
            assertNotNull(bad, "no Vectorgrad call for error case " + f[1]);
            List<String> before = snapshots(bad.inputs());
            String message = assertThrowsExactly(ARG, () -> bad.call().apply(bad.inputs()),
                    f[1] + " should fail like PyTorch's " + f[2] + ": " + f[3]).getMessage();
            assertNotNull(message, f[1] + ": exception without a message");
            String sentence = f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3];
            assertTrue(bad.ownWording() || message.contains(sentence),
                    f[1] + ": message\n  " + message + "\nshould contain PyTorch's\n  " + sentence);
            for (String mention : bad.mentions()) {
                assertTrue(message.contains(mention), f[1] + ": message should name " + mention + ": " + message);
            }
            assertEquals(before, snapshots(bad.inputs()), f[1] + ": the failed call changed its inputs");
        }));
    }

    private static List<String> snapshots(Tensor[] tensors) {
        return Arrays.stream(tensors).map(t -> Arrays.toString(t.shape()) + Arrays.toString(t.toArray())
                + t.requiresGrad() + t.gradFn() + t.grad()).toList();
    }

    @TestFactory
    Stream<DynamicTest> doublesRoundToFloat32AsPyTorchRoundsThem() {
        return lines("double").stream().map(f -> dynamicTest(f[1], () -> {
            double[] doubles = new double[f[2].length() / 16];
            for (int i = 0; i < doubles.length; i++) {
                doubles[i] = Double.longBitsToDouble(Long.parseUnsignedLong(f[2], 16 * i, 16 * i + 16, 16));
            }
            int[] expected = bitsOf(Fixtures.floats(f[3]));
            assertArrayEquals(expected, bitsOf(Tensor.fromArray(doubles, doubles.length).toArray()), "fromArray");
            assertArrayEquals(expected, bitsOf(Tensor.of(new double[][] {doubles}).toArray()), "of(double[][])");
        }));
    }

    @TestFactory
    Stream<DynamicTest> toIntArrayTruncatesAsPyTorchsInt() {
        return lines("int").stream().map(f -> dynamicTest(f[1], () -> {
            float[] values = Fixtures.floats(f[2]);
            int[] expected = Arrays.stream(f[3].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(expected, Tensor.fromArray(values, values.length).toIntArray());
        }));
    }

    private static int[] bitsOf(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = Float.floatToIntBits(values[i]);
        }
        return bits;
    }

    /** Guards against a case renamed on one side only, which would silently drop its check. */
    @Test
    void fixtureAndJavaNameTheSameCases() {
        assertEquals(new TreeSet<>(OPS.keySet()),
                cases().stream().map(OpsPyTorchTest.Case::name).collect(java.util.stream.Collectors.toCollection(
                        TreeSet::new)));
        assertEquals(new TreeSet<>(BAD.keySet()), new TreeSet<>(lines("error").stream().map(f -> f[1]).toList()));
        assertTrue(lines("double").size() >= 4 && lines("int").size() >= 2, "conversion lines missing");
    }
}
