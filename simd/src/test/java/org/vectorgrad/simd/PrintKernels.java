package org.vectorgrad.simd;

/** Prints the name of the kernels {@link KernelProvider} picks: run in a child JVM by {@code KernelProviderTest}. */
public final class PrintKernels {
    private PrintKernels() {
    }

    public static void main(String[] args) {
        System.out.println(KernelProvider.kernels().name());
    }
}
