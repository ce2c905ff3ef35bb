package org.vectorgrad.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.vectorgrad.Fixtures;

/**
 * {@code ./vectorgrad demo} must print, for every seed cell with a printed result, exactly the
 * text PyTorch printed in the seed notebook. The demo runs once; its output is split per cell and
 * each block must appear in the seed right after that cell's code, as a whole output block.
 */
class SeedNotebooksTest {
    /** Colab replaced this message by "ignored"; PyTorch's own text is printed in seed 003. */
    private static final String COLAB_REDACTED = "RuntimeError: ignored";
    private static final String SCALAR_ONLY = "RuntimeError: grad can be implicitly created only for scalar outputs";

    @TestFactory
    Stream<DynamicTest> demoPrintsWhatPyTorchPrinted() {
        List<String> blocks = demoBlocks();
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        for (Notebook notebook : Notebook.all()) {
            String seed = seedText(notebook.seedFile());
            for (Cell cell : notebook.cells()) {
                String printed = i < blocks.size() ? blocks.get(i) : "<missing from the demo output>";
                i++;
                String name = notebook.seedFile() + " In [" + cell.label() + "] " + cell.anchor().strip();
                tests.add(DynamicTest.dynamicTest(name, () -> assertSeedPrinted(seed, cell, printed)));
            }
        }
        assertEquals(i, blocks.size(), "demo printed a different number of cells than the notebooks have");
        return tests.stream();
    }

    @Test
    void bundledSeedsAreTheSharedSeeds() throws IOException {
        Path shared = Path.of("../../shared/seeds");
        if (!Files.isDirectory(shared)) {
            return;
        }
        for (Notebook notebook : Notebook.all()) {
            assertEquals(Files.readString(shared.resolve(notebook.seedFile())), seedText(notebook.seedFile()),
                    "cli/src/test/resources/seeds is out of date with ../shared/seeds");
        }
    }

    @Test
    void colabRedactionStandsForPyTorchsScalarOutputMessage() {
        assertTrue(seedText("003_cfd4c5bf62d5f59e.txt").contains("L.backward()\n\n" + SCALAR_ONLY + "\n"));
    }

    /** The demo's output cut into one block per cell (header line and trailing blank lines removed). */
    private static List<String> demoBlocks() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DemoCommand.replay(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (line.startsWith("In [") || line.startsWith("=== seed ")) {
                addBlock(blocks, block);
                block = line.startsWith("In [") ? new StringBuilder() : null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        addBlock(blocks, block);
        return blocks;
    }

    private static void addBlock(List<String> blocks, StringBuilder block) {
        if (block != null) {
            // Cell outputs never end in a newline; the demo adds one and a blank separator line.
            blocks.add(block.toString().replaceAll("\n+$", ""));
        }
    }

    private static void assertSeedPrinted(String seed, Cell cell, String printed) {
        String body = normalize(cellBody(seed, cell));
        if (printed.isEmpty()) {
            // A silent cell (an assignment, a training step): the seed has the code; prose follows it.
            return;
        }
        if (body.contains("\n\n" + COLAB_REDACTED + "\n")) {
            assertEquals(SCALAR_ONLY, printed);
            return;
        }
        String block = "\n\n" + normalize(printed);
        int at = body.indexOf(block);
        assertTrue(at >= 0 && endsBlock(body, at + block.length()),
                () -> "the seed cell shows:\n" + body + "\n--- but Vectorgrad printed:\n" + printed);
    }

    /** The text of the cell labelled {@code In [label]:} whose code contains the anchor. */
    private static String cellBody(String seed, Cell cell) {
        String header = "In [" + cell.label() + "]:\n";
        for (int start = seed.indexOf(header); start >= 0; start = seed.indexOf(header, start + 1)) {
            int next = seed.indexOf("\nIn [", start + header.length());
            String body = seed.substring(start, next < 0 ? seed.length() : next);
            int anchor = body.indexOf(cell.anchor());
            if (anchor >= 0) {
                return body.substring(anchor);
            }
        }
        throw new AssertionError("no cell " + header.strip() + " containing: " + cell.anchor());
    }

    private static boolean endsBlock(String text, int end) {
        return text.startsWith("\n\n", end) || text.substring(end).isBlank();
    }

    /** Object addresses differ between runs: {@code 0x7f3a...} compares as {@code 0x…}. */
    private static String normalize(String text) {
        return text.replaceAll("0x[0-9a-fA-F]+", "0x…");
    }

    private static String seedText(String file) {
        return Fixtures.text("/seeds/" + file);
    }
}
