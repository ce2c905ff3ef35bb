package org.vectorgrad.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.vectorgrad.io.Safetensors;

/**
 * Reads a file in a child JVM with a 64 MB heap and reports what came of it. A reader that
 * allocates what a corrupt header claims before reading fails there with an OutOfMemoryError,
 * whatever heap the test JVM itself has, so the regression tests do not depend on the machine.
 */
public final class SmallHeap {
    private SmallHeap() {
    }

    /** Child side: {@code idx|safetensors FILE}; prints "ok", or the exception's class and message. */
    public static void main(String[] args) {
        try {
            Path file = Path.of(args[1]);
            if (args[0].equals("idx")) {
                IdxReader.read(file);
            } else {
                Safetensors.read(file);
            }
            System.out.println("ok");
        } catch (Throwable e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /** The child's one line of output for {@code kind} ("idx" or "safetensors") and {@code file}. */
    public static String read(String kind, Path file, Path scratch) throws IOException, InterruptedException {
        Path out = Files.createTempFile(scratch, "child", ".out");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                SmallHeap.class.getName(), kind, file.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + command);
        }
        return String.join("\n", Files.readAllLines(out, StandardCharsets.UTF_8)).strip();
    }
}
