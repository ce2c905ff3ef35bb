package org.vectorgrad.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deletes the temporary files that {@link AtomicFiles} leaves behind when its process is killed
 * mid-write. Only files of the same target named exactly as AtomicFiles names them,
 * {@code .<target>.<pid>.<random digits>.tmp}, are considered, and one is stale when
 * <ul>
 * <li>no live process on this machine has its pid and it has not been modified for {@link #QUIET}:
 *     the grace period spares a writer in another pid namespace (a container sharing the
 *     directory), whose file is still growing; or</li>
 * <li>it has not been modified for {@link #ABANDONED}, whatever its pid: the pid may have been
 *     reused by an unrelated process since the writer died.</li>
 * </ul>
 * A live writer of this machine, including another thread of this process, is never disturbed.
 * Cleaning is best effort: a file that cannot be inspected or deleted (or that another writer
 * removes first) is left alone and never fails the write.
 */
final class StaleTempFiles {
    static final Duration QUIET = Duration.ofMinutes(1);
    static final Duration ABANDONED = Duration.ofHours(24);
    private static final String SUFFIX = ".tmp";

    private StaleTempFiles() {
    }

    /** The temporary-file prefix for {@code target} written by this process (createTempFile adds the digits). */
    static String prefix(String target) {
        return "." + target + "." + ProcessHandle.current().pid() + ".";
    }

    /** Deletes the stale temporary files of {@code target} in {@code dir}; returns how many. */
    static int delete(Path dir, String target) {
        Pattern ours = Pattern.compile("\\." + Pattern.quote(target) + "\\.(\\d{1,18})\\.\\d+" + Pattern.quote(SUFFIX));
        Instant now = Instant.now();
        int deleted = 0;
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(dir,
                p -> ours.matcher(p.getFileName().toString()).matches())) {
            for (Path candidate : candidates) {
                Matcher name = ours.matcher(candidate.getFileName().toString());
                if (name.matches() && isStale(candidate, Long.parseLong(name.group(1)), now)
                        && Files.deleteIfExists(candidate)) {
                    deleted++;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Best effort (see the class comment): leftovers must not make the write itself fail.
        }
        return deleted;
    }

    private static boolean isStale(Path file, long pid, Instant now) throws IOException {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        Duration quiet = Duration.between(Files.getLastModifiedTime(file).toInstant(), now);
        boolean writerAlive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        return quiet.compareTo(ABANDONED) >= 0 || (!writerAlive && quiet.compareTo(QUIET) >= 0);
    }
}
