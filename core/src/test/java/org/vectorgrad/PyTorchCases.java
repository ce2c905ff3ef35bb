package org.vectorgrad;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.vectorgrad.nn.Functional;

/**
 * The Vectorgrad side of every case in {@code fixtures/autograd.txt}: the same operation as the
 * PyTorch lambda of the same name in {@code tools/pytorch/gen_autograd_fixtures.py}, written with
 * the public API only, applied to the inputs in argument order.
 */
final class PyTorchCases {
    private PyTorchCases() {
    }

    static final Map<String, GradCheck.Op> OPS = new LinkedHashMap<>();

    private static void put(String name, GradCheck.Op op) {
        if (OPS.put(name, op) != null) {
            throw new IllegalStateException("duplicate case " + name);
        }
    }

    static {
        elementwise();
        unary();
        reductions();
        matmul();
        views();
        functionalAndComposites();
    }

    private static void elementwise() {
        for (String name : new String[] {"add", "add_bcast_3x1_1x4", "add_bcast_2x3_0d", "add_bcast_4_2x3x4",
            "add_T_N", "add_const"}) {
            put(name, x -> x[0].add(x[1]));
        }
        put("add_scalar", x -> x[0].add(2.5f));
        put("sub", x -> x[0].sub(x[1]));
        put("sub_bcast_3x1_1x4", x -> x[0].sub(x[1]));
        put("sub_scalar", x -> x[0].sub(2.5f));
        put("rsub_scalar", x -> x[0].rsub(10f));
        put("mul", x -> x[0].mul(x[1]));
        put("mul_bcast_2x1x5_3x1", x -> x[0].mul(x[1]));
        put("mul_scalar", x -> x[0].mul(-1.5f));
        put("mul_T_const", x -> x[0].mul(x[1]));
        put("div", x -> x[0].div(x[1]));
        put("div_bcast", x -> x[0].div(x[1]));
        put("div_scalar", x -> x[0].div(4f));
        put("pow_2", x -> x[0].pow(2f));
        put("pow_3", x -> x[0].pow(3f));
        put("pow_0_5", x -> x[0].pow(0.5f));
        put("pow_m1", x -> x[0].pow(-1f));
        put("pow_2_5", x -> x[0].pow(2.5f));
        put("pow_0", x -> x[0].pow(0f));
        put("pow_tensor", x -> x[0].pow(x[1]));
        put("pow_tensor_zero_base", x -> x[0].pow(x[1]));
        put("maximum", x -> x[0].maximum(x[1]));
        put("maximum_ties", x -> x[0].maximum(x[1]));
        put("where", x -> Tensor.where(Tensor.fromArray(new float[] {1, 0, 1}, 3, 1).gt(Tensor.scalar(0.5f)),
                x[0], x[1]));
    }

    private static void unary() {
        Map<String, UnaryOperator<Tensor>> ops = new LinkedHashMap<>();
        ops.put("neg", Tensor::neg);
        ops.put("exp", Tensor::exp);
        ops.put("log", Tensor::log);
        ops.put("sin", Tensor::sin);
        ops.put("cos", Tensor::cos);
        ops.put("tanh", Tensor::tanh);
        ops.put("sigmoid", Tensor::sigmoid);
        ops.put("relu", Tensor::relu);
        ops.put("sqrt", Tensor::sqrt);
        ops.put("abs", Tensor::abs);
        ops.forEach((name, op) -> {
            put(name, x -> op.apply(x[0]));
            put(name + "_T", x -> op.apply(x[0]));
            put(name + "_0d", x -> op.apply(x[0]));
        });
        put("relu_at_zero", x -> x[0].relu());
        put("abs_at_zero", x -> x[0].abs());
        put("sign_at_zero_and_nan", x -> x[0].sign());
    }

