package example.tabular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vectorgrad.Tensor;
import org.vectorgrad.io.Safetensors;
import org.vectorgrad.nn.Linear;

class TabularExampleTest {
    private static final List<String> APPLICATION_LIBRARIES =
            List.of("picocli", "progressbar", "jline", "xchart", "eclipse-collections", "jackson", "jmh");

    @Test
    void theLibraryBringsNoApplicationLibraries() throws IOException {
        String dependencies = Files.readString(Path.of(System.getProperty("dependencies.file")));
        assertTrue(dependencies.contains("org.vectorgrad:vectorgrad-core:jar"), dependencies);
        assertTrue(dependencies.contains("org.vectorgrad:vectorgrad-simd:jar"), dependencies);
        for (String library : APPLICATION_LIBRARIES) {
            assertTrue(!dependencies.contains(library), library + " reached the user: " + dependencies);
        }
    }

    @Test
    void theLibraryRunsAsNamedModulesThatHideTheirInternals() {
        Module core = Tensor.class.getModule();
        assertEquals("org.vectorgrad.core", core.getName());
        assertEquals("example.tabular", TabularExample.class.getModule().getName());
        Module simd = core.getLayer().findModule("org.vectorgrad.simd").orElseThrow();
        assertTrue(!simd.isExported("org.vectorgrad.simd"), "kernels are exported to core only");
        assertTrue(simd.isExported("org.vectorgrad.simd", core));
        assertTrue(core.isExported("org.vectorgrad.nn") && core.isExported("org.vectorgrad.metrics"));
        assertTrue(core.getLayer().findModule("jdk.incubator.vector").isPresent(),
                "core requires the Vector API module, so no --add-modules flag is needed on the module path");
    }

    @Test
    void aTabularModelTrainsFromDoubleRowsAndItsStateRoundTripsThroughBytes() throws Exception {
        int n = 6000, features = 12;
        SplittableRandom random = new SplittableRandom(7);
        double[][] rows = new double[n][features];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            double score = 0;
            for (int j = 0; j < features; j++) {
                rows[i][j] = 50 + 10 * j + (j + 1) * random.nextGaussian();
                score += (j % 3 - 1) * (rows[i][j] - 50 - 10 * j) / (j + 1);
            }
            labels[i] = score > 0 ? 1 : 0;
        }
        TabularExample.Result result = TabularExample.train(rows, labels, 1);
        assertTrue(result.accuracy() > 0.9, "accuracy " + result.accuracy());
        assertTrue(result.auc() > 0.95, "AUC " + result.auc());
        var state = Safetensors.fromBytes(result.model()).tensors();
        Linear again = new Linear(features, 32);
        again.loadStateDict(java.util.Map.of("weight", state.get("0.weight"), "bias", state.get("0.bias")));
        assertArrayEquals(state.get("0.weight").toArray(), again.weight().toArray());
        assertEquals(features, state.get("scaler.mean").numel());
        assertTrue(TabularExample.train(rows, labels, 1).accuracy() == result.accuracy(), "reproducible for a seed");
    }
}
