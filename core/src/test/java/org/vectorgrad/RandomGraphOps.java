package org.vectorgrad;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The interpreter for {@code random_graphs.txt}'s op lines (see
 * {@code tools/pytorch/gen_random_graph_fixtures.py}): each op name maps to the Vectorgrad call
 * that mirrors the PyTorch call the generator made.
 */
final class RandomGraphOps {
    private RandomGraphOps() {
    }

    /** One op of a program: operand values and its space-separated argument tokens. */
    @FunctionalInterface
    interface Op {
        Tensor apply(Tensor[] x, String[] args);
    }

    static Tensor apply(String name, Tensor[] operands, String[] args) {
        Op op = OPS.get(name);
        if (op == null) {
            throw new IllegalStateException("no Vectorgrad op for fixture op '" + name + "'");
        }
        return op.apply(operands, args);
    }

    private static int i(String token) {
        return Integer.parseInt(token);
    }

    private static float f(String token) {
        return Float.parseFloat(token);
    }

    private static boolean b(String token) {
        return token.equals("1");
    }

    private static int[] ints(String token) {
        return token.isEmpty() ? new int[0] : Arrays.stream(token.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static final Map<String, Op> OPS = Map.ofEntries(
            Map.entry("neg", (x, a) -> x[0].neg()),
            Map.entry("exp", (x, a) -> x[0].exp()),
            Map.entry("log", (x, a) -> x[0].log()),
            Map.entry("sqrt", (x, a) -> x[0].sqrt()),
            Map.entry("sin", (x, a) -> x[0].sin()),
            Map.entry("cos", (x, a) -> x[0].cos()),
            Map.entry("tanh", (x, a) -> x[0].tanh()),
            Map.entry("sigmoid", (x, a) -> x[0].sigmoid()),
            Map.entry("relu", (x, a) -> x[0].relu()),
            Map.entry("abs", (x, a) -> x[0].abs()),
            Map.entry("sign", (x, a) -> x[0].sign()),
            Map.entry("add_s", (x, a) -> x[0].add(f(a[0]))),
            Map.entry("sub_s", (x, a) -> x[0].sub(f(a[0]))),
            Map.entry("rsub_s", (x, a) -> x[0].rsub(f(a[0]))),
            Map.entry("mul_s", (x, a) -> x[0].mul(f(a[0]))),
            Map.entry("div_s", (x, a) -> x[0].div(f(a[0]))),
            Map.entry("pow_s", (x, a) -> x[0].pow(f(a[0]))),
            Map.entry("add", (x, a) -> x[0].add(x[1])),
            Map.entry("sub", (x, a) -> x[0].sub(x[1])),
            Map.entry("mul", (x, a) -> x[0].mul(x[1])),
            Map.entry("div", (x, a) -> x[0].div(x[1])),
            Map.entry("maximum", (x, a) -> x[0].maximum(x[1])),
            Map.entry("minimum", (x, a) -> x[0].minimum(x[1])),
            Map.entry("pow_t", (x, a) -> x[0].pow(x[1])),
            Map.entry("sum", (x, a) -> x[0].sum()),
            Map.entry("sum_dims", (x, a) -> x[0].sum(ints(a[0]), b(a[1]))),
            Map.entry("mean", (x, a) -> x[0].mean()),
            Map.entry("mean_dim", (x, a) -> x[0].mean(i(a[0]), b(a[1]))),
            Map.entry("max", (x, a) -> x[0].max()),
            Map.entry("max_dim", (x, a) -> x[0].max(i(a[0]), b(a[1]))),
            Map.entry("min", (x, a) -> x[0].min()),
            Map.entry("norm", (x, a) -> x[0].norm()),
            Map.entry("var", (x, a) -> x[0].var(i(a[0]), b(a[1]), b(a[2]))),
            Map.entry("std", (x, a) -> x[0].std(i(a[0]), b(a[1]), b(a[2]))),
            Map.entry("reshape", (x, a) -> x[0].reshape(ints(a[0]))),
            Map.entry("transpose", (x, a) -> x[0].transpose(i(a[0]), i(a[1]))),
            Map.entry("permute", (x, a) -> x[0].permute(ints(a[0]))),
            Map.entry("narrow", (x, a) -> x[0].narrow(i(a[0]), i(a[1]), i(a[2]))),
            Map.entry("select", (x, a) -> x[0].select(i(a[0]), i(a[1]))),
            Map.entry("expand", (x, a) -> x[0].expand(ints(a[0]))),
            Map.entry("unsqueeze", (x, a) -> x[0].unsqueeze(i(a[0]))),
            Map.entry("squeeze", (x, a) -> x[0].squeeze(i(a[0]))),
            Map.entry("flatten", (x, a) -> x[0].flatten()),
            Map.entry("contiguous", (x, a) -> x[0].contiguous()),
            Map.entry("t", (x, a) -> x[0].t()),
            Map.entry("matmul", (x, a) -> x[0].matmul(x[1])),
            Map.entry("softmax", (x, a) -> x[0].softmax(i(a[0]))),
            Map.entry("logSoftmax", (x, a) -> x[0].logSoftmax(i(a[0]))),
            Map.entry("cat", (x, a) -> Tensor.cat(List.of(x[0], x[1]), i(a[0]))),
            Map.entry("stack", (x, a) -> Tensor.stack(List.of(x[0], x[1]), i(a[0]))),
            Map.entry("indexSelect", (x, a) -> x[0].indexSelect(i(a[0]), ints(a[1]))),
            Map.entry("clamp", (x, a) -> x[0].clamp(f(a[0]), f(a[1]))),
            Map.entry("where", (x, a) -> Tensor.where(x[0].gt(x[1]), x[0], x[2])));
}
