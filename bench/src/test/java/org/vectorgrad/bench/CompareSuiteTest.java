package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Holds the JMH suite (the BenchmarkList the annotation processor generated) against the
 * PyTorch script's workload list ({@code bench_torch.py --list}, committed as
 * torch-workloads.jsonl): every comparable workload must exist on both sides, or a row of the
 * comparison table would silently lose its partner.
 */
class CompareSuiteTest {
    private static final Pattern COMPARABLE = Pattern.compile(CompareOptions.DEFAULT_FILTER);

    /** Every (benchmark, parameter combination) JMH would run, as measurements of a dummy time. */
    private static List<Measurement> jmhWorkloads() {
        var quiet = OutputFormatFactory.createFormatInstance(new PrintStream(OutputStream.nullOutputStream()),
                VerboseMode.SILENT);
        List<Measurement> workloads = new ArrayList<>();
        for (BenchmarkListEntry entry : BenchmarkList.defaultList().find(quiet, List.of(".*"), List.of())) {
            Map<String, String[]> params = entry.getParams().orElse(Map.of());
            for (Map<String, String> combination : combinations(new TreeSet<>(params.keySet()).stream().toList(), params)) {
                workloads.add(Measurement.of(entry.getUsername(), combination, 1));
            }
        }
        return workloads;
    }

    private static List<Map<String, String>> combinations(List<String> names, Map<String, String[]> values) {
        List<Map<String, String>> result = new ArrayList<>();
        result.add(new LinkedHashMap<>());
        for (String name : names) {
            List<Map<String, String>> extended = new ArrayList<>();
            for (Map<String, String> partial : result) {
                for (String value : values.get(name)) {
                    Map<String, String> next = new LinkedHashMap<>(partial);
                    next.put(name, value);
                    extended.add(next);
                }
            }
            result = extended;
        }
        return result;
    }

    private static Set<String> torchKeys() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(ResultFilesTest.resource("torch-workloads.jsonl"))) {
            JsonNode workload = json.readTree(line);
            Map<String, String> params = new LinkedHashMap<>();
            workload.path("params").properties().forEach(entry -> params.put(entry.getKey(), entry.getValue().asText()));
            keys.add(new Measurement(workload.path("benchmark").asText(), params, workload.path("threads").asInt(), 1)
                    .key());
        }
        return keys;
    }

    @Test
    void everyComparableWorkloadRunsOnBothSides() throws Exception {
        Set<String> jmh = new TreeSet<>();
        for (Measurement workload : jmhWorkloads()) {
            if (COMPARABLE.matcher(workload.benchmark()).find()) {
                jmh.add(workload.key());
            }
        }
        assertEquals(72, jmh.size(),
                "matmul 8x2, elementwise 5x2x2x2, sum 2, seed graph 2, MLP 2x2, conv nets 2x2, cold seed graph 2x2");
        Set<String> torch = torchKeys();
        Set<String> onlyJmh = new TreeSet<>(jmh);
        onlyJmh.removeAll(torch);
        Set<String> onlyTorch = new TreeSet<>(torch);
        onlyTorch.removeAll(jmh);
        assertEquals(Set.of(), onlyJmh, "JMH workloads bench_torch.py --list lacks");
        assertEquals(Set.of(), onlyTorch, "bench_torch.py --list workloads JMH lacks");
    }

    /** Ratios within Vectorgrad, with no PyTorch twin: scalar vs vector kernels, many callers vs one. */
    private static final Set<String> INTERNAL = Set.of("org.vectorgrad.bench.KernelsBenchmark.",
            "org.vectorgrad.bench.ConcurrentCallersBenchmark.");

    @Test
    void onlyTheInternalComparisonsAreLeftOutByDefault() {
        for (Measurement workload : jmhWorkloads()) {
            if (!COMPARABLE.matcher(workload.benchmark()).find()) {
                assertTrue(INTERNAL.stream().anyMatch(workload.benchmark()::startsWith), workload.key());
            }
        }
    }

    @Test
    void comparableWorkloadsHaveTheirOwnTableEntry() {
        for (Measurement workload : jmhWorkloads()) {
            Workload shown = Workload.of(workload.benchmark(), workload.params());
            boolean comparable = COMPARABLE.matcher(workload.benchmark()).find();
            assertEquals(comparable, !shown.label().contains("Benchmark."), workload.key() + " -> " + shown.label());
            assertTrue(shown.work() > 0, workload.key());
            assertFalse(comparable && workload.threads() == 0, "comparable benchmarks set the thread count: " + workload.key());
        }
    }
}
