package org.vectorgrad;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.vectorgrad.simd.Shapes;

/**
 * PyTorch 1.13's {@code repr(tensor)} with the default print options (precision 4, threshold
 * 1000, 3 edge items, line width 80, automatic scientific notation), reproduced byte for byte.
 *
 * <p>The element style (bool, integer, fixed or scientific) and the common width are chosen
 * from the elements that are actually shown: all of them, or only the edges of every dimension
 * when the tensor has more than 1000 elements. Only the shown elements are ever formatted, so
 * printing a huge tensor costs about as much as printing a small one.
 */
final class TensorFormat {

    private static final int PRECISION = 4;
    private static final int THRESHOLD = 1000;
    private static final int EDGE_ITEMS = 3;
    private static final int LINE_WIDTH = 80;
    private static final String PREFIX = "tensor(";
    private static final int INDENT = PREFIX.length();
    private static final MathContext SIGNIFICANT = new MathContext(PRECISION + 1,
            RoundingMode.HALF_EVEN);

    private TensorFormat() {
    }

    /**
     * PyTorch's repr of a tensor with these row-major values and shape, e.g.
     * {@code "tensor([1., 2.], requires_grad=True)"}.
     *
     * @param rowMajorValues the elements; bool tensors hold 0f (False) or anything else (True)
     * @param shape the dimensions; {@code {}} is a 0-d scalar and zeros make an empty tensor
     * @param isBool whether to print the elements as {@code True}/{@code False}
     * @param suffixes already-formed suffixes such as {@code "grad_fn=<SubBackward0>"}, printed
     *     after the {@code size=(...)} (and bool {@code dtype}) that empty tensors get here
     * @throws IllegalArgumentException if a dimension is negative or the number of values is
     *     not the product of the shape
     */
    static String repr(float[] rowMajorValues, int[] shape, boolean isBool,
                       List<String> suffixes) {
        Objects.requireNonNull(rowMajorValues, "rowMajorValues");
        Objects.requireNonNull(suffixes, "suffixes");
        long numel = checkedElementCount(rowMajorValues.length, shape);
        return repr(rowMajorValues, 0, shape, Shapes.contiguousStrides(shape), numel, isBool, suffixes);
    }

    /**
     * As {@link #repr(float[], int[], boolean, List)} for a strided view of {@code storage}
     * (a tensor's own layout): only the elements shown are read, so nothing is copied.
     */
    static String repr(float[] storage, int offset, int[] shape, int[] strides, boolean isBool,
                       List<String> suffixes) {
        long numel = 1;
        for (int size : shape) {
            numel *= size;
        }
        return repr(storage, offset, shape, strides, numel, isBool, suffixes);
    }

    private static String repr(float[] storage, int offset, int[] shape, int[] strides, long numel,
                               boolean isBool, List<String> suffixes) {
        List<String> allSuffixes = new ArrayList<>();
        String body;
        if (numel == 0) {
            body = "[]";
            // PyTorch spells out the shape of every empty tensor except the 1-d one.
            if (shape.length != 1) {
                allSuffixes.add("size=" + tuple(shape));
            }
            // No element shows the dtype, so PyTorch names any non-default one.
            if (isBool) {
                allSuffixes.add("dtype=torch.bool");
            }
        } else {
            body = new Printer(storage, offset, shape, strides, isBool, numel > THRESHOLD).print();
        }
        allSuffixes.addAll(suffixes);
        return withSuffixes(PREFIX + body, allSuffixes);
    }

    private static long checkedElementCount(int valueCount, int[] shape) {
        Objects.requireNonNull(shape, "shape");
        long numel = 1;
        boolean empty = false;
        for (int size : shape) {
            if (size < 0) {
                throw new IllegalArgumentException(
                        "negative dimension " + size + " in shape " + Arrays.toString(shape));
            }
            empty |= size == 0;
            // Cap the product just past the int range so it cannot overflow: a bigger count
            // never matches an array length, and a later zero is caught by `empty`.
            numel = Math.min(numel * size, Integer.MAX_VALUE + 1L);
        }
        numel = empty ? 0 : numel;
        if (numel != valueCount) {
            String count = numel > Integer.MAX_VALUE ? "over " + Integer.MAX_VALUE
                    : String.valueOf(numel);
            throw new IllegalArgumentException("got " + valueCount + " values but shape "
                    + Arrays.toString(shape) + " has " + count + " elements");
        }
        return numel;
    }

