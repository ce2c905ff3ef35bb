package org.vectorgrad.cli;

import java.util.function.Supplier;

/**
 * One notebook cell with a printed result: its label ({@code "4"} for {@code In [4]:}), a line of
 * its Python code that locates it in the seed, and the Java that reproduces its output.
 */
record Cell(String label, String anchor, Supplier<String> run) {
}
