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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.nn.Functional;

/**
 * Bad input to every public op and factory: the exception type the API contract promises, a message
 * that names the offending shapes or arguments and carries PyTorch 1.13's wording (from
 * {@code fixtures/errors.txt}, written by {@code tools/pytorch/gen_error_fixtures.py}), and inputs
 * left exactly as they were.
 */
final class OpsErrorTest {

    private static final String FIXTURE = "/fixtures/errors.txt";
    private static final Class<IllegalArgumentException> ARG = IllegalArgumentException.class;
    private static final Class<IllegalStateException> STATE = IllegalStateException.class;
    private static final Class<IndexOutOfBoundsException> INDEX = IndexOutOfBoundsException.class;

    /**
     * PyTorch's sentence without its final period: Vectorgrad may append the shapes involved in
     * parentheses after it, which PyTorch's text does not always do.
     */
    private static final UnaryOperator<String> SENTENCE = m -> m.endsWith(".") ? m.substring(0, m.length() - 1) : m;

    /**
     * One bad call. {@code pytorch} picks the part of PyTorch's message Vectorgrad must contain, or is
     * null where Vectorgrad deliberately words it differently; {@code mentions} must appear verbatim.
     */
    private record Case(String name, Class<? extends RuntimeException> type, Tensor[] inputs,
                        Function<Tensor[], Object> call, UnaryOperator<String> pytorch, String... mentions) {

        Case ownWording() {
            return new Case(name, type, inputs, call, null, mentions);
        }

        Case pytorchPart(UnaryOperator<String> part) {
            return new Case(name, type, inputs, call, part, mentions);
        }
    }

    private static Case c(String name, Class<? extends RuntimeException> type, Tensor[] inputs,
                          Function<Tensor[], Object> call, String... mentions) {
        return new Case(name, type, inputs, call, SENTENCE, mentions);
    }

    /** A float leaf that requires grad, with distinct values, so corruption of any kind shows. */
    private static Tensor f(int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return Tensor.arange(n).add(0.5f).reshape(shape).detach().requiresGrad(true);
    }

    /** A bool tensor of the shape: False, then True for every later element. */
    private static Tensor b(int... shape) {
        int n = Arrays.stream(shape).reduce(1, (a, c) -> a * c);
        return Tensor.arange(n).reshape(shape).gt(Tensor.scalar(0.5f));
    }

    private static Tensor[] in(Tensor... tensors) {
        return tensors;
    }

    // ---- the cases, by family -----------------------------------------------------------------

    private static List<Case> broadcastCases() {
        return List.of(
                c("add_shapes", ARG, in(f(2, 3), f(4, 3)), t -> t[0].add(t[1]), "[2, 3]", "[4, 3]"),
                c("sub_shapes", ARG, in(f(2, 3), f(4)), t -> t[0].sub(t[1]), "[2, 3]", "[4]"),
                c("mul_shapes", ARG, in(f(5), f(4)), t -> t[0].mul(t[1]), "[5]", "[4]"),
                c("div_shapes", ARG, in(f(2, 3), f(2)), t -> t[0].div(t[1]), "[2, 3]", "[2]"),
                c("pow_shapes", ARG, in(f(2, 3), f(3, 2)), t -> t[0].pow(t[1]), "[2, 3]", "[3, 2]"),
                c("maximum_shapes", ARG, in(f(2, 1, 3), f(4, 2)), t -> t[0].maximum(t[1]), "[2, 1, 3]", "[4, 2]"),
                c("eq_shapes", ARG, in(f(3), f(2)), t -> t[0].eq(t[1]), "[3]", "[2]"),
                c("where_condition_shapes", ARG, in(b(4), f(2, 3), f(3)),
                        t -> Tensor.where(t[0], t[1], t[2]), "[4]", "[2, 3]"),
                c("where_value_shapes", ARG, in(b(3), f(2, 3), f(2, 1, 4)),
                        t -> Tensor.where(t[0], t[1], t[2]), "[2, 3]", "[2, 1, 4]"),
                c("where_float_condition", ARG, in(f(3), f(3), f(3)), t -> Tensor.where(t[0], t[1], t[2])),
                c("mse_loss_shapes", ARG, in(f(2, 3), f(4)), t -> Functional.mseLoss(t[0], t[1]), "[2, 3]", "[4]"));
    }

