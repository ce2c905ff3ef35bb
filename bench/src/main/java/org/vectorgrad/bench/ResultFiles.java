package org.vectorgrad.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads the two result files the comparison is built from: JMH's JSON and bench_torch.py's JSON. */
final class ResultFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultFiles() {
    }

    /** The PyTorch run: its measurements and the machine/library facts it reported. */
    record TorchRun(List<Measurement> measurements, Map<String, String> machine) {
    }

    /** Every average-time or single-shot result of a JMH JSON file ({@code -rf json}), in file order. */
    static List<Measurement> readJmh(Path file) throws IOException {
        return parseJmh(JSON.readTree(file.toFile()));
    }

    static List<Measurement> parseJmh(JsonNode root) {
        List<Measurement> measurements = new ArrayList<>();
        for (JsonNode run : root) {
            JsonNode metric = run.path("primaryMetric");
            double seconds = secondsPerOp(metric.path("score").asDouble(), metric.path("scoreUnit").asText())
                    / callsPerScore(run);
            measurements.add(Measurement.of(run.path("benchmark").asText(), strings(run.path("params")), seconds));
        }
        return measurements;
    }

    // A single-shot score times one whole batch of calls (ColdSeedGraphBenchmark times 20k
    // iterations as one shot); the table shows the time of one call.
    private static int callsPerScore(JsonNode run) {
        return run.path("mode").asText().equals("ss") ? Math.max(1, run.path("measurementBatchSize").asInt(1)) : 1;
    }

    static TorchRun readTorch(Path file) throws IOException {
        return parseTorch(JSON.readTree(file.toFile()));
    }

    static TorchRun parseTorch(JsonNode root) {
        List<Measurement> measurements = new ArrayList<>();
        for (JsonNode result : root.path("results")) {
            measurements.add(new Measurement(result.path("benchmark").asText(), strings(result.path("params")),
                    result.path("threads").asInt(), result.path("seconds_per_op").asDouble()));
        }
        Map<String, String> machine = new LinkedHashMap<>();
        root.path("machine").properties().forEach(entry -> {
            if (!entry.getKey().equals("torch_config")) {
                JsonNode value = entry.getValue();
                machine.put(entry.getKey(), value.isValueNode() ? value.asText() : value.toString());
            }
        });
        return new TorchRun(measurements, machine);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.properties().forEach(entry -> values.put(entry.getKey(), entry.getValue().asText()));
        return values;
    }

    /**
     * Seconds per call from a JMH score and its unit: a time per operation ({@code "us/op"}) as
     * average-time mode reports it, or operations per time ({@code "ops/ms"}) from throughput mode.
     */
    static double secondsPerOp(double score, String unit) {
        String[] parts = unit.strip().split("/");
        if (parts.length == 2 && parts[1].equals("op")) {
            return score * seconds(parts[0], unit);
        }
        if (parts.length == 2 && parts[0].equals("ops")) {
            return seconds(parts[1], unit) / score;
        }
        throw new IllegalArgumentException("JMH score unit must be <time>/op or ops/<time>, got '" + unit + "'");
    }

    private static double seconds(String timeUnit, String whole) {
        return switch (timeUnit.toLowerCase(Locale.ROOT)) {
            case "ns" -> 1e-9;
            case "us", "µs" -> 1e-6;
            case "ms" -> 1e-3;
            case "s" -> 1;
            case "min" -> 60;
            default -> throw new IllegalArgumentException("unknown time unit '" + timeUnit + "' in JMH score unit '"
                    + whole + "'");
        };
    }
}
