package org.vectorgrad.simd;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Chooses the process-wide {@link Kernels}: the Vector API implementation when the
 * {@code jdk.incubator.vector} module is readable and C2 compiles it, else the scalar reference
 * with one warning through {@link System.Logger} {@code org.vectorgrad}. The system property {@code vectorgrad.kernels} ({@code auto},
 * {@code vector}, {@code scalar}) forces a choice for tests and benchmarks.
 */
public final class KernelProvider {
    /** The system property that forces an implementation. */
    public static final String PROPERTY = "vectorgrad.kernels";
    private static final String VECTOR_CLASS = "org.vectorgrad.simd.VectorKernels";
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    private KernelProvider() {
    }

    private static final class Holder {
        static final Kernels INSTANCE = named(System.getProperty(PROPERTY, "auto"));
    }

    /** The kernels every tensor operation uses. */
    public static Kernels kernels() {
        return Holder.INSTANCE;
    }

    /**
     * A new instance of the implementation named {@code auto}, {@code vector} or {@code scalar}
     * (as the system property takes), for benchmarks and tools that compare implementations.
     */
    public static Kernels named(String requested) {
        switch (requested.toLowerCase(Locale.ROOT)) {
            case "scalar":
                return new ScalarKernels();
            case "vector":
                if (!vectorModulePresent()) {
                    throw new IllegalStateException(PROPERTY + "=vector but module " + VECTOR_MODULE
                            + " is not available: run java with --add-modules " + VECTOR_MODULE);
                }
                return loadVectorKernels();
            case "auto":
                return autoSelect();
            default:
                throw new IllegalArgumentException(PROPERTY + " must be auto, vector or scalar, got '"
                        + requested + "'");
        }
    }

    private static Kernels autoSelect() {
        if (!vectorModulePresent()) {
            warn("module " + VECTOR_MODULE + " is not available; run java with --add-modules "
                    + VECTOR_MODULE);
            return new ScalarKernels();
        }
        if (!c2Enabled()) {
            warn("the C2 compiler is off (-Xint or -XX:TieredStopAtLevel<4), which makes the Vector"
                    + " API slower than scalar code; run java without those flags");
            return new ScalarKernels();
        }
        try {
            return loadVectorKernels();
        } catch (IllegalStateException | LinkageError e) {
            warn("the Vector API kernels failed to load (" + e + ")");
            return new ScalarKernels();
        }
    }

    // NOTE: a library must not write to the console; the embedding application routes
    // System.Logger (java.util.logging by default, or its own backend) wherever it logs.
    private static void warn(String reason) {
        System.getLogger("org.vectorgrad").log(System.Logger.Level.WARNING,
                "Vectorgrad uses its scalar kernels (5-25x slower): " + reason + ".");
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    // NOTE: VectorKernels is loaded reflectively so that this class, and everything that uses
    // Kernels, links on a JVM where jdk.incubator.vector is absent.
    private static Kernels loadVectorKernels() {
        try {
            return (Kernels) Class.forName(VECTOR_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + VECTOR_CLASS, e);
        }
    }

    static boolean c2Enabled() {
        if (System.getProperty("java.vm.info", "").contains("interpreted mode")) {
            return false;
        }
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            boolean tiered = Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue());
            int stopLevel = Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue());
            return !tiered || stopLevel >= 4;
        } catch (RuntimeException | LinkageError notHotSpot) {
            return true;
        }
    }
}
