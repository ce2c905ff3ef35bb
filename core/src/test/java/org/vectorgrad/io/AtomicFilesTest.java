package org.vectorgrad.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vectorgrad.Tensor;

/** Temporary files left by killed writers are cleaned on the next save of the same target, and only those. */
class AtomicFilesTest {
    /** Above any pid_max, so no process has it. */
    private static final long DEAD_PID = 999_999_999_999L;

    @TempDir
    Path dir;

    /** Child side: starts writing {@code args[0]}, says so, then hangs until killed. */
    public static void main(String[] args) throws IOException {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1000]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Test
    void aWriterKilledMidSaveLeavesATempFileThatTheNextSaveRemoves() throws Exception {
        Path target = dir.resolve("cnn.safetensors");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AtomicFilesTest.class.getName(), target.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not die");
        }
        List<Path> left = temps();
        assertEquals(1, left.size(), "the killed writer's temp file: " + left);
        assertTrue(left.get(0).getFileName().toString().startsWith(".cnn.safetensors." + child.pid() + "."), left.toString());
        age(left.get(0), StaleTempFiles.QUIET.plusSeconds(5));

        Safetensors.write(target, Map.of("x", Tensor.of(1f)), Map.of());
        assertEquals(List.of(), temps());
        assertEquals(1f, Safetensors.read(target).tensors().get("x").item());
    }

    @Test
    void onlyStaleTempFilesOfTheSameTargetNamedOurWayAreDeleted() throws IOException {
        long self = ProcessHandle.current().pid();
        Path deadAndQuiet = temp(".m.safetensors." + DEAD_PID + ".1.tmp", StaleTempFiles.QUIET.plusSeconds(5));
        Path abandoned = temp(".m.safetensors." + self + ".2.tmp", StaleTempFiles.ABANDONED.plusMinutes(1));
        List<Path> kept = List.of(
                temp(".m.safetensors." + DEAD_PID + ".3.tmp", Duration.ZERO),            // still being written?
                temp(".m.safetensors." + self + ".4.tmp", Duration.ofHours(1)),          // a live writer
                temp(".other.safetensors." + DEAD_PID + ".5.tmp", Duration.ofDays(2)),   // another target
                temp(".m.safetensors.x" + DEAD_PID + ".6.tmp", Duration.ofDays(2)),      // not our naming
                temp(".m.safetensors123.tmp", Duration.ofDays(2)),                        // older naming, no pid
                temp("m.safetensors." + DEAD_PID + ".7.tmp", Duration.ofDays(2)),         // not hidden
                temp(".m.safetensors." + DEAD_PID + ".8.tmp.bak", Duration.ofDays(2)));
        Files.createDirectory(dir.resolve(".m.safetensors." + DEAD_PID + ".9.tmp"));
        Safetensors.write(dir.resolve("m.safetensors"), Map.of("x", Tensor.of(2f)), Map.of());
        assertTrue(Files.notExists(deadAndQuiet));
        assertTrue(Files.notExists(abandoned));
        TreeSet<Path> expected = new TreeSet<>(kept);
        expected.add(dir.resolve("m.safetensors"));
        expected.add(dir.resolve(".m.safetensors." + DEAD_PID + ".9.tmp"));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(expected, new TreeSet<>(files.toList()));
        }
    }

    private Path temp(String name, Duration age) throws IOException {
        return age(Files.write(dir.resolve(name), new byte[] {1}), age);
    }

    private static Path age(Path file, Duration age) throws IOException {
        return Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
    }

    private List<Path> temps() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