    /**
     * PyTorch words matmul errors after its internal dispatch (folded batch shapes such as
     * "10x4 and 3x2", or "size mismatch, got 2, 2x3,4"); only the plain 2-D product and the 0-d
     * check say something about the user's operands, so only those must match its text.
     */
    private static List<Case> matmulCases() {
        return List.of(
                c("matmul_1d_1d", ARG, in(f(3), f(4)), t -> t[0].matmul(t[1]), "[3]", "[4]").ownWording(),
                c("matmul_2d_1d", ARG, in(f(2, 3), f(4)), t -> t[0].matmul(t[1]), "[2, 3]", "[4]").ownWording(),
                c("matmul_1d_2d", ARG, in(f(3), f(4, 5)), t -> t[0].matmul(t[1]), "[3]", "[4, 5]").ownWording(),
                c("matmul_2d_2d", ARG, in(f(2, 3), f(4, 5)), t -> t[0].matmul(t[1])),
                c("matmul_3d_1d", ARG, in(f(2, 2, 3), f(4)), t -> t[0].matmul(t[1]), "[2, 2, 3]", "[4]").ownWording(),
                c("matmul_3d_2d", ARG, in(f(2, 2, 3), f(4, 5)), t -> t[0].matmul(t[1]), "[2, 2, 3]", "[4, 5]")
                        .ownWording(),
                c("matmul_1d_3d", ARG, in(f(3), f(2, 4, 5)), t -> t[0].matmul(t[1]), "[3]", "[2, 4, 5]").ownWording(),
                c("matmul_2d_3d", ARG, in(f(2, 3), f(2, 4, 5)), t -> t[0].matmul(t[1]), "[2, 3]", "[2, 4, 5]")
                        .ownWording(),
                c("matmul_3d_3d", ARG, in(f(2, 2, 3), f(2, 4, 5)), t -> t[0].matmul(t[1]), "[2, 2, 3]", "[2, 4, 5]")
                        .ownWording(),
                c("matmul_4d_3d", ARG, in(f(2, 1, 2, 3), f(3, 4, 5)), t -> t[0].matmul(t[1]),
                        "[2, 1, 2, 3]", "[3, 4, 5]").ownWording(),
                c("matmul_batch_shapes", ARG, in(f(2, 2, 3), f(3, 3, 5)), t -> t[0].matmul(t[1]),
                        "[2, 2, 3]", "[3, 3, 5]"),
                c("matmul_0d_1d", ARG, in(f(), f(3)), t -> t[0].matmul(t[1])),
                c("matmul_1d_0d", ARG, in(f(3), f()), t -> t[0].matmul(t[1])),
                c("matmul_0d_0d", ARG, in(f(), f()), t -> t[0].matmul(t[1])));
    }

    /** Out-of-range and duplicate dims; PyTorch's range message names the dim and the valid range. */
    private static List<Case> dimCases() {
        return List.of(
                c("sum_dim_high", ARG, in(f(2, 3)), t -> t[0].sum(2, false)),
                c("sum_dim_low", ARG, in(f(2, 3)), t -> t[0].sum(-3, true)),
                c("sum_dims_duplicate", ARG, in(f(2, 3)), t -> t[0].sum(new int[] {0, 0}, false)),
                c("sum_dims_duplicate_negative", ARG, in(f(2, 3)), t -> t[0].sum(new int[] {1, -1}, false)),
                c("sum_dims_duplicate_0d", ARG, in(f()), t -> t[0].sum(new int[] {0, -1}, false)),
                c("sum_dim_0d", ARG, in(f()), t -> t[0].sum(1, false)),
                c("mean_dim", ARG, in(f(2, 3)), t -> t[0].mean(5, false)),
                c("max_dim", ARG, in(f(2, 3)), t -> t[0].max(-3, false)),
                c("argmax_dim", ARG, in(f(2, 3)), t -> t[0].argmax(2, true)),
                c("softmax_dim", ARG, in(f(2, 3)), t -> t[0].softmax(2)),
                c("log_softmax_dim", ARG, in(f(2, 3)), t -> t[0].logSoftmax(-3)),
                c("transpose_dim", ARG, in(f(2, 3)), t -> t[0].transpose(0, 2)),
                c("permute_duplicate", ARG, in(f(2, 3)), t -> t[0].permute(0, 0), "[0, 0]"),
                c("permute_duplicate_negative", ARG, in(f(2, 3)), t -> t[0].permute(1, -1), "[1, -1]"),
                // PyTorch 1.13 names the wrong layout ("permute(sparse_coo): ...") in this message.
                c("permute_length", ARG, in(f(2, 3)), t -> t[0].permute(0))
                        .pytorchPart(m -> m.substring(m.indexOf(": ") + 2)),
                c("permute_range", ARG, in(f(2, 3)), t -> t[0].permute(0, 2)),
                c("unsqueeze_dim", ARG, in(f(2, 3)), t -> t[0].unsqueeze(3)),
                c("unsqueeze_dim_negative", ARG, in(f(2, 3)), t -> t[0].unsqueeze(-4)),
                c("squeeze_dim", ARG, in(f(2, 3)), t -> t[0].squeeze(2)),
                c("squeeze_dim_0d", ARG, in(f()), t -> t[0].squeeze(1)),
                c("select_dim", ARG, in(f(2, 3)), t -> t[0].select(2, 0)),
                c("narrow_dim", ARG, in(f(2, 3)), t -> t[0].narrow(2, 0, 1)));
    }