    /** Python's str(tuple): "(0, 3)", "(2, 0, 5)". Never called with one dimension. */
    private static String tuple(int[] shape) {
        StringBuilder out = new StringBuilder("(");
        for (int d = 0; d < shape.length; d++) {
            out.append(d == 0 ? "" : ", ").append(shape[d]);
        }
        return out.append(')').toString();
    }

    private static String withSuffixes(String head, List<String> suffixes) {
        StringBuilder out = new StringBuilder(head);
        // PyTorch measures the last line as len - rfind('\n') + 1, two more than its true length
        // with or without a newline (rfind gives -1); the quirk decides where suffixes wrap.
        int lastLineLength = head.length() - head.lastIndexOf('\n') + 1;
        for (String suffix : suffixes) {
            if (lastLineLength + suffix.length() + 2 > LINE_WIDTH) {
                out.append(",\n").append(" ".repeat(INDENT)).append(suffix);
                lastLineLength = INDENT + suffix.length();
            } else {
                out.append(", ").append(suffix);
                lastLineLength += suffix.length() + 2;
            }
        }
        return out.append(')').toString();
    }

    /** Whether dimension {@code size} is cut to its edges, with an ellipsis in between. */
    private static boolean isCut(int size, boolean summarize) {
        return summarize && size > 2 * EDGE_ITEMS;
    }

    /** The indices shown along a dimension, in order. */
    private static int[] shownIndices(int size, boolean summarize) {
        if (!isCut(size, summarize)) {
            int[] all = new int[size];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int[] edges = new int[2 * EDGE_ITEMS];
        for (int i = 0; i < EDGE_ITEMS; i++) {
            edges[i] = i;
            edges[EDGE_ITEMS + i] = size - EDGE_ITEMS + i;
        }
        return edges;
    }

    /** Walks the shown elements in row-major order and renders them into nested brackets. */
    private static final class Printer {
        private final float[] values;
        private final int base;
        private final int[] shape;
        private final int[] strides;
        private final boolean summarize;
        private final ElementFormat format;
        private final StringBuilder out = new StringBuilder();

        Printer(float[] values, int base, int[] shape, int[] strides, boolean isBool, boolean summarize) {
            this.values = values;
            this.base = base;
            this.shape = shape;
            this.strides = strides;
            this.summarize = summarize;
            this.format = ElementFormat.choose(shownValues(), isBool);
        }

        String print() {
            if (shape.length == 0) {
                return format.format(values[base]);
            }
            appendDimension(0, base, INDENT);
            return out.toString();
        }

        private float[] shownValues() {
            int count = 1;
            for (int size : shape) {
                count *= isCut(size, summarize) ? 2 * EDGE_ITEMS : size;
            }
            float[] shown = new float[count];
            collect(0, base, shown, 0);
            return shown;
        }

        /** Copies the shown elements under {@code offset} from dimension {@code dim} on. */
        private int collect(int dim, int offset, float[] shown, int next) {
            if (dim == shape.length) {
                shown[next] = values[offset];
                return next + 1;
            }
            for (int i : shownIndices(shape[dim], summarize)) {
                next = collect(dim + 1, offset + i * strides[dim], shown, next);
            }
            return next;
        }

        private void appendDimension(int dim, int offset, int indent) {
            if (dim == shape.length - 1) {
                appendRow(offset, indent);
                return;
            }
            // Slices of a k-d tensor are separated by k-1 newlines, then aligned past the '['.
            String separator = "," + "\n".repeat(shape.length - dim - 1) + " ".repeat(indent + 1);
            int[] shown = shownIndices(shape[dim], summarize);
            out.append('[');
            for (int k = 0; k < shown.length; k++) {
                if (k > 0) {
                    out.append(separator);
                }
                if (k == EDGE_ITEMS && isCut(shape[dim], summarize)) {
                    out.append("...").append(separator);
                }
                appendDimension(dim + 1, offset + shown[k] * strides[dim], indent + 1);
            }
            out.append(']');
        }

        private void appendRow(int offset, int indent) {
            int size = shape[shape.length - 1];
            int[] shown = shownIndices(size, summarize);
            List<String> items = new ArrayList<>(shown.length + 1);
            for (int k = 0; k < shown.length; k++) {
                if (k == EDGE_ITEMS && isCut(size, summarize)) {
                    items.add(" ...");
                }
                items.add(format.format(values[offset + shown[k] * strides[shape.length - 1]]));
            }
            // Every item counts as width + 2 for its ", ", even the ellipsis.
            int perLine = Math.max(1, Math.floorDiv(LINE_WIDTH - indent, format.width() + 2));
            String lineBreak = ",\n" + " ".repeat(indent + 1);
            out.append('[');
            for (int k = 0; k < items.size(); k++) {
                if (k > 0) {
                    out.append(k % perLine == 0 ? lineBreak : ", ");
                }
                out.append(items.get(k));
            }
            out.append(']');
        }
    }

    /** How PyTorch's _Formatter writes elements. */
    private enum Style { BOOL, INTEGER, FIXED, SCIENTIFIC }

    /** One element style and the common width every element is right-aligned to. */
    private record ElementFormat(Style style, int width) {

        static ElementFormat choose(float[] shown, boolean isBool) {
            if (isBool) {
                int width = 1;
                for (float value : shown) {
                    width = Math.max(width, value != 0 ? 4 : 5);
                }
                return new ElementFormat(Style.BOOL, width);
            }
            Style style = chooseStyle(shown);
            // NOTE: only non-zero finite values set the width; zeros and nan/inf can be wider
            // (an integer-style "-0." or "nan" in "tensor([1., nan])") and then stick out.
            int width = 1;
            for (float value : shown) {
                if (Float.isFinite(value) && value != 0) {
                    width = Math.max(width, plain(style, value).length());
                }
            }
            return new ElementFormat(style, width);
        }

        private static Style chooseStyle(float[] shown) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            boolean integral = true;
            for (float value : shown) {
                if (Float.isFinite(value) && value != 0) {
                    double magnitude = Math.abs((double) value);
                    min = Math.min(min, magnitude);
                    max = Math.max(max, magnitude);
                    integral &= value == Math.ceil(value);
                }
            }
            if (max == 0) {
                return Style.INTEGER;
            }
            // NOTE: the ratio and thresholds are compared in double, after widening each
            // float32 magnitude exactly, as PyTorch does; 1e-4f itself is below 1.0e-4.
            boolean wide = max / min > 1000.0 || max > 1.0e8;
            if (integral) {
                return wide ? Style.SCIENTIFIC : Style.INTEGER;
            }
            return wide || min < 1.0e-4 ? Style.SCIENTIFIC : Style.FIXED;
        }

        String format(float value) {
            String text = plain(style, value);
            return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
        }

        private static String plain(Style style, float value) {
            if (style == Style.BOOL) {
                return value != 0 ? "True" : "False";
            }
            if (Float.isNaN(value)) {
                return "nan";
            }
            if (Float.isInfinite(value)) {
                return value > 0 ? "inf" : "-inf";
            }
            return switch (style) {
                case INTEGER -> fixed(value, 0) + ".";
                case FIXED -> fixed(value, PRECISION);
                default -> scientific(value);
            };
        }
    }

