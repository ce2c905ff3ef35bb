package org.vectorgrad.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.vectorgrad.GradFn;
import org.vectorgrad.Tensor;

/** How Python and IPython display values the notebooks print (tuples, sizes, objects, None). */
final class PyRepr {
    private static final int IPYTHON_WIDTH = 79;

    private PyRepr() {
    }

    /**
     * A tuple as IPython's pretty-printer shows a cell result: on one line when it fits in 79
     * columns, else one element per line with continuation lines indented by one space.
     */
    static String tuple(Object... items) {
        String[] parts = Arrays.stream(items).map(String::valueOf).toArray(String[]::new);
        String oneLine = "(" + String.join(", ", parts) + ")";
        if (oneLine.length() <= IPYTHON_WIDTH && !oneLine.contains("\n")) {
            return oneLine;
        }
        return Arrays.stream(parts).map(p -> p.replace("\n", "\n "))
                .collect(Collectors.joining(",\n ", "(", ")"));
    }

    /** {@code torch.Size([2, 3])}. */
    static String size(Tensor t) {
        return "torch.Size(" + Arrays.toString(t.shape()) + ")";
    }

    /** Python's {@code str} of a value that may be None. */
    static String str(Object value) {
        return value == null ? "None" : value.toString();
    }

    /** IPython's display of a bare object result, e.g. {@code <MulBackward0 at 0x7f3a...>}. */
    static String ipython(GradFn fn) {
        return fn.toString().replace(" object at ", " at ");
    }

    /** Python's {@code True}/{@code False}. */
    static String bool(boolean value) {
        return value ? "True" : "False";
    }

    /** What a cell that raised prints: {@code RuntimeError: <message>}. */
    static String error(Runnable cell) {
        try {
            cell.run();
        } catch (IllegalStateException | IllegalArgumentException e) {
            return "RuntimeError: " + e.getMessage();
        }
        throw new IllegalStateException("the cell did not raise, but it does in PyTorch");
    }

    /** Python's {@code f"{x:.3f}"}: round half to even on the exact binary value. */
    static String fixed3(float value) {
        return new java.math.BigDecimal(value).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }
}
