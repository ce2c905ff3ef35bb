package org.vectorgrad.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vectorgrad.data.FashionMnist;

/**
 * Makes sure Fashion-MNIST is on disk before training. When Debian's default location is empty
 * and we run as root with apt, it installs {@code dataset-fashion-mnist} (saying so); otherwise it
 * stops with the exact command to run. The environment is injected so tests never run apt.
 */
final class DatasetSetup {
    static final String PACKAGE = "dataset-fashion-mnist";
    static final List<String> INSTALL = List.of("apt-get", "install", "-y", PACKAGE);
    static final List<String> UPDATE = List.of("apt-get", "update");

    /** What the machine offers. */
    interface Environment {
        boolean isRoot();

        boolean hasApt();

        /** Runs a command with inherited input/output; returns its exit code. */
        int run(List<String> command) throws IOException, InterruptedException;
    }

    /** The dataset is not there and was not installed; the message says what to do. */
    static final class DatasetUnavailableException extends Exception {
        private static final long serialVersionUID = 1L;

        DatasetUnavailableException(String message) {
            super(message);
        }
    }

    private DatasetSetup() {
    }

    static void ensure(Path dir, Environment env, PrintStream log) throws DatasetUnavailableException {
        ensure(dir, FashionMnist.DEBIAN_DIR, env, log);
    }

    /** As {@link #ensure(Path, Environment, PrintStream)}, with the package's install location given (for tests). */
    static void ensure(Path dir, Path packageDir, Environment env, PrintStream log) throws DatasetUnavailableException {
        List<String> missing = FashionMnist.missingFiles(dir);
        if (missing.isEmpty()) {
            return;
        }
        if (!dir.toAbsolutePath().normalize().equals(packageDir.toAbsolutePath().normalize())) {
            throw new DatasetUnavailableException("Fashion-MNIST is not in " + dir + " (missing " + String.join(", ", missing)
                    + ", each as .gz or plain IDX). Put the files there, or leave out --data-dir to use Debian's package: "
                    + command(env));
        }
        if (!env.isRoot() || !env.hasApt()) {
            throw new DatasetUnavailableException("Fashion-MNIST is not installed (" + dir + " lacks "
                    + String.join(", ", missing) + "). Install it with:\n  " + command(env)
                    + (env.hasApt() ? "" : "\n(this needs Debian's apt; elsewhere, put the four IDX files in a directory"
                    + " and pass it with --data-dir)"));
        }
        log.println("vectorgrad: Fashion-MNIST is not installed; installing Debian's package: " + String.join(" ", INSTALL));
        boolean installed = runQuietly(env, INSTALL);
        if (!installed) {
            log.println("vectorgrad: the install failed; refreshing the package lists (" + String.join(" ", UPDATE)
                    + ") and trying again");
            installed = runQuietly(env, UPDATE) && runQuietly(env, INSTALL);
        }
        if (!installed || !FashionMnist.isPresent(dir)) {
            throw new DatasetUnavailableException("installing " + PACKAGE + " did not put Fashion-MNIST in " + dir
                    + "; run it yourself to see why:\n  " + String.join(" ", INSTALL));
        }
    }

    /** The exact command a person should run. */
    static String command(Environment env) {
        return (env.isRoot() ? "" : "sudo ") + String.join(" ", INSTALL);
    }

    private static boolean runQuietly(Environment env, List<String> command) {
        try {
            return env.run(command) == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** This machine: root by uid, apt-get by PATH. */
    static Environment system() {
        return new Environment() {
            @Override
            public boolean isRoot() {
                try {
                    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
                } catch (LinkageError | RuntimeException e) {
                    return "root".equals(System.getProperty("user.name"));
                }
            }

            @Override
            public boolean hasApt() {
                String path = System.getenv("PATH");
                if (path == null) {
                    return false;
                }
                for (String dir : path.split(File.pathSeparator)) {
                    if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "apt-get"))) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public int run(List<String> command) throws IOException, InterruptedException {
                return new ProcessBuilder(command).inheritIO().start().waitFor();
            }
        };
    }
}
