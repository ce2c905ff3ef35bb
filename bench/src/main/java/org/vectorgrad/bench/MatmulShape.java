package org.vectorgrad.bench;

/**
 * The operand shapes of one matrix product A(m×k)·B(k×n), written as a benchmark parameter:
 * {@code "1024"} for square 1024×1024 operands, or {@code "64x784x256"} for m×k·k×n.
 */
record MatmulShape(int m, int k, int n) {

    MatmulShape {
        if (m <= 0 || k <= 0 || n <= 0) {
            throw new IllegalArgumentException("matmul dimensions must be positive, got m=" + m + " k=" + k + " n=" + n);
        }
    }

    static MatmulShape parse(String text) {
        String[] parts = text.strip().split("x");
        try {
            if (parts.length == 1) {
                int size = Integer.parseInt(parts[0]);
                return new MatmulShape(size, size, size);
            }
            if (parts.length == 3) {
                return new MatmulShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]));
            }
        } catch (NumberFormatException e) {
            // falls through to the message below, which names the accepted spellings
        }
        throw new IllegalArgumentException("matmul shape must be N or MxKxN (e.g. 1024 or 64x784x256), got '" + text + "'");
    }

    /** Floating-point operations of the product: one multiply and one add per term. */
    double flops() {
        return 2.0 * m * k * n;
    }

    /** The product as it reads in a table, e.g. {@code 64x784·784x256}. */
    String label() {
        return m + "x" + k + "·" + k + "x" + n;
    }
}
