package org.vectorgrad.data;

import java.io.IOException;
import java.nio.file.Path;

/** A dataset file that is not what it should be; the message names the file and the byte offset. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final long offset;

    IdxFormatException(Path file, long offset, String problem) {
        super(file + ": " + problem + " (at byte offset " + offset + location(file) + ")");
        this.file = file;
        this.offset = offset;
    }

    IdxFormatException(Path file, long offset, String problem, Throwable cause) {
        this(file, offset, problem);
        initCause(cause);
    }

    /** The offending file. */
    public Path file() {
        return file;
    }

    /** Where the problem is, counted in the IDX content (after gzip decompression, if any). */
    public long offset() {
        return offset;
    }

    private static String location(Path file) {
        return file.getFileName() != null && file.getFileName().toString().endsWith(".gz")
                ? " of the decompressed content" : "";
    }
}
