package org.vectorgrad;

/**
 * Double-precision references of the nn primitives, written directly from their definitions with
 * plain loops over {@link Ref} arrays (never calling the library), for {@link NnGradTest}.
 */
final class NnRef {
    private NnRef() {
    }

    /** PyTorch's conv2d on N×C×H×W input, weight O×C×kH×kW, optional bias O. */
    static Ref conv2d(Ref x, Ref w, Ref b, int stride, int pad, int dil) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        int n = xs[0];
        int c = xs[1];
        int h = xs[2];
        int wd = xs[3];
        int o = ws[0];
        int kh = ws[2];
        int kw = ws[3];
        int oh = (h + 2 * pad - dil * (kh - 1) - 1) / stride + 1;
        int ow = (wd + 2 * pad - dil * (kw - 1) - 1) / stride + 1;
        double[] out = new double[n * o * oh * ow];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < o; f++) {
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double acc = b == null ? 0 : b.v()[f];
                        for (int ch = 0; ch < c; ch++) {
                            for (int p = 0; p < kh; p++) {
                                for (int q = 0; q < kw; q++) {
                                    int r = y * stride - pad + p * dil;
                                    int s = z * stride - pad + q * dil;
                                    if (r >= 0 && r < h && s >= 0 && s < wd) {
                                        acc += x.v()[((i * c + ch) * h + r) * wd + s] * w.v()[((f * c + ch) * kh + p) * kw + q];
                                    }
                                }
                            }
                        }
                        out[at++] = acc;
                    }
                }
            }
        }
        return new Ref(new int[] {n, o, oh, ow}, out);
    }

    /** Max (or, with {@code average}, count_include_pad mean) over each k×k window of each plane. */
    static Ref pool2d(Ref x, int k, int stride, int pad, boolean average) {
        int[] xs = x.shape();
        int r = xs.length;
        int h = xs[r - 2];
        int w = xs[r - 1];
        int planes = x.v().length / (h * w);
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        double[] out = new double[planes * oh * ow];
        int at = 0;
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                    double acc = average ? 0 : Double.NEGATIVE_INFINITY;
                    for (int i = y * stride - pad; i < y * stride - pad + k; i++) {
                        for (int j = z * stride - pad; j < z * stride - pad + k; j++) {
                            if (i >= 0 && i < h && j >= 0 && j < w) {
                                double v = x.v()[(p * h + i) * w + j];
                                acc = average ? acc + v : Math.max(acc, v);
                            }
                        }
                    }
                    out[at++] = average ? acc / (k * k) : acc;
                }
            }
        }
        int[] shape = xs.clone();
        shape[r - 2] = oh;
        shape[r - 1] = ow;
        return new Ref(shape, out);
    }

    /** Mean over PyTorch's adaptive windows [⌊i·in/out⌋, ⌈(i+1)·in/out⌉). */
    static Ref adaptiveAvgPool2d(Ref x, int size) {
        int[] xs = x.shape();
        int r = xs.length;
        int h = xs[r - 2];
        int w = xs[r - 1];
        int planes = x.v().length / (h * w);
        double[] out = new double[planes * size * size];
        int at = 0;
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < size; y++) {
                for (int z = 0; z < size; z++) {
                    int h0 = y * h / size;
                    int h1 = ((y + 1) * h + size - 1) / size;
                    int w0 = z * w / size;
                    int w1 = ((z + 1) * w + size - 1) / size;
                    double acc = 0;
                    for (int i = h0; i < h1; i++) {
                        for (int j = w0; j < w1; j++) {
                            acc += x.v()[(p * h + i) * w + j];
                        }
                    }
                    out[at++] = acc / ((h1 - h0) * (w1 - w0));
                }
            }
        }
        int[] shape = xs.clone();
        shape[r - 2] = size;
        shape[r - 1] = size;
        return new Ref(shape, out);
    }

    /**
     * Batch norm over dimension 1: with {@code mean} null, the batch's mean and biased variance;
     * else the given statistics. {@code w} and {@code b} may be null.
     */
    static Ref batchNorm(Ref x, double[] mean, double[] variance, Ref w, Ref b, double eps) {
        int[] xs = x.shape();
        int c = xs[1];
        int inner = x.v().length / (xs[0] * c);
        double[] m = mean != null ? mean : new double[c];
        double[] v = variance != null ? variance : new double[c];
        double count = xs[0] * inner;
        for (int ch = 0; mean == null && ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < x.v().length; i++) {
                sum += (i / inner) % c == ch ? x.v()[i] : 0;
            }
            m[ch] = sum / count;
            double squares = 0;
            for (int i = 0; i < x.v().length; i++) {
                double d = (i / inner) % c == ch ? x.v()[i] - m[ch] : 0;
                squares += d * d;
            }
            v[ch] = squares / count;
        }
        double[] out = new double[x.v().length];
        for (int i = 0; i < out.length; i++) {
            int ch = (i / inner) % c;
            double y = (x.v()[i] - m[ch]) / Math.sqrt(v[ch] + eps);
            out[i] = y * (w == null ? 1 : w.v()[ch]) + (b == null ? 0 : b.v()[ch]);
        }
        return new Ref(xs, out);
    }

    /** Mean over rows of −((1 − ε)·logp[t] + (ε/C)·Σ_c logp[c]) with logp the log-softmax of each row. */
    static Ref crossEntropy(Ref logits, int[] targets, double smoothing) {
        return nll(logits.logSoftmax(1), targets, smoothing);
    }

    static Ref nll(Ref logProbs, int[] targets, double smoothing) {
        int rows = logProbs.shape()[0];
        int classes = logProbs.shape()[1];
        double total = 0;
        for (int i = 0; i < rows; i++) {
            double uniform = 0;
            for (int c = 0; c < classes; c++) {
                uniform += logProbs.v()[i * classes + c];
            }
            total -= (1 - smoothing) * logProbs.v()[i * classes + targets[i]] + smoothing / classes * uniform;
        }
        return Ref.scalar(total / rows);
    }
}
