package org.vectorgrad;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.vectorgrad.nn.Functional;

/**
 * The Vectorgrad side of every case in {@code fixtures/nn.txt}: the same call as the PyTorch
 * lambda of the same name in {@code tools/pytorch/gen_nn_fixtures.py}, through the public
 * {@link Functional} API, applied to the inputs in argument order; and the same for every bad call.
 */
final class NnCases {
    /** The cross-entropy targets the script uses. */
    static final int[] TARGETS = {3, 0, 6, 6, 2};

    static final Map<String, GradCheck.Op> OPS = new LinkedHashMap<>();
    static final Map<String, BadCall> ERRORS = new LinkedHashMap<>();

    private NnCases() {
    }

    private static void put(String name, GradCheck.Op op) {
        if (OPS.put(name, op) != null) {
            throw new IllegalStateException("duplicate case " + name);
        }
    }

    static {
        convolution();
        pooling();
        normalization();
        lossesLinearDropout();
        errors();
    }

    private static void convolution() {
        put("conv_basic", x -> Functional.conv2d(x[0], x[1], x[2], 1, 0, 1));
        put("conv_stride2_pad1", x -> Functional.conv2d(x[0], x[1], x[2], 2, 1, 1));
        put("conv_dilation2_pad2", x -> Functional.conv2d(x[0], x[1], x[2], 1, 2, 2));
        put("conv_1x1_nobias", x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1));
        put("conv_1x1_stride2", x -> Functional.conv2d(x[0], x[1], null, 2, 0, 1));
        put("conv_3d_input", x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1));
        put("conv_rect_kernel", x -> Functional.conv2d(x[0], x[1], x[2], 1, 0, 1));
        put("conv_stem_7x7", x -> Functional.conv2d(x[0], x[1], null, 2, 3, 1));
        put("conv_T_input", x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1));
        put("conv_const_weight", x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1));
        put("conv_const_input", x -> Functional.conv2d(x[0], x[1], x[2], 2, 0, 1));
    }

    private static void pooling() {
        put("maxpool_k2s2", x -> Functional.maxPool2d(x[0], 2, 2, 0));
        put("maxpool_k3s2p1", x -> Functional.maxPool2d(x[0], 3, 2, 1));
        put("maxpool_3d_k2s1", x -> Functional.maxPool2d(x[0], 2, 1, 0));
        put("maxpool_ties", x -> Functional.maxPool2d(x[0], 2, 1, 0));
        put("maxpool_odd_k3s3", x -> Functional.maxPool2d(x[0], 3, 3, 0));
        put("maxpool_T", x -> Functional.maxPool2d(x[0], 2, 2, 0));
        put("avgpool_k2s2", x -> Functional.avgPool2d(x[0], 2, 2, 0));
        put("avgpool_k3s1p1", x -> Functional.avgPool2d(x[0], 3, 1, 1));
        put("avgpool_3d_k3s2p1", x -> Functional.avgPool2d(x[0], 3, 2, 1));
        put("adaptive_1", x -> Functional.adaptiveAvgPool2d(x[0], 1));
        put("adaptive_1_3d", x -> Functional.adaptiveAvgPool2d(x[0], 1));
        put("adaptive_3_from_5x7", x -> Functional.adaptiveAvgPool2d(x[0], 3));
        put("adaptive_2_from_4x4", x -> Functional.adaptiveAvgPool2d(x[0], 2));
        put("adaptive_4_from_3x3", x -> Functional.adaptiveAvgPool2d(x[0], 4));
    }

    private static GradCheck.Op bn(boolean training, float momentum, float eps) {
        return x -> Functional.batchNorm(x[0], x[1], x[2], x[3], x[4], training, momentum, eps);
    }

    private static void normalization() {
        put("bn_train_4d", bn(true, 0.1f, 1e-5f));
        put("bn_eval_4d", bn(false, 0.1f, 1e-5f));
        put("bn_train_2d", bn(true, 0.1f, 1e-5f));
        put("bn_eval_2d", bn(false, 0.1f, 1e-5f));
        put("bn_train_3d", bn(true, 0.1f, 1e-5f));
        put("bn_train_momentum_eps", bn(true, 0.3f, 1e-3f));
        put("bn_train_T", bn(true, 0.1f, 1e-5f));
        put("bn_train_no_affine", x -> Functional.batchNorm(x[0], x[1], x[2], null, null, true, 0.1f, 1e-5f));
        put("bn_train_no_stats", x -> Functional.batchNorm(x[0], null, null, x[1], x[2], true, 0.1f, 1e-5f));
        put("bn_eval_no_affine", x -> Functional.batchNorm(x[0], x[1], x[2], null, null, false, 0.1f, 1e-5f));
    }

    private static void lossesLinearDropout() {
        put("ce_basic", x -> Functional.crossEntropy(x[0], TARGETS));
        put("ce_T", x -> Functional.crossEntropy(x[0], TARGETS));
        put("ce_label_smoothing", x -> Functional.crossEntropy(x[0], TARGETS, 0.1f));
        put("ce_label_smoothing_1", x -> Functional.crossEntropy(x[0], TARGETS, 1f));
        put("nll_basic", x -> Functional.nllLoss(x[0], TARGETS));
        put("nll_log_softmax", x -> Functional.nllLoss(x[0].logSoftmax(1), TARGETS));
        put("ce_large_logits", x -> Functional.crossEntropy(x[0].mul(Tensor.scalar(50f)), TARGETS));
        for (String name : new String[] {"linear_2d", "linear_1d", "linear_3d", "linear_const_weight",
            "linear_T_weight"}) {
            put(name, x -> Functional.linear(x[0], x[1], x[2]));
        }
        put("linear_2d_nobias", x -> Functional.linear(x[0], x[1], null));
        put("dropout_p1", x -> Functional.dropout(x[0], 1f, true));
        put("dropout_eval", x -> Functional.dropout(x[0], 0.5f, false));
        put("dropout_p0", x -> Functional.dropout(x[0], 0f, true));
    }

    /** A bad call's inputs and the call itself (on those inputs). */
    record BadCall(Tensor[] inputs, Consumer<Tensor[]> call) {
    }

    /** A leaf requiring grad with distinct values, so that any corruption of it shows. */
    private static Tensor f(int... shape) {
        int n = 1;
        for (int size : shape) {
            n *= size;
        }
        return Tensor.arange(n).add(0.5f).reshape(shape).detach().requiresGrad(true);
    }

    private static Tensor[] in(Tensor... inputs) {
        return inputs;
    }

    private static void error(String name, Tensor[] inputs, Consumer<Tensor[]> call) {
        if (ERRORS.put(name, new BadCall(inputs, call)) != null) {
            throw new IllegalStateException("duplicate error case " + name);
        }
    }

    private static void errors() {
        error("conv_channels", in(f(1, 4, 32, 32), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1));
        error("conv_channels_3d", in(f(4, 32, 32), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1));
        error("conv_rank", in(f(4, 32), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1));
        error("conv_small", in(f(1, 3, 2, 2), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1));
        error("conv_small_dilated", in(f(1, 3, 4, 4), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 2));
        error("conv_bias", in(f(1, 3, 8, 8), f(8, 3, 3, 3), f(7)),
                x -> Functional.conv2d(x[0], x[1], x[2], 1, 0, 1));
        error("conv_stride", in(f(1, 3, 8, 8), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 0, 0, 1));
        error("conv_padding", in(f(1, 3, 8, 8), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, -1, 1));
        error("conv_dilation", in(f(1, 3, 8, 8), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 0));
        error("conv_dilation_huge", in(f(1, 3, 4, 4), f(8, 3, 3, 3)),
                x -> Functional.conv2d(x[0], x[1], null, 1, 0, 1 << 30));
        error("maxpool_small", in(f(1, 3, 2, 2)),
                x -> Functional.maxPool2d(x[0], 3, 3, 0));
        error("maxpool_pad", in(f(1, 3, 8, 8)),
                x -> Functional.maxPool2d(x[0], 3, 1, 2));
        error("maxpool_rank", in(f(8, 8)),
                x -> Functional.maxPool2d(x[0], 2, 2, 0));
        error("avgpool_small", in(f(1, 3, 2, 2)),
                x -> Functional.avgPool2d(x[0], 3, 3, 0));
        error("avgpool_pad", in(f(1, 3, 8, 8)),
                x -> Functional.avgPool2d(x[0], 3, 1, 2));
        error("adaptive_rank", in(f(8, 8)),
                x -> Functional.adaptiveAvgPool2d(x[0], 2));
        error("adaptive_negative", in(f(1, 1, 8, 8)),
                x -> Functional.adaptiveAvgPool2d(x[0], -1));
        error("adaptive_empty", in(f(1, 1, 0, 8)),
                x -> Functional.adaptiveAvgPool2d(x[0], 2));
        error("nll_target_high", in(f(4, 10)),
                x -> Functional.nllLoss(x[0], new int[] {0, 1, 10, 2}));
        error("nll_target_negative", in(f(4, 10)),
                x -> Functional.nllLoss(x[0], new int[] {0, 1, -1, 2}));
        error("nll_batch", in(f(4, 10)),
                x -> Functional.nllLoss(x[0], new int[] {0, 1, 2}));
        error("ce_target_high", in(f(4, 10)),
                x -> Functional.crossEntropy(x[0], new int[] {0, 1, 10, 2}));
        error("ce_batch", in(f(4, 10)),
                x -> Functional.crossEntropy(x[0], new int[] {0, 1, 2}));
        error("ce_label_smoothing_range", in(f(4, 10)),
                x -> Functional.crossEntropy(x[0], new int[] {0, 1, 2, 3}, 1.5f));
        error("linear_shapes", in(f(4, 3), f(5, 4)),
                x -> Functional.linear(x[0], x[1], null));
        error("linear_bias", in(f(4, 3), f(5, 3), f(4)),
                x -> Functional.linear(x[0], x[1], x[2]));
        error("bn_running_mean", in(f(4, 3, 5, 5), f(4), f(4)),
                x -> Functional.batchNorm(x[0], x[1], x[2], null, null, true, 0.1f, 1e-5f));
        error("bn_weight", in(f(4, 3, 5, 5), f(3), f(3), f(4)),
                x -> Functional.batchNorm(x[0], x[1], x[2], x[3], null, true, 0.1f, 1e-5f));
        error("bn_one_value", in(f(1, 3, 1, 1), f(3), f(3)),
                x -> Functional.batchNorm(x[0], x[1], x[2], null, null, true, 0.1f, 1e-5f));
        error("bn_eval_no_stats", in(f(2, 3, 4, 4)),
                x -> Functional.batchNorm(x[0], null, null, null, null, false, 0.1f, 1e-5f));
        error("dropout_p", in(f(3)),
                x -> Functional.dropout(x[0], 1.5f, true));
    }
}
