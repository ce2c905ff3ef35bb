package org.vectorgrad;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vectorgrad.nn.Functional;

/**
 * The Vectorgrad side of {@code fixtures/autograd_defects.txt}: one op per name, the same
 * operation as the PyTorch lambdas of the cases named {@code NAME:...} in
 * {@code tools/pytorch/gen_autograd_defects_fixtures.py}, applied to the inputs in argument order.
 */
final class AutogradDefectCases {
    private AutogradDefectCases() {
    }

    static final Map<String, GradCheck.Op> OPS = new LinkedHashMap<>();
    private static final int[] TARGETS = {0, 3, 1};

    private static void put(String name, GradCheck.Op op) {
        if (OPS.put(name, op) != null) {
            throw new IllegalStateException("duplicate op " + name);
        }
    }

    static {
        sumToSize();
        elementwise();
        reductionsAndLinearAlgebra();
        functional();
    }

    /** The op of a case: its name up to the first ':'. */
    static String opName(String caseName) {
        int colon = caseName.indexOf(':');
        return colon < 0 ? caseName : caseName.substring(0, colon);
    }

    private static void sumToSize() {
        put("sumToSize_0d", x -> x[0].sumToSize());
        put("sumToSize_1", x -> x[0].sumToSize(1));
        put("sumToSize_3", x -> x[0].sumToSize(3));
        put("sumToSize_1x1", x -> x[0].sumToSize(1, 1));
        put("sumToSize_1x3", x -> x[0].sumToSize(1, 3));
        put("sumToSize_1x4", x -> x[0].sumToSize(1, 4));
        put("sumToSize_2x1", x -> x[0].sumToSize(2, 1));
        put("sumToSize_2x3", x -> x[0].sumToSize(2, 3));
    }

    private static void elementwise() {
        put("neg", x -> x[0].neg());
        put("exp", x -> x[0].exp());
        put("log", x -> x[0].log());
        put("sin", x -> x[0].sin());
        put("cos", x -> x[0].cos());
        put("tanh", x -> x[0].tanh());
        put("sigmoid", x -> x[0].sigmoid());
        put("relu", x -> x[0].relu());
        put("functionalRelu", x -> Functional.relu(x[0]));
        put("sqrt", x -> x[0].sqrt());
        put("abs", x -> x[0].abs());
        put("sign", x -> x[0].sign());
        put("add", x -> x[0].add(x[1]));
        put("sub", x -> x[0].sub(x[1]));
        put("mul", x -> x[0].mul(x[1]));
        put("div", x -> x[0].div(x[1]));
        put("maximum", x -> x[0].maximum(x[1]));
        put("addScalar", x -> x[0].add(1.5f));
        put("addScalarView", x -> x[0].add(1f).view(12));
        put("subScalar", x -> x[0].sub(1.5f));
        put("rsub", x -> x[0].rsub(2.5f));
        put("mulScalar", x -> x[0].mul(-1.5f));
        put("divScalar", x -> x[0].div(4f));
        put("pow2", x -> x[0].pow(2f));
        put("pow3", x -> x[0].pow(3f));
        put("pow0_5", x -> x[0].pow(0.5f));
        put("pow0", x -> x[0].pow(0f));
        put("pow1", x -> x[0].pow(1f));
        put("powTensor", x -> x[0].pow(x[1]));
        put("gt", x -> x[0].gt(x[1]).toFloat());
        put("where", x -> Tensor.where(x[0].gt(Tensor.scalar(0f)), x[0], x[1]));
        put("whereZero", x -> Tensor.where(x[0].gt(Tensor.scalar(0f)), x[1], Tensor.scalar(0f)));
    }

    private static void reductionsAndLinearAlgebra() {
        put("sum", x -> x[0].sum());
        put("sumDim", x -> x[0].sum(1, false));
        put("sumDims", x -> x[0].sum(new int[] {0, 1}, true));
        put("mean", x -> x[0].mean());
        put("meanDim", x -> x[0].mean(0, false));
        put("meanDimKeep", x -> x[0].mean(-1, true));
        put("max", x -> x[0].max());
        put("maxDim", x -> x[0].max(1, false));
        put("norm", x -> x[0].norm());
        put("matmul", x -> x[0].matmul(x[1]));
        put("softmax", x -> x[0].softmax(1));
        put("logSoftmax", x -> x[0].logSoftmax(1));
        put("views", x -> x[0].reshape(2, 6).t().unsqueeze(0).expand(2, 6, 2).permute(2, 0, 1).narrow(0, 1, 1)
                .squeeze(0).transpose(0, 1).contiguous().flatten().view(3, 4).select(0, 1));
    }

    private static void functional() {
        put("functionalSoftmax", x -> Functional.softmax(x[0], 0));
        put("functionalLogSoftmax", x -> Functional.logSoftmax(x[0], 0));
        put("bce", x -> Functional.binaryCrossEntropyWithLogits(x[0], x[1]));
        put("mse", x -> Functional.mseLoss(x[0], x[1]));
        put("crossEntropy", x -> Functional.crossEntropy(x[0], TARGETS));
        put("crossEntropySmooth", x -> Functional.crossEntropy(x[0], TARGETS, 0.1f));
        put("nllLoss", x -> Functional.nllLoss(x[0], TARGETS));
        put("linear", x -> Functional.linear(x[0], x[1], x[2]));
        put("linearNoBias", x -> Functional.linear(x[0], x[1], null));
        put("conv2d", x -> Functional.conv2d(x[0], x[1], x[2], 2, 1, 1));
        put("maxPool2d", x -> Functional.maxPool2d(x[0], 3, 2, 1));
        put("avgPool2d", x -> Functional.avgPool2d(x[0], 3, 2, 1));
        put("adaptiveAvgPool2d_3", x -> Functional.adaptiveAvgPool2d(x[0], 3));
        put("adaptiveAvgPool2d_1", x -> Functional.adaptiveAvgPool2d(x[0], 1));
        put("batchNormTrain", x -> Functional.batchNorm(x[0], null, null, x[1], x[2], true, 0.1f, 1e-5f));
        put("batchNormEval", x -> Functional.batchNorm(x[0], Tensor.of(0.5f, -0.5f), Tensor.of(2f, 0.5f), x[1], x[2],
                false, 0.1f, 1e-5f));
    }
}