    private static void reductions() {
        put("sum", x -> x[0].sum());
        put("sum_0d", x -> x[0].sum());
        put("sum_T", x -> x[0].sum());
        put("sum_dim1_keep", x -> x[0].sum(1, true));
        put("sum_dim0", x -> x[0].sum(0, false));
        put("sum_dims_0_2", x -> x[0].sum(new int[] {0, 2}, false));
        put("sum_dims_neg_keep", x -> x[0].sum(new int[] {-1, 0}, true));
        put("sum_dims_empty", x -> x[0].sum(new int[0], false));
        put("sum_0d_dim", x -> x[0].sum(0, true));
        put("mean_0d_dim", x -> x[0].mean(-1, false));
        put("max_0d_dim", x -> x[0].max(0, false));
        put("mean", x -> x[0].mean());
        put("mean_dim1_keep", x -> x[0].mean(1, true));
        put("mean_dim_neg", x -> x[0].mean(-2, false));
        put("max", x -> x[0].max());
        put("max_ties", x -> x[0].max());
        put("max_dim0_keep", x -> x[0].max(0, true));
        put("max_dim1", x -> x[0].max(1, false));
        put("max_dim_ties", x -> x[0].max(1, false));
        put("norm", x -> x[0].norm());
        put("norm_zero", x -> x[0].norm());
        put("softmax_dim1", x -> x[0].softmax(1));
        put("softmax_dim0", x -> x[0].softmax(0));
        put("softmax_3d_mid", x -> x[0].softmax(1));
        put("softmax_T", x -> x[0].softmax(-1));
        put("softmax_0d", x -> x[0].softmax(0));
        put("log_softmax_dim1", x -> x[0].logSoftmax(1));
        put("log_softmax_dim0_N", x -> x[0].logSoftmax(0));
        put("sum_to_size_3x1", x -> x[0].sumToSize(3, 1));
        put("sum_to_size_4", x -> x[0].sumToSize(4));
        put("sum_to_size_same", x -> x[0].sumToSize(2, 3));
    }

    private static void matmul() {
        for (String name : new String[] {"dot", "mv", "vm", "mm", "3x2", "2x3", "1x3", "3x1", "3x3", "bcast",
            "T3x2", "2xT3", "T3x2_const", "T3x2_batch1", "T3x1", "T4x2", "1xT3", "N3x2", "mm_T_N", "mm_const", "2x3_const"}) {
            put("matmul_" + name, x -> x[0].matmul(x[1]));
        }
    }

    private static void views() {
        put("reshape", x -> x[0].reshape(6, 4));
        put("reshape_T", x -> x[0].reshape(12));
        put("reshape_N_split", x -> x[0].reshape(3, 2, 3));
        put("view", x -> x[0].view(4, 6));
        put("transpose", x -> x[0].transpose(0, 2));
        put("t", x -> x[0].t());
        put("t_1d", x -> x[0].t());
        put("permute", x -> x[0].permute(2, 0, 1));
        put("select_neg", x -> x[0].select(-1, -2));
        put("narrow", x -> x[0].narrow(1, 1, 2));
        put("expand", x -> x[0].expand(2, 3, 4));
        put("expand_0d", x -> x[0].expand(3, 2));
        put("unsqueeze", x -> x[0].unsqueeze(-1));
        put("unsqueeze_0d", x -> x[0].unsqueeze(0));
        put("reshape_0d", x -> x[0].reshape(1, 1));
        put("flatten_0d", x -> x[0].flatten());
        put("t_0d", x -> x[0].t());
        put("squeeze", x -> x[0].squeeze(1));
        put("squeeze_noop", x -> x[0].squeeze(-1));
        put("flatten", x -> x[0].flatten());
        put("flatten_T", x -> x[0].flatten());
        put("flatten_1d", x -> x[0].flatten());
        put("contiguous", x -> x[0].contiguous());
        put("contiguous_T", x -> x[0].contiguous());
        put("view_chain", x -> x[0].t().narrow(0, 1, 3).select(1, 1).unsqueeze(0).expand(2, 3));
    }

    private static Tensor mlp(Tensor[] x) {
        return x[0].matmul(x[1]).add(x[2]).relu().matmul(x[3]).add(x[4]);
    }

    private static void functionalAndComposites() {
        put("bce", x -> Functional.binaryCrossEntropyWithLogits(x[0], x[1]));
        put("bce_const_target", x -> Functional.binaryCrossEntropyWithLogits(x[0], x[1]));
        for (String name : new String[] {"mse", "mse_const_target", "mse_bcast_const_target", "mse_bcast_target"}) {
            put(name, x -> Functional.mseLoss(x[0], x[1]));
        }
        put("seed_q", x -> x[0].pow(3f).mul(3f).sub(x[1].pow(2f)));
        put("seed_w", x -> x[3].mul(x[1].mul(x[0])).add(x[4].mul(x[2].mul(x[0]))).rsub(10f));
        put("seed_bce", x -> Functional.binaryCrossEntropyWithLogits(x[0].matmul(x[2]).add(x[3]), x[1]));
        put("mlp_softmax_mse", x -> Functional.mseLoss(mlp(x).softmax(1), x[5]));
        put("mlp_log_softmax_nll", x -> mlp(x).logSoftmax(1).mul(x[5]).sum(1, false).mean().neg());
        put("mlp_bce", x -> Functional.binaryCrossEntropyWithLogits(mlp(x), x[5]));
        put("mlp_tanh_sigmoid_max",
                x -> x[0].matmul(x[1]).tanh().matmul(x[2]).sigmoid().max(1, false).norm());
    }
}