    /**
     * Indices out of range. For narrow's start PyTorch reuses its "Dimension out of range" text and
     * for a negative length it reports a sum; Vectorgrad says what is actually wrong instead.
     */
    private static List<Case> indexCases() {
        return List.of(
                c("select_index", ARG, in(f(2, 3)), t -> t[0].select(1, 3)),
                c("select_index_negative", ARG, in(f(2, 3)), t -> t[0].select(1, -4)),
                c("select_0d", ARG, in(f()), t -> t[0].select(0, 0)),
                c("narrow_length", ARG, in(f(2, 3)), t -> t[0].narrow(1, 2, 2)),
                c("narrow_length_negative_start", ARG, in(f(2, 3)), t -> t[0].narrow(1, -1, 2)),
                c("narrow_start", ARG, in(f(2, 3)), t -> t[0].narrow(1, 4, 0), "start", "[-3, 3]", "got 4")
                        .ownWording(),
                c("narrow_start_negative", ARG, in(f(2, 3)), t -> t[0].narrow(1, -4, 1), "start", "got -4")
                        .ownWording(),
                c("narrow_negative_length", ARG, in(f(2, 3)), t -> t[0].narrow(1, 0, -1), "length", "-1")
                        .ownWording(),
                c("narrow_0d", ARG, in(f()), t -> t[0].narrow(0, 0, 1)),
                c("narrow_nested_huge_length", ARG, in(f(10).narrow(0, 2, 3)),
                        t -> t[0].narrow(0, 1, Integer.MAX_VALUE), "2147483647"),
                c("get_index", INDEX, in(f(2, 3)), t -> t[0].get(0, 3)),
                c("get_index_negative", INDEX, in(f(2, 3)), t -> t[0].get(-3, 0)),
                // PyTorch would return a view for too few indices; a wrong count is an argument error here.
                c("get_index_count", ARG, in(f(2, 3)), t -> t[0].get(0, 0, 0), "[0, 0, 0]", "[2, 3]").ownWording());
    }

