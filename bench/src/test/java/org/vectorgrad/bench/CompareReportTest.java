package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompareReportTest {
    private static final ComparisonTable TABLE = ComparisonTable.match(
            List.of(new Measurement("org.vectorgrad.bench.ReductionBenchmark.sum", Map.of("size", "16M"), 1, 2e-3)),
            List.of());

    private static Map<String, String> machine() {
        Map<String, String> machine = new LinkedHashMap<>();
        machine.put("CPU", "Test CPU");
        machine.put("JDK", "JDK 25");
        return machine;
    }

    @Test
    void withoutTorchTheReportSaysWhy() {
        String text = CompareReport.markdown("2026-11-23", machine(), null, "not installed; install it with: X",
                "./vectorgrad bench --compare", "Quick.", "`a.json`", TABLE, TABLE);
        assertTrue(text.startsWith("# Vectorgrad vs PyTorch, 2026-11-23\n"), text);
        assertTrue(text.contains("Produced by `./vectorgrad bench --compare`. Quick."), text);
        assertTrue(text.contains("- CPU: Test CPU\n- JDK: JDK 25\n- PyTorch: not installed; install it with: X\n"), text);
        assertTrue(text.contains(TABLE.toMarkdown()), text);
        assertTrue(text.contains(ComparisonTable.RATIO_LEGEND), text);
    }

    @Test
    void withTorchTheReportNamesItsVersionAndBlas() throws Exception {
        ResultFiles.TorchRun torch = ResultFiles.readTorch(ResultFilesTest.resource("torch-sample.json"));
        String text = CompareReport.markdown("2026-11-23", machine(), torch.machine(), "unused",
                "./vectorgrad bench --compare", "", "`a.json`, `b.json`", TABLE, TABLE);
        String line = text.lines().filter(l -> l.startsWith("- PyTorch: ")).findFirst().orElseThrow();
        assertEquals("- PyTorch: 1.13.0a0 (CPU capability AVX2; BLAS openblas-openmp/libopenblasp-r0.3.21.so),"
                + " Python 3.11.2", line);
    }
}
