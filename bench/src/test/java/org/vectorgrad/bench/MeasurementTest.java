package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Merging alternating rounds: each workload keeps its fastest time, in first-seen order. */
class MeasurementTest {
    private static final String STEP = "org.vectorgrad.bench.ConvNetStepBenchmark.step";

    private static Measurement step(String model, int threads, double seconds) {
        return new Measurement(STEP, Map.of("model", model), threads, seconds);
    }

    @Test
    void fastestRoundPerWorkload() {
        List<Measurement> merged = Measurement.fastest(List.of(
                List.of(step("cnn", 1, 0.012), step("cnn", 2, 0.008), step("resnet18", 2, 0.130)),
                List.of(step("cnn", 1, 0.010), step("cnn", 2, 0.009), step("resnet18", 1, 0.190))));
        assertEquals(List.of(step("cnn", 1, 0.010), step("cnn", 2, 0.008), step("resnet18", 2, 0.130),
                step("resnet18", 1, 0.190)), merged);
    }

    @Test
    void noRoundsNoMeasurements() {
        assertEquals(List.of(), Measurement.fastest(List.of()));
        assertEquals(List.of(step("cnn", 1, 0.01)), Measurement.fastest(List.of(List.of(step("cnn", 1, 0.01)))));
    }
}
