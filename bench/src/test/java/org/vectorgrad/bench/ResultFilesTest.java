package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reads result files captured from real runs (a --quick JMH run and a --quick bench_torch.py run
 * of the Autograd and Reduction workloads; the numbers are what the runs printed).
 */
class ResultFilesTest {

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ResultFilesTest.class.getResource("/" + name).toURI());
    }

    @Test
    void jmhScoresBecomeSecondsPerCall() throws Exception {
        List<Measurement> runs = ResultFiles.readJmh(resource("jmh-sample.json"));
        assertEquals(4, runs.size());
        Measurement graph = runs.get(0);
        assertEquals("org.vectorgrad.bench.AutogradBenchmark.seedGraph", graph.benchmark());
        assertEquals(Map.of(), graph.params());
        assertEquals(1, graph.threads());
        assertEquals(105.09634608859501e-6, graph.secondsPerOp(), 1e-18);
        Measurement sum = runs.get(3);
        assertEquals(Map.of("size", "16M"), sum.params());
        assertEquals(2, sum.threads());
        assertEquals(3221.109994230769e-6, sum.secondsPerOp(), 1e-15);
    }

    /** A ColdSeedGraphBenchmark run (20k calls per shot): the table wants the time of one call. */
    @Test
    void singleShotScoresAreDividedByTheirBatch() throws Exception {
        List<Measurement> runs = ResultFiles.readJmh(resource("jmh-single-shot.json"));
        assertEquals(1, runs.size());
        assertEquals(Map.of("phase", "cold"), runs.get(0).params());
        assertEquals(513739.89593333344e-6 / 20_000, runs.get(0).secondsPerOp(), 1e-15);
    }

    @Test
    void torchResultsAndMachineAreRead() throws Exception {
        ResultFiles.TorchRun run = ResultFiles.readTorch(resource("torch-sample.json"));
        assertEquals(4, run.measurements().size());
        Measurement sum = run.measurements().get(2);
        assertEquals("org.vectorgrad.bench.ReductionBenchmark.sum", sum.benchmark());
        assertEquals(Map.of("size", "16M"), sum.params());
        assertEquals(1, sum.threads());
        assertEquals(0.002560468100000435, sum.secondsPerOp());
        assertEquals("1.13.0a0", run.machine().get("torch"));
        assertEquals("openblas-openmp/libopenblasp-r0.3.21.so", run.machine().get("blas"));
        assertTrue(!run.machine().containsKey("torch_config"), "the long build config stays in the JSON file");
    }

    @Test
    void timePerOpUnitsScaleToSeconds() {
        assertEquals(3.5e-6, ResultFiles.secondsPerOp(3.5, "us/op"), 1e-20);
        assertEquals(3.5e-9, ResultFiles.secondsPerOp(3.5, "ns/op"), 1e-23);
        assertEquals(3.5e-3, ResultFiles.secondsPerOp(3.5, "ms/op"), 1e-17);
        assertEquals(3.5, ResultFiles.secondsPerOp(3.5, "s/op"));
    }

    @Test
    void throughputUnitsAreInverted() {
        assertEquals(0.5e-3, ResultFiles.secondsPerOp(2, "ops/ms"), 1e-18);
        assertEquals(0.25, ResultFiles.secondsPerOp(4, "ops/s"));
        assertEquals(1e-7, ResultFiles.secondsPerOp(10, "ops/us"), 1e-21);
    }

    @Test
    void unknownUnitsAreNamed() {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> ResultFiles.secondsPerOp(1, "us"));
        assertTrue(shape.getMessage().contains("'us'"), shape.getMessage());
        IllegalArgumentException time = assertThrows(IllegalArgumentException.class,
                () -> ResultFiles.secondsPerOp(1, "fortnights/op"));
        assertTrue(time.getMessage().contains("'fortnights'"), time.getMessage());
    }
}
