package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareOptionsTest {

    @Test
    void defaultsRunTheComparableFamiliesAlone() {
        CompareOptions options = CompareOptions.parse();
        assertFalse(options.compare());
        assertFalse(options.quick());
        assertEquals(CompareOptions.DEFAULT_FILTER, options.filter());
        assertEquals(Path.of("jmh-results"), options.resultsDir());
        assertEquals("/usr/bin/python3", options.python());
        assertEquals("2026-11-23", options.filePrefix("2026-11-23"));
        assertEquals("./vectorgrad bench", options.commandLine());
        assertEquals(1, options.rounds());
        assertEquals("2026-11-23", options.roundPrefix("2026-11-23", 1));
    }

    @Test
    void roundsAlternateAndNameTheirFiles() {
        CompareOptions options = CompareOptions.parse("--compare", "--rounds", "3", "--filter", "ConvNetStep");
        assertEquals(3, options.rounds());
        assertEquals("2026-11-23", options.roundPrefix("2026-11-23", 1));
        assertEquals("2026-11-23-r2", options.roundPrefix("2026-11-23", 2));
        assertEquals("./vectorgrad bench --compare --filter 'ConvNetStep' --rounds 3", options.commandLine());
    }

    @Test
    void flagsAndValuesAreRead() {
        CompareOptions options = CompareOptions.parse("--compare", "--quick", "--filter", "Matmul",
                "--results", "/tmp/out", "--torch-script", "t.py", "--python", "python3");
        assertTrue(options.compare());
        assertTrue(options.quick());
        assertEquals("Matmul", options.filter());
        assertEquals(Path.of("/tmp/out"), options.resultsDir());
        assertEquals(Path.of("t.py"), options.torchScript());
        assertEquals("2026-11-23-quick", options.filePrefix("2026-11-23"));
        assertEquals("./vectorgrad bench --compare --quick --filter 'Matmul'", options.commandLine());
        assertEquals(List.of("python3", "t.py", "--output", "o.json", "--filter", "Matmul", "--quick"),
                TorchProcess.command(options, Path.of("o.json")));
    }

    @Test
    void badCommandLinesAreNamed() {
        assertMessage("unknown option '--fast'", "--fast");
        assertMessage("--filter needs a value", "--filter");
        assertMessage("--filter needs a value", "--filter", "--quick");
        assertMessage("not a valid regular expression", "--filter", "Matmul(");
        assertMessage("--rounds needs a whole number of at least 1, got '0'", "--rounds", "0");
        assertMessage("--rounds needs a whole number of at least 1, got 'two'", "--rounds", "two");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
