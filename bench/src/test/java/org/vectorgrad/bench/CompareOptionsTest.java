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
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompareOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
