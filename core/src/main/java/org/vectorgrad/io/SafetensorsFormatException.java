package org.vectorgrad.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file (or checkpoint) that is malformed or does not fit what it is loaded into. */
public final class SafetensorsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final Path file;

    public SafetensorsFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public SafetensorsFormatException(Path file, String problem, Throwable cause) {
        this(file, problem);
        initCause(cause);
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