    private static List<Case> shapeCases() {
        return List.of(
                c("expand_size", ARG, in(f(2, 3)), t -> t[0].expand(4, 3)),
                c("expand_fewer_dims", ARG, in(f(2, 3)), t -> t[0].expand(3)),
                c("expand_new_minus_one", ARG, in(f(2, 3)), t -> t[0].expand(-1, 2, 3)),
                c("expand_negative", ARG, in(f(2, 3)), t -> t[0].expand(2, -2)),
                // PyTorch only fails later, on "numel: integer multiplication overflow".
                c("expand_negative_singleton", ARG, in(f(2, 1)), t -> t[0].expand(2, -2), "-2", "[2, -2]", "[2, 1]")
                        .ownWording(),
                // Two negative sizes multiply to a positive numel: without the check this reads garbage.
                c("expand_negative_singletons", ARG, in(f(1, 1)), t -> t[0].expand(-2, -2).sum(), "[-2, -2]")
                        .ownWording(),
                c("view_strides", ARG, in(f(2, 3).t()), t -> t[0].view(6), "[3, 2]", "[6]"),
                c("view_numel", ARG, in(f(2, 3)), t -> t[0].view(4)),
                c("reshape_numel", ARG, in(f(2, 3)), t -> t[0].reshape(4, 2)),
                c("reshape_two_inferred", ARG, in(f(2, 3)), t -> t[0].reshape(-1, -1), "[-1, -1]"),
                c("reshape_minus_two", ARG, in(f(2, 3)), t -> t[0].reshape(-2, 3)),
                c("view_minus_two", ARG, in(f(2, 3)), t -> t[0].view(3, -2)),
                c("reshape_inferred_empty", ARG, in(f(0, 3)), t -> t[0].reshape(0, -1)),
                c("view_inferred_zero", ARG, in(f(2, 3)), t -> t[0].view(0, -1)),
                c("t_3d", ARG, in(f(2, 3, 4)), t -> t[0].t(), "[2, 3, 4]"),
                c("sum_to_size_larger", ARG, in(f(2, 3)), t -> t[0].sumToSize(4, 3)),
                c("sum_to_size_singleton", ARG, in(f(1)), t -> t[0].sumToSize(3)),
                c("sum_to_size_rank", ARG, in(f(3)), t -> t[0].sumToSize(1, 3)),
                c("bce_shapes", ARG, in(f(2, 3), f(3)), t -> Functional.binaryCrossEntropyWithLogits(t[0], t[1])),
                c("bce_shapes_broadcastable", ARG, in(f(2, 3), f(2, 1)),
                        t -> Functional.binaryCrossEntropyWithLogits(t[0], t[1])));
    }

    private static List<Case> creationCases() {
        Tensor[] none = in();
        return List.of(
                c("from_array_count", ARG, none, t -> Tensor.fromArray(new float[3], 2, 2)),
                c("from_array_negative", ARG, none, t -> Tensor.fromArray(new float[0], -1, 0)),
                c("of_ragged", ARG, none, t -> Tensor.of(new float[][] {{1f, 2f}, {3f}})),
                c("zeros_negative", ARG, none, t -> Tensor.zeros(2, -1)),
                c("ones_negative", ARG, none, t -> Tensor.ones(-1)),
                c("full_negative", ARG, none, t -> Tensor.full(2f, -1)),
                c("rand_negative", ARG, none, t -> Tensor.rand(-1)),
                c("randn_negative", ARG, none, t -> Tensor.randn(-1)),
                c("eye_negative", ARG, none, t -> Tensor.eye(-1)),
                c("arange_negative", ARG, none, t -> Tensor.arange(-1), "-1"));
    }

    /** Empty reductions, scalars and autograd misuse (item() is misuse of a tensor, hence STATE). */
    private static List<Case> miscCases() {
        Tensor x = f(2, 3);
        Tensor y = x.exp();
        Tensor total = x.sum();
        UnaryOperator<String> javaScalars = m -> m.replace("Python scalars", "Java scalars");
        return List.of(
                c("max_empty", ARG, in(f(0)), t -> t[0].max()),
                c("max_empty_2d", ARG, in(f(2, 0)), t -> t[0].max()),
                c("max_dim_empty", ARG, in(f(2, 0)), t -> t[0].max(1, false), "[2, 0]"),
                c("max_dim_empty_negative", ARG, in(f(0, 3)), t -> t[0].max(-2, true), "[0, 3]"),
                c("argmax_dim_empty", ARG, in(f(2, 0)), t -> t[0].argmax(1, false), "[2, 0]"),
                c("item_many", STATE, in(f(2)), t -> t[0].item(), "[2]").pytorchPart(javaScalars),
                c("item_empty", STATE, in(f(0)), t -> t[0].item(), "[0]").pytorchPart(javaScalars),
                c("requires_grad_bool", STATE, in(b(2)), t -> t[0].requiresGrad(true)),
                c("backward_shape", ARG, in(x, y, Tensor.ones(3)), t -> backward(t[1], t[2])),
                c("backward_shape_scalar", ARG, in(x, total, Tensor.ones(1)), t -> backward(t[1], t[2])));
    }

