package org.vectorgrad.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.vectorgrad.Parallelism;
import org.vectorgrad.simd.KernelProvider;

/** The facts a benchmark result is meaningless without: CPU, cores, memory, OS, JDK, kernels. */
final class Machine {
    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    private Machine() {
    }

    /** This JVM's machine, as ordered label/value pairs. */
    static Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("CPU", cpuModel(readCpuInfo()));
        facts.put("cores", Runtime.getRuntime().availableProcessors() + " available to the JVM (default kernel threads "
                + Parallelism.threads() + ")");
        facts.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        facts.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        facts.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name") + " "
                + System.getProperty("java.runtime.version"));
        facts.put("kernels", KernelProvider.kernels().name());
        return facts;
    }

    /** The first {@code model name} of a /proc/cpuinfo text, or "unknown". */
    static String cpuModel(List<String> cpuInfoLines) {
        for (String line : cpuInfoLines) {
            int colon = line.indexOf(':');
            if (line.startsWith("model name") && colon >= 0) {
                return line.substring(colon + 1).strip();
            }
        }
        return "unknown";
    }

    private static List<String> readCpuInfo() {
        try (Stream<String> lines = Files.lines(CPU_INFO)) {
            return lines.toList();
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }
}
