package org.vectorgrad.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checks made before {@code vectorgrad train} loads data or trains, so a bad path fails in a
 * second with a sentence instead of after an epoch with a bare path; and the wording of errors.
 */
final class Preflight {
    private Preflight() {
    }

    /** The file {@code --resume} names must be a checkpoint file, not missing or a directory. */
    static void checkResumeFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("--resume: " + file + " is a directory, expected a .safetensors checkpoint");
        }
        if (!Files.exists(file)) {
            throw new IOException("--resume: no checkpoint at " + file);
        }
    }

    /**
     * Creates the output directory and writes (then deletes) a probe file in it; the run's own
     * files must not be directories. Throws what would otherwise surface only at the first save.
     */
    static void checkOutputDir(TrainOptions options) throws IOException {
        Path dir = options.outputDir();
        try {
            Files.createDirectories(dir);
            Files.delete(Files.createTempFile(dir, ".vectorgrad-write-test", ".tmp"));
        } catch (IOException e) {
            throw new IOException("--output-dir " + dir + " cannot be written: " + reason(e), e);
        }
        Path[] files = {options.checkpointFile(), options.historyFile(), options.plotFile()};
        String[] what = {"checkpoint", "history CSV", "curves PNG"};
        for (int i = 0; i < files.length; i++) {
            if (Files.isDirectory(files[i])) {
                throw new IOException("--output-dir " + dir + ": " + files[i] + " is a directory, so the " + what[i]
                        + " cannot be written there");
            }
        }
    }

    /**
     * An exception as one line: file-system exceptions often carry only a path (AccessDenied,
     * NoSuchFile), and some exceptions have no message at all (which printed as "null").
     */
    static String message(Exception e) {
        if (e instanceof FileSystemException fs && fs.getReason() == null) {
            return fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) + ": " + reason(fs);
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof FileAlreadyExistsException fe) {
            return fe.getFile() + " exists and is not a directory";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