    /**
     * Python's {@code '{:.Nf}'.format(value)}.
     *
     * <p>NOTE: Python rounds the exact binary value half-to-even (1.03125 gives "1.0312"),
     * whereas {@code String.format} rounds the shortest decimal half-up; {@code new
     * BigDecimal(double)} is exact, so HALF_EVEN on it matches. The sign is kept even when the
     * digits round to zero ("-0.0000"), as in Python.
     */
    private static String fixed(float value, int decimals) {
        BigDecimal magnitude = new BigDecimal(Math.abs((double) value))
                .setScale(decimals, RoundingMode.HALF_EVEN);
        return sign(value) + magnitude.toPlainString();
    }

    /**
     * Python's {@code '{:.4e}'.format(value)}: five significant digits, exact half-even
     * rounding as in {@link #fixed}, and an exponent of at least two digits ("1.0240e+02").
     */
    private static String scientific(float value) {
        String digits = "0".repeat(PRECISION + 1);
        int exponent = 0;
        if (value != 0) {
            // NOTE: rounding can carry into a new digit (9.99995e5 -> 1.0000e+06); the exponent
            // is read off the rounded value so the carry is accounted for.
            BigDecimal rounded = new BigDecimal(Math.abs((double) value)).round(SIGNIFICANT);
            String unscaled = rounded.unscaledValue().toString();
            exponent = unscaled.length() - 1 - rounded.scale();
            digits = (unscaled + digits).substring(0, PRECISION + 1);
        }
        String exponentDigits = String.valueOf(Math.abs(exponent));
        return sign(value) + digits.charAt(0) + "." + digits.substring(1)
                + (exponent < 0 ? "e-" : "e+")
                + (exponentDigits.length() < 2 ? "0" : "") + exponentDigits;
    }

    /** "-" for negative values including -0.0, whose sign Python prints. */
    private static String sign(float value) {
        return Float.floatToRawIntBits(value) < 0 ? "-" : "";
    }
}
