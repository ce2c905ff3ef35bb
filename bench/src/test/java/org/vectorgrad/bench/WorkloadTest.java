package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {
    private static final String PACKAGE = "org.vectorgrad.bench.";

    @Test
    void squareMatmulIsShownInGflops() {
        Workload matmul = Workload.of(PACKAGE + "MatmulBenchmark.matmul", Map.of("shape", "1024"));
        assertEquals("matmul 1024", matmul.label());
        assertEquals(Workload.Unit.GFLOPS, matmul.unit());
        // 2·1024³ = 2,147,483,648 FLOPs in 10 ms is 214.7 GFLOP/s.
        assertEquals(214.748, matmul.unit().value(matmul.work(), 0.01), 1e-3);
        assertEquals("215", matmul.format(0.01));
    }

    @Test
    void rectangularMatmulShowsBothOperands() {
        Workload layer = Workload.of(PACKAGE + "MatmulBenchmark.matmul", Map.of("shape", "256x784x256"));
        assertEquals("matmul 256x784·784x256", layer.label());
        assertEquals(2.0 * 256 * 784 * 256, layer.work());
    }

    @Test
    void elementwiseFormsAreToldApart() {
        Workload allocating = Workload.of(PACKAGE + "ElementwiseBenchmark.tensor", Map.of("op", "exp", "size", "1M"));
        Workload into = Workload.of(PACKAGE + "ElementwiseBenchmark.out", Map.of("op", "exp", "size", "1M"));
        assertEquals("exp 1M", allocating.label());
        assertEquals("exp 1M (out=)", into.label());
        assertEquals(Workload.Unit.GELEMS, into.unit());
        // 2^20 elements in 100 µs: 10.49 Gelem/s.
        assertEquals("10.5", into.format(100e-6));
    }

    @Test
    void sumIsAThroughputOverItsElements() {
        Workload sum = Workload.of(PACKAGE + "ReductionBenchmark.sum", Map.of("size", "16M"));
        assertEquals("sum 16M", sum.label());
        assertEquals(16 << 20, sum.work());
    }

    @Test
    void graphAndTrainingStepsAreTimes() {
        Workload graph = Workload.of(PACKAGE + "AutogradBenchmark.seedGraph", Map.of());
        assertEquals(Workload.Unit.MICROS, graph.unit());
        assertEquals("79.0", graph.format(79e-6));
        Workload step = Workload.of(PACKAGE + "TrainingStepBenchmark.step", Map.of("batch", "256"));
        assertEquals("MLP step batch 256", step.label());
        assertEquals("2.10", step.format(2.1e-3));
        assertEquals(Workload.Unit.MILLIS, step.unit());
    }

    @Test
    void unknownBenchmarksAreShownAsPlainTimes() {
        Workload other = Workload.of(PACKAGE + "KernelsBenchmark.add", Map.of("implementation", "vector"));
        assertEquals("KernelsBenchmark.add (implementation=vector)", other.label());
        assertEquals(Workload.Unit.MICROS, other.unit());
        assertEquals("447", other.format(447e-6));
    }

    @Test
    void missingParameterIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workload.of(PACKAGE + "ElementwiseBenchmark.out", Map.of("size", "1M")));
        assertTrue(e.getMessage().contains("ElementwiseBenchmark.out") && e.getMessage().contains("'op'"),
                e.getMessage());
    }
}
