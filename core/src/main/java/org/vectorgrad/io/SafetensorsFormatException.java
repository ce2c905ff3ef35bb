package org.vectorgrad.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Safetensors data (a file, bytes or a stream) or a checkpoint that is malformed or does not fit
 * what it is loaded into. The message starts with the source: the file, {@code <bytes>} or
 * {@code <stream ClassName>}.
 */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public SafetensorsFormatException(Path file, String problem) {
        this(String.valueOf(file), file, problem);
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        this(file, problem);
        initCause(cause);
    }

    private SafetensorsFormatException(String source, Path file, String problem) {
        super(source + ": " + problem);
        this.file = file;
    }

    /** A problem with input that is not a file ({@code file()} is then null). */
    static SafetensorsFormatException of(String source, Path file, String problem, Throwable cause) {
        SafetensorsFormatException e = new SafetensorsFormatException(source, file, problem);
        return cause == null ? e : (SafetensorsFormatException) e.initCause(cause);
    }

    /** The offending file; null when the input was bytes or a stream. */
    public Path file() {
        return file;
    }
}