    private static Object backward(Tensor output, Tensor gradient) {
        output.backward(gradient);
        return null;
    }

    private static List<Case> allCases() {
        List<Case> all = new ArrayList<>();
        Stream.of(broadcastCases(), matmulCases(), dimCases(), indexCases(), shapeCases(), creationCases(),
                miscCases()).forEach(all::addAll);
        return all;
    }

    // ---- the checks ---------------------------------------------------------------------------

    @TestFactory
    Stream<DynamicTest> everyBadCallFailsWithPyTorchsMessageAndLeavesItsInputsAlone() {
        Map<String, String> pytorch = loadFixture();
        return allCases().stream().map(c -> dynamicTest(c.name(), () -> check(c, pytorch.get(c.name()))));
    }

    private static void check(Case c, String pytorchMessage) {
        assertNotNull(pytorchMessage, "no PyTorch message for " + c.name() + " in " + FIXTURE);
        List<String> before = snapshots(c.inputs());
        RuntimeException e = assertThrowsExactly(c.type(), () -> c.call().apply(c.inputs()),
                c.name() + " should fail with " + c.type().getSimpleName() + " like PyTorch's: " + pytorchMessage);
        String message = e.getMessage();
        assertNotNull(message, c.name() + ": exception without a message");
        if (c.pytorch() != null) {
            String expected = c.pytorch().apply(pytorchMessage);
            assertTrue(message.contains(expected),
                    c.name() + ": message\n  " + message + "\nshould contain PyTorch's\n  " + expected);
        }
        for (String mention : c.mentions()) {
            assertTrue(message.contains(mention), c.name() + ": message should name " + mention + ": " + message);
        }
        assertEquals(before, snapshots(c.inputs()), c.name() + ": the failed call changed its inputs");
    }

    /** Everything a failed call could have disturbed: values, layout, dtype and autograd state. */
    private static List<String> snapshots(Tensor[] tensors) {
        List<String> out = new ArrayList<>();
        for (Tensor t : tensors) {
            String grad = t.grad() == null ? "no grad" : Arrays.toString(t.grad().toArray());
            out.add(Arrays.toString(t.shape()) + " strides " + Arrays.toString(t.stride()) + " " + t.dtype()
                    + " values " + Arrays.toString(t.toArray()) + " requiresGrad " + t.requiresGrad()
                    + " leaf " + t.isLeaf() + " gradFn " + t.gradFn() + " " + grad);
        }
        return out;
    }

    /** Guards against a case renamed on one side only, which would silently drop its PyTorch check. */
    @Test
    void fixtureCoversExactlyTheJavaCases() {
        TreeSet<String> javaNames = new TreeSet<>();
        allCases().forEach(c -> assertTrue(javaNames.add(c.name()), "duplicate case " + c.name()));
        assertEquals(javaNames, new TreeSet<>(loadFixture().keySet()));
    }

    private static Map<String, String> loadFixture() {
        Map<String, String> messages = new LinkedHashMap<>();
        for (String line : Fixtures.dataLines(FIXTURE)) {
            String[] fields = line.split("\t", -1);
            assertEquals(3, fields.length, "fixture line: " + line);
            messages.put(fields[0], fields[2]);
        }
        return messages;
    }

    // ---- argument handling that PyTorch does not report as an error -----------------------------

    /** PyTorch 1.13's {@code sum(dim=[])} reduces over every dimension, like {@code sum()}. */
    @Test
    void anEmptyDimListSumsEverything() {
        Tensor x = f(2, 3);
        assertArrayEquals(new int[0], x.sum(new int[0], false).shape());
        assertEquals(x.sum().item(), x.sum(new int[0], false).item());
        assertArrayEquals(new int[] {1, 1}, x.sum(new int[0], true).shape());
    }

    /** A failed op must not leave a half-built graph behind: the next valid call still works normally. */
    @Test
    void aFailedCallDoesNotPoisonLaterBackward() {
        Tensor x = f(2, 3);
        assertThrowsExactly(ARG, () -> x.add(f(4, 3)));
        assertThrowsExactly(ARG, () -> x.matmul(f(4, 5)));
        x.mul(2f).sum().backward();
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, x.grad().toArray());
    }
}
