package org.vectorgrad.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files all-or-nothing: into a temporary file beside the target, flushed to disk, then
 * renamed over it. A full disk or an exception while writing leaves the previous file (if any) as
 * it was and no temporary file behind.
 *
 * <p>A killed process cannot delete its temporary file, so each write first removes stale ones
 * left by earlier writes of the same target (see {@code StaleTempFiles}): the temporary file is
 * named {@code .<target>.<pid>.<random>.tmp} after the writing process.
 */
public final class AtomicFiles {
    /** Writes a file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code file} through {@code content}; on any exception the previous file is untouched.
     */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        StaleTempFiles.delete(dir, file.getFileName().toString());
        Path temp = Files.createTempFile(dir, StaleTempFiles.prefix(file.getFileName().toString()), ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                channel.force(true);
            }
            keepOrDefaultPermissions(temp, file);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot write " + file + " atomically: its file system has no atomic rename", e);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Temporary files are private (rw-------); the result gets the old file's mode, or rw-r--r--. */
    private static void keepOrDefaultPermissions(Path temp, Path file) throws IOException {
        if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        Set<PosixFilePermission> mode = Files.exists(file) ? Files.getPosixFilePermissions(file)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(temp, mode);
    }
}
