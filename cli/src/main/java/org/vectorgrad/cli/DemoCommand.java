package org.vectorgrad.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Replays the seed notebooks and prints every cell's result as PyTorch printed it. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Replay the PyTorch seed notebooks (../shared/seeds) with Vectorgrad.")
final class DemoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        replay(System.out);
        return 0;
    }

    static void replay(PrintStream out) {
        for (Notebook notebook : Notebook.all()) {
            out.println("=== seed " + notebook.seedFile());
            for (Cell cell : notebook.cells()) {
                out.println("In [" + cell.label() + "]: " + cell.anchor().strip().replace("\n", " ⏎ "));
                out.println(cell.run().get());
                out.println();
            }
        }
    }
}
