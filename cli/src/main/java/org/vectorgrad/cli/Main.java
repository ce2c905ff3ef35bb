package org.vectorgrad.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vectorgrad} command line. */
@Command(name = "vectorgrad", mixinStandardHelpOptions = true, version = "Vectorgrad 0.1.0",
        description = "Pure-Java CPU tensors with PyTorch-style autograd.",
        subcommands = {TrainCommand.class, DemoCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
