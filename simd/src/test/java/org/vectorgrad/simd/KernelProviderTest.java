package org.vectorgrad.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The choice of kernels: in this JVM (which has the vector module) and, for the automatic choice,
 * in child JVMs started with and without {@code --add-modules jdk.incubator.vector} and with C2
 * off, each running {@link PrintKernels}.
 */
final class KernelProviderTest {
    private static final String MODULE_FLAG = "--add-modules jdk.incubator.vector";

    @TempDir
    Path temp;

    @Test
    void namedImplementationsAreChosen() {
        assertInstanceOf(ScalarKernels.class, KernelProvider.named("scalar"));
        assertInstanceOf(ScalarKernels.class, KernelProvider.named("SCALAR"));
        assertInstanceOf(VectorKernels.class, KernelProvider.named("vector"));
        assertInstanceOf(VectorKernels.class, KernelProvider.named("vector"));
        assertEquals("scalar", KernelProvider.named("scalar").name());
    }

    @Test
    void anUnknownNameIsRejectedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelProvider.named("bogus"));
        assertTrue(e.getMessage().contains("'bogus'"), e.getMessage());
        assertTrue(e.getMessage().contains(KernelProvider.PROPERTY), e.getMessage());
    }

    @Test
    void withoutTheModuleTheScalarKernelsAreUsedWithOneLoggedWarningNamingTheFlag() throws Exception {
        Result result = run(List.of());
        assertEquals(0, result.exit, result.toString());
        assertEquals(List.of("scalar"), result.out, "nothing of ours on stdout: " + result);
        assertEquals(1, vectorgradWarnings(result), "exactly one warning: " + result);
        String warning = result.err.stream().filter(line -> line.contains("Vectorgrad")).findFirst().orElseThrow();
        assertTrue(warning.startsWith("WARNING") && warning.contains(MODULE_FLAG), result.toString());
    }

    @Test
    void withTheModuleTheVectorKernelsAreUsedWithoutWarning() throws Exception {
        Result result = run(List.of("--add-modules", "jdk.incubator.vector"));
        assertEquals(0, result.exit, result.toString());
        assertEquals(1, result.out.size(), result.toString());
        assertTrue(result.out.get(0).startsWith("vector-"), result.toString());
        assertEquals(0, vectorgradWarnings(result), result.toString());
    }

    @Test
    void withoutC2TheScalarKernelsAreUsedWithOneWarning() throws Exception {
        Result result = run(List.of("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1"));
        assertEquals(0, result.exit, result.toString());
        assertEquals(List.of("scalar"), result.out, result.toString());
        assertEquals(1, vectorgradWarnings(result), result.toString());
        assertTrue(result.err.stream().anyMatch(line -> line.contains("C2")), result.toString());
    }

    @Test
    void thePropertyForcesAChoice() throws Exception {
        Result scalar = run(List.of("--add-modules", "jdk.incubator.vector", "-D" + KernelProvider.PROPERTY + "=scalar"));
        assertEquals(List.of("scalar"), scalar.out, scalar.toString());
        assertEquals(0, vectorgradWarnings(scalar), scalar.toString());
        Result vector = run(List.of("-D" + KernelProvider.PROPERTY + "=vector"));
        assertNotEquals(0, vector.exit, vector.toString());
        assertTrue(String.join("\n", vector.err).contains(MODULE_FLAG), vector.toString());
    }

    // The JVM's own "Using incubator modules" warning is not ours.
    private static long vectorgradWarnings(Result result) {
        return result.err.stream().filter(line -> line.contains("Vectorgrad")).count();
    }

    private Result run(List<String> jvmOptions) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(PrintKernels.class.getName());
        Path out = Files.createTempFile(temp, "out", ".txt");
        Path err = Files.createTempFile(temp, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        // options from the environment would add their own "Picked up ..." lines and flags
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
        Process process = builder.start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + command);
        }
        return new Result(process.exitValue(), lines(out), lines(err));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> !line.isBlank()).toList();
    }

    private record Result(int exit, List<String> out, List<String> err) {
    }
}
