package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ComparisonTableTest {
    private static final String MATMUL = "org.vectorgrad.bench.MatmulBenchmark.matmul";
    private static final String EXP = "org.vectorgrad.bench.ElementwiseBenchmark.tensor";
    private static final String STEP = "org.vectorgrad.bench.TrainingStepBenchmark.step";

    private static Measurement matmul(int threads, double seconds) {
        return new Measurement(MATMUL, Map.of("shape", "1024"), threads, seconds);
    }

    @Test
    void rowsPairTheSameWorkloadAndThreadCount() {
        ComparisonTable table = ComparisonTable.match(
                List.of(matmul(1, 0.02), matmul(2, 0.01)),
                List.of(matmul(2, 0.005), matmul(1, 0.04)));
        List<ComparisonTable.Row> rows = table.rows();
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).threads());
        assertEquals(OptionalDouble.of(0.04), rows.get(0).torchSeconds());
        assertEquals(2.0, rows.get(0).ratio().getAsDouble(), 1e-12);
        assertEquals(2, rows.get(1).threads());
        assertEquals(0.5, rows.get(1).ratio().getAsDouble(), 1e-12);
    }

    @Test
    void bestOfThreadsTakesEachSidesFastestCount() {
        ComparisonTable table = ComparisonTable.bestOfThreads(
                List.of(matmul(1, 0.02), matmul(2, 0.01)),
                List.of(matmul(2, 0.03), matmul(1, 0.025)));
        List<ComparisonTable.Row> rows = table.rows();
        assertEquals(1, rows.size());
        assertEquals(2, rows.get(0).threads());
        assertEquals(1, rows.get(0).torchThreads());
        assertEquals(2.5, rows.get(0).ratio().getAsDouble(), 1e-12);
        assertTrue(table.toMarkdown().contains(" 2 / 1 |"), table.toMarkdown());
    }

    @Test
    void parameterOrderDoesNotMatter() {
        Map<String, String> opFirst = new LinkedHashMap<>();
        opFirst.put("op", "exp");
        opFirst.put("size", "1M");
        Map<String, String> sizeFirst = new LinkedHashMap<>();
        sizeFirst.put("size", "1M");
        sizeFirst.put("op", "exp");
        ComparisonTable table = ComparisonTable.match(List.of(new Measurement(EXP, opFirst, 1, 1e-3)),
                List.of(new Measurement(EXP, sizeFirst, 1, 2e-3)));
        assertEquals(1, table.rows().size());
        assertEquals(2.0, table.rows().get(0).ratio().getAsDouble(), 1e-12);
    }

    @Test
    void ratioIsVectorgradOverTorchForThroughputs() {
        ComparisonTable.Row row = ComparisonTable.match(List.of(matmul(1, 0.02)), List.of(matmul(1, 0.04))).rows().get(0);
        double ours = row.workload().unit().value(row.workload().work(), 0.02);
        double theirs = row.workload().unit().value(row.workload().work(), 0.04);
        assertEquals(ours / theirs, row.ratio().getAsDouble(), 1e-12);
    }

    @Test
    void unmatchedSidesKeepAnEmptyCell() {
        Measurement failedHere = new Measurement(STEP, Map.of("batch", "64"), 1, 1e-3);
        ComparisonTable table = ComparisonTable.match(List.of(matmul(1, 0.02)), List.of(failedHere));
        List<ComparisonTable.Row> rows = table.rows();
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).torchSeconds().isEmpty());
        assertTrue(rows.get(0).ratio().isEmpty());
        assertEquals("MLP step batch 64", rows.get(1).workload().label());
        assertTrue(rows.get(1).vectorgradSeconds().isEmpty());
        assertTrue(table.toMarkdown().contains("| MLP step batch 64 |       1 |          — |    1.00 | ms/step |     — |"),
                table.toMarkdown());
    }

    @Test
    void markdownColumnsLineUp() {
        ComparisonTable table = ComparisonTable.match(List.of(matmul(1, 0.02), matmul(2, 0.01)),
                List.of(matmul(1, 0.04), matmul(2, 0.0125)));
        String[] lines = table.toMarkdown().split("\n");
        assertEquals(4, lines.length);
        assertEquals("| workload    | threads | Vectorgrad | PyTorch | unit    | ratio |", lines[0]);
        assertEquals("| ----------- | ------: | ---------: | ------: | ------- | ----: |", lines[1]);
        // 2·1024³ FLOPs: 107 GFLOP/s in 20 ms, 53.7 in 40 ms, 215 in 10 ms, 172 in 12.5 ms.
        assertEquals("| matmul 1024 |       1 |        107 |    53.7 | GFLOP/s | 2.00x |", lines[2]);
        assertEquals("| matmul 1024 |       2 |        215 |     172 | GFLOP/s | 1.25x |", lines[3]);
    }

    @Test
    void smallRatiosKeepTwoSignificantDigits() {
        ComparisonTable table = ComparisonTable.match(List.of(matmul(1, 0.02)), List.of(matmul(1, 0.0000625)));
        assertEquals(0.003125, table.rows().get(0).ratio().getAsDouble(), 1e-12);
        assertTrue(table.toMarkdown().contains("| 0.0031x |"), table.toMarkdown());
    }

    @Test
    void measurementsRejectImpossibleTimes() {
        assertThrows(IllegalArgumentException.class, () -> matmul(1, 0));
        assertThrows(IllegalArgumentException.class, () -> matmul(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> matmul(1, Double.POSITIVE_INFINITY));
        IllegalArgumentException doubled = assertThrows(IllegalArgumentException.class,
                () -> new Measurement(MATMUL, Map.of("threads", "2"), 2, 1));
        assertTrue(doubled.getMessage().contains("threads"), doubled.getMessage());
    }

    @Test
    void threadsParamIsSplitOff() {
        Measurement measured = Measurement.of(MATMUL, Map.of("shape", "64", "threads", "2"), 1e-6);
        assertEquals(Map.of("shape", "64"), measured.params());
        assertEquals(2, measured.threads());
        assertEquals(0, Measurement.of(MATMUL, Map.of("shape", "64"), 1e-6).threads());
    }
}
